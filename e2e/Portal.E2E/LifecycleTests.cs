using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Portal.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E;

/// <summary>
/// The lifecycle end to end: an admin sets a policy under which a Critical finding expires an image at once and the
/// stop of its notebooks needs approval; a scan report makes Alice's custom-env notebook vulnerable; the plan shows her
/// reminder and the stop; an approver holds the notebook and the plan shows the stop skipped for the hold; the hold is
/// lifted, the stop approved and executed; the notebook is stopped in the Kubernetes API emulator, not deleted; the
/// audit shows the whole chain. It changes what other tests read (a stopped notebook, a stricter policy), so it runs
/// last (<see cref="LifecycleLastOrderer"/>); it also runs alone, adding and syncing the registry itself.
/// </summary>
public sealed class LifecycleTests(StackFixture stack, ITestOutputHelper output) : PortalTest(stack, output)
{
    private const string Repository = "users/alice/custom-notebook";
    private const string Tag = "latest";
    private const string Notebook = "alice/custom-env";
    private const string HoldReason = "thesis deadline on Friday";

    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task AnExpiredNotebookIsHeldThenApprovedAndStoppedWithTheWholeChainAudited()
    {
        await Page.SignInAsync(Stack, TestUser.Admin);
        await Page.UseThemeAsync(dark: false);
        await PortalApi.EnsureInventoryAndWorkloadsAsync(Page, Stack, JobTimeout);

        // --- A pipeline reports a Critical finding in the image Alice's custom-env notebook runs.
        var key = await PortalApi.CreateScanReportKeyAsync(Page);
        var digest = await PortalApi.RegistryDigestAsync(Stack, Repository, Tag, CancellationToken);
        using (var http = new HttpClient { BaseAddress = Stack.PortalUrl })
        using (var posted = await PortalApi.PostTrivyReportAsync(Stack, http, key, Repository, Tag, digest, CancellationToken))
        {
            posted.IsSuccessStatusCode.ShouldBeTrue(await posted.Content.ReadAsStringAsync(CancellationToken));
        }

        // --- The admin sets the policy in Settings → Lifecycle: a Critical finding expires an image at once, EOL stops the
        // notebooks of every class, and a stop waits for approval.
        await Page.GotoAsync("/settings?tab=lifecycle");
        await Page.WaitForInteractiveAsync();
        foreach (var imageClass in new[] { "Curated", "Platform", "User", "Unclassified" })
        {
            await Page.GetByTestId($"grace-{imageClass}-Critical").FillAsync("0");
            await Page.GetByTestId($"stops-{imageClass}").CheckAsync();
        }

        await Page.GetByTestId("mode-StopWorkload").ClickAsync();
        await Page.GetByRole(AriaRole.Option, new PageGetByRoleOptions { Name = "RequireApproval", Exact = true }).ClickAsync();
        await Expect(Page.GetByTestId("policy-pending")).ToContainTextAsync("RequireApproval");
        await Page.GetByTestId("policy-save").ClickAsync();
        await Expect(Page.Locator(".mud-snackbar")).ToContainTextAsync("Saved the lifecycle policy as version");
        var policy = JsonNode.Parse(await (await Page.APIRequest.GetAsync("/api/v1/lifecycle/policy")).TextAsync())!;
        policy["modes"]!["StopWorkload"]!.GetValue<string>().ShouldBe("RequireApproval");
        var version = policy["version"]!.GetValue<int>();
        version.ShouldBeGreaterThan(0, "saved, no longer the defaults");

        // --- The approver sees the reminder to Alice and the stop, awaiting approval.
        var approver = await NewPageAsync();
        await approver.SignInAsync(Stack, TestUser.Approver, "/plan");
        await Expect(approver.GetByTestId("plan-summary")).ToContainTextAsync($"policy version {version}");
        await Expect(Actions(approver, "NotifyOwner").Filter(new LocatorFilterOptions { HasText = TestUser.Alice.Email })
            .Filter(new LocatorFilterOptions { HasText = Notebook })).ToHaveCountAsync(1);
        var stop = Actions(approver, "StopWorkload").Filter(new LocatorFilterOptions { HasText = Notebook });
        await Expect(stop).ToHaveCountAsync(1);
        await Expect(stop).ToContainTextAsync("past its EOL of");
        await Expect(stop.GetByTestId("action-status")).ToContainTextAsync("awaiting approval");

        // --- A hold on the notebook: the stop is left out, and the plan says why.
        await approver.OpenFromMenuAsync("Holds", "Holds");
        await approver.GetByTestId("hold-kind").ClickAsync();
        await approver.GetByRole(AriaRole.Option, new PageGetByRoleOptions { Name = "Workload", Exact = true }).ClickAsync();
        await approver.GetByTestId("hold-subject-input").FillAsync("custom-env");
        await approver.GetByRole(AriaRole.Option, new PageGetByRoleOptions { Name = $"e2e/{Notebook}" }).ClickAsync();
        // The chosen subject re-renders the form; a reason typed before that lands is reset, so wait for it, then commit
        // the reason (it binds on change) and see it kept before placing the hold.
        await Expect(approver.GetByTestId("hold-subject-input")).ToHaveValueAsync(new Regex(Regex.Escape($"e2e/{Notebook}")));
        await approver.GetByTestId("hold-reason-input").FillAsync(HoldReason);
        await approver.GetByTestId("hold-reason-input").PressAsync("Tab");
        await Expect(approver.GetByTestId("hold-reason-input")).ToHaveValueAsync(HoldReason);
        await approver.GetByTestId("hold-place").ClickAsync();
        var hold = approver.GetByTestId("holds-table").Locator("tbody tr", new LocatorLocatorOptions { HasText = HoldReason });
        await Expect(hold.GetByTestId("hold-status")).ToHaveTextAsync("Active");

        await approver.OpenFromMenuAsync("Plan", "Plan");
        await Expect(Actions(approver, "StopWorkload").Filter(new LocatorFilterOptions { HasText = Notebook })).ToHaveCountAsync(0);
        await Expect(approver.GetByTestId("plan-StopWorkload").GetByTestId("plan-kept"))
            .ToContainTextAsync($"stop skipped: hold until");
        await Expect(approver.GetByTestId("plan-StopWorkload").GetByTestId("plan-kept")).ToContainTextAsync($"by {TestUser.Approver.Email}: {HoldReason}");

        // --- Lifted: the stop is back; the approver approves it.
        await approver.OpenFromMenuAsync("Holds", "Holds");
        await hold.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { NameRegex = new System.Text.RegularExpressions.Regex("^Lift the hold") }).ClickAsync();
        await Expect(approver.GetByRole(AriaRole.Dialog)).ToContainTextAsync("Lift this hold?");
        await approver.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Lift", Exact = true }).ClickAsync();
        await Expect(approver.GetByTestId("holds-table").Locator("tbody tr", new LocatorLocatorOptions { HasText = HoldReason })).ToHaveCountAsync(0);
        await approver.OpenFromMenuAsync("Plan", "Plan");
        await stop.GetByTestId("approve").ClickAsync();
        await Expect(stop.GetByTestId("action-status")).ToContainTextAsync("Approved");
        // axe measures a fading snackbar's colours half-way; check the page once the confirmations have gone.
        await Expect(approver.Locator(".mud-snackbar")).ToHaveCountAsync(0, new LocatorAssertionsToHaveCountOptions { Timeout = 30_000 });
        if (await approver.FindSeriousViolationsAsync("/plan with an approved stop", Output) is { } problem)
        {
            Assert.Fail(problem);
        }

