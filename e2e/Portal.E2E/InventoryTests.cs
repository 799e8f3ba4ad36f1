using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Portal.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E;

/// <summary>
/// The inventory end to end, against the real OCI registry the fixture seeded (e2e/stack/seed-registry.sh): an admin
/// adds the registry in Settings, tests the connection, syncs it and watches the job, finds every image with its tags
/// on the Images page (all Unclassified), reads one image's labels, writes a classification rule while its live
/// preview shows what it will match, and sees the images classified; then axe checks the pages with that data.
/// </summary>
public sealed partial class InventoryTests(StackFixture stack, ITestOutputHelper output) : PortalTest(stack, output)
{
    private const string RegistryName = "e2e-registry";
    private const string RuleName = "Curated notebooks";
    private const string RuleGlob = "aaw/jupyterlab-*";
    private const string Jupyter = "aaw/jupyterlab-cpu";
    private const string Controller = "platform/notebook-controller";
    private const string AliceImage = "users/alice/custom-notebook";
    private const string SyncJob = "inventory-sync";

    /// <summary>What the seed script pushes, newest first (the Images grid's default order: Created, descending).</summary>
    private static readonly (string Repository, string Tag, string Channel)[] SeededImages =
    [
        (AliceImage, "latest", "Prod"),
        (Jupyter, "v4-dev", "Dev"),
        (Jupyter, "v3", "Prod"),
        (Jupyter, "v2", "Prod"),
        (Controller, "1.9.0", "Prod"),
        (Jupyter, "v1", "Prod"),
    ];

    // Records every distinct text of the sync job's result chip as Blazor patches the Jobs page, as JobsTests does.
    private const string RecordSyncJobStatus =
        """
        () => {
          window.__e2eSamePage = true;
          const status = [];
          window.__e2eSyncStatus = status;
          const record = () => {
            const chip = document.querySelector('[data-testid="job-result-inventory-sync"] .mud-chip');
            const text = chip ? chip.textContent.replace(/\s+/g, ' ').trim() : '(none)';
            if (status[status.length - 1] !== text) status.push(text);
          };
          record();
          new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
        }
        """;

