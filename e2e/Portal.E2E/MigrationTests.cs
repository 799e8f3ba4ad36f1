using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Portal.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E;

/// <summary>
/// Migration end to end: a scan report gives jupyterlab-cpu v1, which Alice's analysis notebook runs, a Critical finding;
/// the portal proposes v3 (the newest clean Prod release; v4-dev is a Dev build) and an admin approves it; the day's
/// digest reaches Alice through the SMTP sink with the replacement and a link; she follows it, sees the replacement on
/// My workloads and chooses to be migrated; the admin executes the plan and the emulator's notebook runs v3; the audit
/// shows her choice and the migration. It changes a notebook every other test reads, so it runs last
/// (<see cref="LifecycleLastOrderer"/>).
/// </summary>
public sealed partial class MigrationTests(StackFixture stack, ITestOutputHelper output) : PortalTest(stack, output)
{
    private const string Repository = "aaw/jupyterlab-cpu";
    private const string Notebook = "alice/analysis";
    private const string RuleGlob = "aaw/jupyterlab-*";

    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task AnOwnerToldByEmailChoosesTheApprovedReplacementAndTheNotebookIsMigrated()
    {
        await Page.SignInAsync(Stack, TestUser.Admin);
        await Page.UseThemeAsync(dark: false);
        await PortalApi.EnsureInventoryAndWorkloadsAsync(Page, Stack, JobTimeout);
        await EnsureCuratedNotebookRuleAsync();

        // --- A pipeline reports a Critical finding in v1: it gets an EOL date, and Alice's analysis notebook runs it.
        var key = await PortalApi.CreateScanReportKeyAsync(Page);
        var v1 = await PortalApi.RegistryDigestAsync(Stack, Repository, "v1", CancellationToken);
        var v3 = await PortalApi.RegistryDigestAsync(Stack, Repository, "v3", CancellationToken);
        using (var http = new HttpClient { BaseAddress = Stack.PortalUrl })
        using (var posted = await PortalApi.PostTrivyReportAsync(Stack, http, key, Repository, "v1", v1, CancellationToken))
        {
            posted.IsSuccessStatusCode.ShouldBeTrue(await posted.Content.ReadAsStringAsync(CancellationToken));
        }

        // --- Migrate an owner's notebook when they choose it, without a further approval.
        await Page.GotoAsync("/settings?tab=lifecycle");
        await Page.WaitForInteractiveAsync();
        await Page.GetByTestId("mode-MigrateWorkload").ClickAsync();
        await Page.GetByRole(AriaRole.Option, new PageGetByRoleOptions { Name = "Automatic", Exact = true }).ClickAsync();
        await Page.GetByTestId("policy-save").ClickAsync();
        await Expect(Page.Locator(".mud-snackbar")).ToContainTextAsync("Saved the lifecycle policy as version");

        // --- The portal proposes v3 for v1, saying why; the admin approves.
        await Page.OpenFromMenuAsync("Migrations", "Migrations");
        await Page.GetByTestId("propose-now").ClickAsync();
        var proposed = Page.GetByTestId("paths-Proposed").Locator("tbody tr", new LocatorLocatorOptions { HasText = $"{Repository}:v1@" });
        await Expect(proposed.GetByTestId("path-to")).ToContainTextAsync($"{Repository}:v3@{v3[..19]}");
        await Expect(proposed.GetByTestId("path-why")).ToContainTextAsync("Newest Prod release on track jupyterlab-cpu");
        await Expect(proposed.GetByTestId("path-difference")).ToContainTextAsync("fixes");
        await proposed.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Approve" }).ClickAsync();
        await Expect(Page.GetByTestId("path-counts")).ToContainTextAsync("1 approved");
        await Expect(Page.Locator(".mud-snackbar")).ToHaveCountAsync(0, new LocatorAssertionsToHaveCountOptions { Timeout = 30_000 });
        if (await Page.FindSeriousViolationsAsync("/migrations with an approved path", Output) is { } problem)
        {
            Assert.Fail(problem);
        }

        // --- The day's digest reaches Alice by email: her notebook, the image, the EOL, the replacement, a link.
        foreach (var job in new[] { "notifications", "notification-delivery" })
        {
            var run = await PortalApi.RunJobAsync(Page, job, JobTimeout);
            run["status"]!.GetValue<string>().ShouldBe("Succeeded", run["message"]?.GetValue<string>());
        }

        var email = await Mailbox.WaitForAsync(Stack, TestUser.Alice.Email, m => (m.HtmlBody ?? "").Contains("analysis", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), CancellationToken);
        var html = email.HtmlBody!;
        html.ShouldContain(Repository);
        html.ShouldContain($"{Repository}:v3@{v3[..19]}");
        email.TextBody.ShouldNotBeNullOrWhiteSpace("a plain-text part for mail clients that do not show HTML");
        var link = new Uri(WorkloadsLink().Match(html).Groups["href"].Value);
        link.GetLeftPart(UriPartial.Authority).ShouldBe(Stack.PortalUrl.GetLeftPart(UriPartial.Authority));

        // --- Alice follows the link, sees the replacement and chooses to be migrated.
        var alice = await NewPageAsync();
        await alice.SignInAsync(Stack, TestUser.Alice, link.PathAndQuery);
        var replacement = alice.GetByTestId("workload-alice-analysis").GetByTestId("replacement");
        await Expect(replacement.GetByTestId("replacement-image")).ToHaveTextAsync($"{Repository}:v3@{v3[..19]}");
        await replacement.GetByTestId("choose-migrate").ClickAsync();
        await Expect(replacement.GetByTestId("migration-choice")).ToContainTextAsync("Migration in the next maintenance window asked for");

        // --- The admin executes the plan now: the notebook's image is patched to v3, pinned by digest.
        var before = await PortalApi.LastRunIdAsync(Page, "lifecycle");
        await Page.GotoAsync("/plan");
        await Page.WaitForInteractiveAsync();
        var migration = Page.GetByTestId("plan-MigrateWorkload").GetByTestId("plan-action").Filter(new LocatorFilterOptions { HasText = Notebook });
        await Expect(migration).ToContainTextAsync("(its owner chose it).");
        await Page.GetByTestId("execute-now").ClickAsync();
        var lifecycleRun = await PortalApi.WaitForRunAfterAsync(Page, "lifecycle", before, JobTimeout);
        lifecycleRun["status"]!.GetValue<string>().ShouldBe("Succeeded", lifecycleRun["message"]?.GetValue<string>());

        var notebook = await PortalApi.NotebookAsync(Stack, "alice", "analysis", CancellationToken);
        var image = notebook!["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>();
        image.ShouldBe($"{new Uri(Stack.RegistryUrl).Authority}/{Repository}:v3@{v3}");

        // --- The audit shows the approval, Alice's choice and the migration.
        await Page.OpenFromMenuAsync("Audit", "Audit");
        await Expect(AuditTests.AuditRow(Page, "migration.approved", TestUser.Admin.Email).First).ToBeVisibleAsync();
        await Expect(AuditTests.AuditRow(Page, "migration.chosen", TestUser.Alice.Email, Notebook).First).ToBeVisibleAsync();
        await Expect(AuditTests.AuditRow(Page, "action.executed", TestUser.Admin.Email, Notebook).First).ToBeVisibleAsync();
    }

    /// <summary>The notebook images are Curated on the jupyterlab-cpu track, whether or not the inventory test wrote its rule first.</summary>
    private async Task EnsureCuratedNotebookRuleAsync()
    {
        await Page.GotoAsync("/settings?tab=classification");
        await Page.WaitForInteractiveAsync();
        var rules = Page.GetByTestId("rules-table");
        if (await rules.Locator("tbody tr", new LocatorLocatorOptions { HasText = RuleGlob }).CountAsync() > 0)
        {
            return;
        }

        await Page.GetByTestId("rule-name").FillAsync("Curated notebooks");
        await Page.GetByTestId("rule-glob").FillAsync(RuleGlob);
        await Page.GetByTestId("rule-save").ClickAsync();
        await Expect(rules.Locator("tbody tr", new LocatorLocatorOptions { HasText = RuleGlob })).ToHaveCountAsync(1);
    }

    [GeneratedRegex("href=\"(?<href>[^\"]*/my-workloads[^\"]*)\"")]
    private static partial Regex WorkloadsLink();
}