        // --- The admin executes now; the lifecycle job stops the notebook in the cluster.
        var before = await PortalApi.LastRunIdAsync(Page, "lifecycle");
        await Page.GotoAsync("/plan");
        await Page.WaitForInteractiveAsync();
        await Page.GetByTestId("execute-now").ClickAsync();
        var run = await PortalApi.WaitForRunAfterAsync(Page, "lifecycle", before, JobTimeout);
        run["status"]!.GetValue<string>().ShouldBe("Succeeded", run["message"]?.GetValue<string>());
        run["message"]!.GetValue<string>().ShouldContain("1 carried out");

        var notebook = await PortalApi.NotebookAsync(Stack, "alice", "custom-env", CancellationToken);
        notebook.ShouldNotBeNull("stopping never deletes a notebook");
        notebook["metadata"]!["annotations"]!["kubeflow-resource-stopped"].ShouldNotBeNull();
        await Page.ReloadInteractiveAsync();
        var done = Page.GetByTestId("plan-history").GetByTestId("history-row").Filter(new LocatorFilterOptions { HasText = Notebook });
        await Expect(done.First).ToContainTextAsync("Done");
        await Expect(done.First).ToContainTextAsync($"Stopped notebook {Notebook}");

        // --- The audit shows the chain: policy, hold placed and lifted, approval, the stop with its policy version.
        await Page.OpenFromMenuAsync("Audit", "Audit");
        await Expect(AuditTests.AuditRow(Page, "policy.changed", TestUser.Admin.Email).First).ToBeVisibleAsync();
        await Expect(AuditTests.AuditRow(Page, "hold.placed", TestUser.Approver.Email, Notebook).First).ToBeVisibleAsync();
        await Expect(AuditTests.AuditRow(Page, "hold.lifted", TestUser.Approver.Email).First).ToBeVisibleAsync();
        await Expect(AuditTests.AuditRow(Page, "action.approved", TestUser.Approver.Email, Notebook).First).ToBeVisibleAsync();
        await Expect(AuditTests.AuditRow(Page, "action.executed", TestUser.Admin.Email, Notebook).First).ToBeVisibleAsync();
    }

    private static ILocator Actions(IPage page, string kind) => page.GetByTestId($"plan-{kind}").GetByTestId("plan-action");
}