    [Fact]
    public async Task AdminAddsTheRegistrySyncsItAndClassifiesItsImagesWithARulePreviewedLive()
    {
        await Page.SignInAsync(Stack, TestUser.Admin);
        await Page.UseThemeAsync(dark: false);

        // --- Settings → Registries: add the registry by hand, test the connection, save.
        await Page.OpenFromMenuAsync("Settings", "Settings");
        await Expect(Tab("Registries")).ToHaveAttributeAsync("aria-selected", "true");
        var registries = Page.GetByTestId("registries-table");
        await Expect(registries).ToBeVisibleAsync();
        await Expect(registries.Locator("tbody tr", new LocatorLocatorOptions { HasText = RegistryName })).ToHaveCountAsync(0);

        await Page.GetByTestId("registry-name").FillAsync(RegistryName);
        await Page.GetByTestId("registry-url").FillAsync(Stack.RegistryUrl);
        await Page.GetByTestId("registry-insecure").CheckAsync();
        await Expect(Page.GetByTestId("registry-insecure")).ToBeCheckedAsync();

        await Page.GetByTestId("registry-test").ClickAsync();
        await Expect(Page.GetByTestId("test-result")).ToHaveTextAsync("Connected: the catalog lists 3 repositories.");

        await Page.GetByTestId("registry-save").ClickAsync();
        var registryRow = registries.Locator("tbody tr", new LocatorLocatorOptions { HasText = RegistryName });
        await Expect(registryRow).ToHaveCountAsync(1);
        await Expect(registryRow).ToContainTextAsync($"{Stack.RegistryUrl} (insecure, loopback)");
        await Expect(registryRow).ToContainTextAsync("anonymous");
        // The form is ready for the next registry.
        await Expect(Page.GetByTestId("registry-name")).ToHaveValueAsync("");
        await Expect(Page.GetByTestId("test-result")).ToHaveCountAsync(0);

        // --- Sync, watched live on the Jobs page in a second tab of the same browser.
        var jobs = await Page.Context.NewPageAsync();
        await jobs.GotoAsync("/jobs");
        await jobs.WaitForInteractiveAsync();
        await Expect(jobs.GetByTestId($"job-{SyncJob}")).ToBeVisibleAsync();
        await Expect(jobs.GetByTestId($"job-result-{SyncJob}").Locator(".mud-chip")).ToHaveCountAsync(0);
        await jobs.EvaluateAsync(RecordSyncJobStatus);

        await Page.GetByTestId($"sync-{RegistryName}").ClickAsync();
        await Expect(Page.GetByText($"Incremental sync of {RegistryName} started")).ToBeVisibleAsync();

        var result = jobs.GetByTestId($"job-result-{SyncJob}");
        await Expect(result.Locator(".mud-chip")).ToHaveTextAsync("Succeeded", new LocatorAssertionsToHaveTextOptions { Timeout = 60_000 });
        await Expect(result).ToContainTextAsync($"Incremental sync: {RegistryName}: 3 repositories, 6 tags");
        await Expect(jobs.GetByTestId($"job-progress-{SyncJob}")).ToHaveTextAsync("3 of 3");
        var seenStatus = await jobs.EvaluateAsync<string[]>("() => window.__e2eSyncStatus");
        Output.WriteLine($"Sync job status seen on the Jobs page: {string.Join(" | ", seenStatus)}");
        (await jobs.EvaluateAsync<bool>("() => window.__e2eSamePage === true")).ShouldBeTrue("the Jobs page was never reloaded");
        seenStatus[0].ShouldBe("(none)", "the job had never run before the Sync button");
        seenStatus[^1].ShouldBe("Succeeded");
        await jobs.CloseAsync();

        // The registry row counts what was synced.
        await Page.ReloadInteractiveAsync();
        registryRow = Page.GetByTestId("registries-table").Locator("tbody tr", new LocatorLocatorOptions { HasText = RegistryName });
        await Expect(registryRow.Locator("td[data-label='Repositories']")).ToHaveTextAsync("3");
        await Expect(registryRow.Locator("td[data-label='Tags']")).ToHaveTextAsync("6");

        // --- Images: every seeded image with its tag, all Unclassified, newest first.
        await Page.OpenFromMenuAsync("Images", "Images");
        await Expect(ImageRows()).ToHaveCountAsync(SeededImages.Length);
        await Expect(ImageRows().Locator("td[data-label='Repository'] a"))
            .ToHaveTextAsync(SeededImages.Select(image => image.Repository).ToArray());
        foreach (var (repository, tag, channel) in SeededImages)
        {
            var row = ImageRow(repository, tag);
            await Expect(row).ToHaveCountAsync(1);
            await Expect(row.GetByTestId("image-class")).ToHaveTextAsync("Unclassified");
            await Expect(row.Locator("td[data-label='Repository']")).ToContainTextAsync(RegistryName);
            await Expect(row.Locator("td[data-label='Channel']")).ToHaveTextAsync(channel);
        }

        // All four tags of the notebook image are there, each its own image; search narrows to them.
        await Page.GetByTestId("image-search").FillAsync("jupyterlab");
        await Expect(ImageRows()).ToHaveCountAsync(4);
        await Expect(ImageRows().Locator("td[data-label='Tags'] .mud-chip")).ToHaveTextAsync(["v4-dev", "v3", "v2", "v1"]);

        // --- One image's detail: its labels, its digest as the registry serves it, and no rule yet.
        var v1Digest = await PortalApi.RegistryDigestAsync(Stack, Jupyter, "v1", CancellationToken);
        await ImageRow(Jupyter, "v1").GetByRole(AriaRole.Link, new LocatorGetByRoleOptions { Name = Jupyter }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new PageGetByRoleOptions { Name = Jupyter, Level = 1 })).ToBeVisibleAsync();
        await Expect(Page).ToHaveURLAsync(ImageDetailUrl());
        var v1Url = Page.Url;
        await Expect(Page.GetByTestId("image-digest")).ToHaveTextAsync(v1Digest);
        await Expect(Page.GetByTestId("image-tags").Locator("tbody tr td").First).ToHaveTextAsync("v1");
        var labels = Page.GetByTestId("image-labels");
        await Expect(LabelValue(labels, "deploymenttype")).ToHaveTextAsync("prod");
        await Expect(LabelValue(labels, "org.opencontainers.image.version")).ToHaveTextAsync("v1");
        var classification = Page.GetByTestId("classification");
        await Expect(classification.GetByTestId("image-class")).ToHaveTextAsync("Unclassified");
        await Expect(Page.GetByTestId("classified-by")).ToHaveTextAsync("no rule matched");

        // --- Settings → Classification: the rule's preview shows what it would match before it is saved.
        await Page.OpenFromMenuAsync("Settings", "Settings");
        await Tab("Classification").ClickAsync();
        await Expect(Tab("Classification")).ToHaveAttributeAsync("aria-selected", "true");
        var unclassified = Page.GetByTestId("unclassified");
        await Expect(unclassified.Locator("tbody tr")).ToHaveCountAsync(3);
        var rules = Page.GetByTestId("rules-table");
        await Expect(rules.Locator("tbody tr", new LocatorLocatorOptions { HasText = RuleName })).ToHaveCountAsync(0);
        await Expect(Page.GetByTestId("rule-class")).ToHaveTextAsync("Curated");

        var preview = Page.GetByTestId("rule-preview");
        await Page.GetByTestId("rule-name").PressSequentiallyAsync(RuleName);
        // Typed key by key: the preview follows the pattern as it changes, without saving anything.
        await Page.GetByTestId("rule-glob").PressSequentiallyAsync("platform/*");
        await Expect(preview.Locator("tbody tr")).ToHaveCountAsync(1);
        await Expect(preview.Locator("tbody tr td")).ToHaveTextAsync([RegistryName, Controller, "1", "1.9.0"]);
        await Page.GetByTestId("rule-glob").ClearAsync();
        await Page.GetByTestId("rule-glob").PressSequentiallyAsync(RuleGlob);
        await Expect(preview.Locator("tbody tr")).ToHaveCountAsync(1);
        await Expect(preview.Locator("tbody tr td").Nth(0)).ToHaveTextAsync(RegistryName);
        await Expect(preview.Locator("tbody tr td").Nth(1)).ToHaveTextAsync(Jupyter);
        await Expect(preview.Locator("tbody tr td").Nth(2)).ToHaveTextAsync("4");
        await Expect(preview.Locator("tbody tr td").Nth(3)).ToHaveTextAsync(SomeOfTheTags());
        await Expect(rules.Locator("tbody tr", new LocatorLocatorOptions { HasText = RuleName })).ToHaveCountAsync(0);

        await Page.GetByTestId("rule-save").ClickAsync();
        var ruleRow = rules.Locator("tbody tr", new LocatorLocatorOptions { HasText = RuleName });
        await Expect(ruleRow).ToHaveCountAsync(1);
        await Expect(ruleRow).ToContainTextAsync(RuleGlob);
        await Expect(ruleRow.GetByTestId("image-class")).ToHaveTextAsync("Curated");
        await Expect(ruleRow.Locator("td").Nth(7)).ToHaveTextAsync("4");
        await Expect(Page.GetByTestId("rule-name")).ToHaveValueAsync("");
        await Expect(unclassified.Locator("tbody tr td:nth-child(2)")).ToHaveTextAsync([Controller, AliceImage]);

        // --- Images again: the notebook images are Curated on the jupyterlab-cpu track; the others still Unclassified.
        await Page.OpenFromMenuAsync("Images", "Images");
        await Expect(ImageRows()).ToHaveCountAsync(SeededImages.Length);
        foreach (var (repository, tag, channel) in SeededImages)
        {
            var row = ImageRow(repository, tag);
            var curated = repository == Jupyter;
            await Expect(row.GetByTestId("image-class")).ToHaveTextAsync(curated ? "Curated" : "Unclassified");
            await Expect(row.Locator("td[data-label='Track']")).ToHaveTextAsync(curated ? "jupyterlab-cpu" : "");
            await Expect(row.Locator("td[data-label='Channel']")).ToHaveTextAsync(channel);
        }

        // The export has the same inventory.
        var download = await Page.RunAndWaitForDownloadAsync(() => Page.GetByTestId("export-csv").ClickAsync());
        var csv = await File.ReadAllLinesAsync(await download.PathAsync(), CancellationToken);
        Output.WriteLine($"Exported CSV:\n{string.Join('\n', csv)}");
        csv[0].ShouldBe("Registry,Repository,Tags,Digest,Kind,Class,Track,Channel,Created,SizeBytes");
        csv.Skip(1).Where(line => line.Length > 0).Select(CsvRowSummary).Order(StringComparer.Ordinal).ShouldBe(
            SeededImages
                .Select(i => $"{RegistryName},{i.Repository},{i.Tag},Image,{(i.Repository == Jupyter ? "Curated" : "Unclassified")},"
                    + $"{(i.Repository == Jupyter ? "jupyterlab-cpu" : "")},{i.Channel}")
                .Order(StringComparer.Ordinal),
            "one line per image: registry, repository, tag, kind, class, track and channel");
        csv.ShouldContain(line => line.Contains($",{v1Digest},", StringComparison.Ordinal), "v1's digest, as the registry serves it");

        await Page.GotoAsync(v1Url);
        await Page.WaitForInteractiveAsync();
        await Expect(Page.GetByTestId("classification").GetByTestId("image-class")).ToHaveTextAsync("Curated");
        await Expect(Page.GetByTestId("classified-by")).ToHaveTextAsync($"rule: {RuleName}");

        // --- The dashboard counts images by class.
        await Page.OpenFromMenuAsync("Dashboard", "Dashboard");
        await Expect(Page.GetByTestId("class-count-Curated")).ToHaveTextAsync("4");
        await Expect(Page.GetByTestId("class-count-Unclassified")).ToHaveTextAsync("2");

        // --- The audit trail has the admin's changes.
        await Page.OpenFromMenuAsync("Audit", "Audit");
        await Expect(AuditTests.AuditRow(Page, "registry.added", TestUser.Admin.Email, RegistryName).First).ToBeVisibleAsync();
        await Expect(AuditTests.AuditRow(Page, "classification-rule.added", TestUser.Admin.Email, RuleName).First).ToBeVisibleAsync();

        // --- Accessibility of the inventory pages, with this data on them, in both themes.
        await ExpectNoSeriousAxeViolationsAsync(v1Url);
    }

    /// <summary>
    /// axe on the dashboard (its images-by-class chart), Images, an image's detail and both inventory tabs of Settings,
    /// light then dark; every page is checked before the test fails, listing every problem.
    /// </summary>
    private async Task ExpectNoSeriousAxeViolationsAsync(string imageDetailUrl)
    {
        var problems = new List<string>();
        var checkedPages = 0;
        foreach (var dark in new[] { false, true })
        {
            var theme = dark ? "dark" : "light";
            await Page.UseThemeAsync(dark);
            foreach (var (path, ready) in new (string, Func<Task>)[]
            {
                ("/", async () =>
                {
                    await Expect(Page.GetByTestId("class-count-Curated")).ToHaveTextAsync("4");
                    await Expect(Page.GetByTestId("images-by-class").Locator(".mud-chart svg")).ToBeVisibleAsync();
                }),
                ("/images", async () => await Expect(ImageRows()).ToHaveCountAsync(SeededImages.Length)),
                (imageDetailUrl, async () => await Expect(Page.GetByTestId("image-labels")).ToBeVisibleAsync()),
                ("/settings", async () => await Expect(Page.GetByTestId("registries-table").Locator("tbody tr", new LocatorLocatorOptions { HasText = RegistryName })).ToBeVisibleAsync()),
                ("/settings?tab=classification", async () =>
                {
                    await Expect(Page.GetByTestId("rules-table").Locator("tbody tr", new LocatorLocatorOptions { HasText = RuleName })).ToBeVisibleAsync();
                    // With a preview on screen, as an admin sees the form while writing a rule.
                    await Page.GetByTestId("rule-name").FillAsync("User images");
                    await Page.GetByTestId("rule-glob").FillAsync("users/**");
                    await Expect(Page.GetByTestId("rule-preview").Locator("tbody tr")).ToHaveCountAsync(1);
                }),
            })
            {
                await Page.GotoAsync(path);
                await Page.WaitForInteractiveAsync();
                await Page.ExpectThemeAsync(dark);
                await ready();
                checkedPages++;
                if (await Page.FindSeriousViolationsAsync($"{path} in the {theme} theme", Output) is { } problem)
                {
                    problems.Add(problem);
                }
            }
        }

        await Page.UseThemeAsync(dark: false);
        if (problems.Count > 0)
        {
            Assert.Fail($"axe found serious or critical accessibility violations on {problems.Count} of {checkedPages} inventory pages:"
                + $"\n\n{string.Join("\n", problems)}");
        }
    }

    private ILocator Tab(string name) => Page.GetByRole(AriaRole.Tab, new PageGetByRoleOptions { Name = name, Exact = true });

    /// <summary>The Images grid's data rows (not its loading or "no records" rows).</summary>
    private ILocator ImageRows() =>
        Page.GetByTestId("images-grid").Locator("tbody tr").Filter(new LocatorFilterOptions { Has = Page.Locator("a[href^='images/']") });

    /// <summary>The row of the image <paramref name="repository"/>:<paramref name="tag"/>.</summary>
    private ILocator ImageRow(string repository, string tag) =>
        ImageRows()
            .Filter(new LocatorFilterOptions { Has = Page.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = repository, Exact = true }) })
            .Filter(new LocatorFilterOptions { Has = Page.Locator("td[data-label='Tags'] .mud-chip", new PageLocatorOptions { HasTextRegex = Exactly(tag) }) });

    private static ILocator LabelValue(ILocator labels, string key) =>
        labels.Locator("tr", new LocatorLocatorOptions { Has = labels.Page.Locator("th", new PageLocatorOptions { HasTextRegex = Exactly(key) }) }).Locator("td");

    /// <summary>A CSV line without its digest, created date and size: registry, repository, tags, kind, class, track, channel.</summary>
    private static string CsvRowSummary(string line)
    {
        var fields = line.Split(',');
        fields.Length.ShouldBe(10, $"a plain CSV line (no quoted commas): {line}");
        fields[3].ShouldMatch("^sha256:[0-9a-f]{64}$");
        return string.Join(',', fields[0], fields[1], fields[2], fields[4], fields[5], fields[6], fields[7]);
    }

    private static Regex Exactly(string text) => new("^" + Regex.Escape(text) + "$");

    [GeneratedRegex(@"/images/\d+$")]
    private static partial Regex ImageDetailUrl();

    /// <summary>The preview's sample of tags: a comma-separated list of some of v1, v2, v3 and v4-dev.</summary>
    [GeneratedRegex(@"^(v1|v2|v3|v4-dev)(, (v1|v2|v3|v4-dev))*$")]
    private static partial Regex SomeOfTheTags();
}
