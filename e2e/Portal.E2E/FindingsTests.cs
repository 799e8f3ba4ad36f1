using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Portal.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E;

/// <summary>
/// Scan results end to end: an admin creates an API key in Settings (shown once), a pipeline posts a real Trivy report of
/// an image in the test registry with it, and the admin follows a CVE from the Findings grid to its impacted artifacts,
/// records an exception there, sees it applied on that page and in the grid, and revokes it from the Exceptions tab.
/// Whether the inventory holds the image (another test syncs the registry) depends on the order tests run in: the test
/// holds either way, as the findings are tied to the image's digest.
/// </summary>
public sealed partial class FindingsTests(StackFixture stack, ITestOutputHelper output) : PortalTest(stack, output)
{
    private const string Repository = "users/alice/custom-notebook";
    private const string Tag = "latest";

    /// <summary>libidn2-0, Critical, fixed in 2.0.5-1+deb10u1: the report's worst finding.</summary>
    private const string Cve = "CVE-2019-18224";

    [Fact]
    public async Task AdminPostsATrivyReportWithAnApiKeyThenExceptsACveAndSeesItApplied()
    {
        await Page.SignInAsync(Stack, TestUser.Admin);
        await Page.UseThemeAsync(dark: false);

        // --- Settings → API keys: a key for the pipeline, shown once.
        var key = await PortalApi.CreateScanReportKeyAsync(Page);

        // --- The pipeline posts Trivy's report of the image, as the registry serves it.
        var digest = await PortalApi.RegistryDigestAsync(Stack, Repository, Tag, CancellationToken);
        using (var http = new HttpClient { BaseAddress = Stack.PortalUrl })
        {
            using var refused = await PortalApi.PostTrivyReportAsync(Stack, http, "not-a-key", Repository, Tag, digest, CancellationToken);
            refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "a wrong key is refused");

            using var response = await PortalApi.PostTrivyReportAsync(Stack, http, key, Repository, Tag, digest, CancellationToken);
            var body = await response.Content.ReadAsStringAsync(CancellationToken);
            Output.WriteLine($"POST /api/v1/scan-reports: {(int)response.StatusCode} {body}");
            response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
            var stored = JsonNode.Parse(body)!["stored"]!.AsArray().ShouldHaveSingleItem()!;
            stored["digest"]!.GetValue<string>().ShouldBe(digest);
            stored["findings"]!.GetValue<int>().ShouldBe(2);
        }

        var inInventory = await ImageInInventoryAsync(digest);
        Output.WriteLine(inInventory
            ? "The inventory holds the image (the registry was synced earlier in this run)."
            : "The inventory does not hold the image (the registry has not been synced in this run).");

        // --- Findings: the report's findings, worst first, no exception yet.
        await Page.OpenFromMenuAsync("Findings", "Findings");
        // Type only once the page has loaded its first rows: a value typed while it still initializes is reset by it.
        await Expect(FindingRows().First).ToBeVisibleAsync();
        await Page.GetByTestId("finding-search").FillAsync(digest);
        await Expect(Page).ToHaveURLAsync(new Regex("search=sha256%3A"));
        await Expect(FindingRows()).ToHaveCountAsync(2);
        await Expect(FindingRows().GetByTestId("finding-id")).ToHaveTextAsync([Cve, "CVE-2020-8165"]);
        var row = FindingRows().First;
        await Expect(row.GetByTestId("severity")).ToHaveTextAsync("Critical");
        await Expect(row.GetByTestId("finding-package")).ToHaveTextAsync("libidn2-0");
        await Expect(row.GetByTestId("finding-fixed")).ToHaveTextAsync("2.0.5-1+deb10u1");
        await Expect(row.GetByTestId("finding-image")).ToHaveTextAsync(inInventory ? Repository : "not in inventory");
        await Expect(row.GetByTestId("no-exception")).ToBeVisibleAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("search=sha256%3A"));

        // --- Impacted artifacts of the CVE.
        await row.GetByTestId("finding-id").ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new PageGetByRoleOptions { Name = Cve, Level = 1 })).ToBeVisibleAsync();
        await Expect(Page).ToHaveURLAsync(new Regex($"/findings/vulnerabilities/{Cve}$"));
        var image = ImpactedImageRow(digest);
        await Expect(image).ToHaveCountAsync(1);
        await Expect(image.GetByTestId("impacted-image-reference")).ToHaveTextAsync(
            inInventory ? $"{new Uri(Stack.RegistryUrl).Authority}/{Repository}@{digest}" : digest);
        if (inInventory)
        {
            await Expect(image.GetByTestId("impacted-image-tag")).ToHaveTextAsync($"{new Uri(Stack.RegistryUrl).Authority}/{Repository}:{Tag}");
        }

        await Expect(image.GetByTestId("impacted-package")).ToContainTextAsync("libidn2-0");
        await Expect(image.GetByTestId("not-excepted")).ToBeVisibleAsync();
        await Expect(Page.GetByTestId("no-exceptions")).ToHaveTextAsync("No exception has been recorded for this vulnerability.");

        // --- Record an exception: first what is missing is named, then it is recorded for this digest.
        await Page.GetByTestId("record-exception").ClickAsync();
        var dialog = Page.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToContainTextAsync($"Record an exception for {Cve}");
        await Expect(dialog.GetByTestId("exception-vulnerability-id")).ToHaveValueAsync(Cve);
        await dialog.GetByTestId("exception-save").ClickAsync();
        await Expect(dialog.GetByTestId("exception-error")).ToHaveTextAsync(
            ["A justification is required.", "Choose a state: NotAffected, FalsePositive or RiskAccepted."]);
        if (await Page.FindSeriousViolationsAsync($"the Record exception dialog for {Cve}", Output) is { } dialogProblem)
        {
            Assert.Fail(dialogProblem);
        }

        await dialog.GetByTestId("exception-digest").ClickAsync();
        await Page.GetByRole(AriaRole.Option, new PageGetByRoleOptions { Name = digest, Exact = true }).ClickAsync();
        await dialog.GetByRole(AriaRole.Radio, new LocatorGetByRoleOptions { Name = "RiskAccepted" }).CheckAsync();
        await dialog.GetByTestId("exception-justification").FillAsync("libidn2 is not used by the notebook; the rebuilt image ships next week.");
        var expires = await dialog.GetByTestId("exception-expires").InputValueAsync();
        Output.WriteLine($"Default expiry: {expires}");
        expires.ShouldMatch(@"^\d{4}-\d{2}-\d{2}$");
        await dialog.GetByTestId("exception-save").ClickAsync();
        await Expect(dialog).ToHaveCountAsync(0);

        // Applied on the page: the image is covered, the exception is listed as active.
        var excepted = $"RiskAccepted until {expires}";
        await Expect(image.GetByTestId("exception")).ToHaveTextAsync($"excepted: {excepted}");
        var listed = Page.GetByTestId("exceptions-table").Locator("tbody tr");
        await Expect(listed).ToHaveCountAsync(1);
        await Expect(listed.GetByTestId("exception-status")).ToHaveTextAsync("Active");
        await Expect(listed.GetByTestId("exception-scope")).ToHaveTextAsync($"digest {digest[..19]}…");
        await Expect(listed).ToContainTextAsync($"by {TestUser.Admin.Email}");
        // axe measures a fading snackbar's colours half-way; check the page once the confirmation has gone.
        await Expect(Page.Locator(".mud-snackbar")).ToHaveCountAsync(0, new LocatorAssertionsToHaveCountOptions { Timeout = 20_000 });
        if (await Page.FindSeriousViolationsAsync($"impacted artifacts of {Cve} with an exception", Output) is { } pageProblem)
        {
            Assert.Fail(pageProblem);
        }

        // --- And in the Findings grid: the CVE is excepted, the other finding is not; hiding excepted ones leaves one.
        await Page.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = $"Every finding of {Cve}" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new PageGetByRoleOptions { Name = "Findings", Level = 1 })).ToBeVisibleAsync();
        await Expect(FindingRows()).ToHaveCountAsync(1);
        await Expect(FindingRows().GetByTestId("exception")).ToHaveTextAsync(excepted);
        await Page.GotoAsync($"/findings?search={Uri.EscapeDataString(digest)}");
        await Page.WaitForInteractiveAsync();
        await Expect(FindingRows()).ToHaveCountAsync(2);
        await Page.GetByTestId("filter-excepted").ClickAsync();
        await Page.GetByRole(AriaRole.Option, new PageGetByRoleOptions { Name = "Hide excepted", Exact = true }).ClickAsync();
        await Expect(FindingRows().GetByTestId("finding-id")).ToHaveTextAsync(["CVE-2020-8165"]);
        await Expect(Page).ToHaveURLAsync(new Regex("excepted=false"));
        await Expect(Page.GetByTestId("export-csv")).ToHaveAttributeAsync("href", new Regex("^api/v1/findings/export\\?search=sha256%3A[0-9a-f]{64}&excepted=false$"));
        if (await Page.FindSeriousViolationsAsync("/findings with findings and an exception", Output) is { } gridProblem)
        {
            Assert.Fail(gridProblem);
        }

        // --- The Exceptions tab: revoked after confirming, the finding counts as open again.
        await Page.GetByRole(AriaRole.Tab, new PageGetByRoleOptions { Name = "Exceptions", Exact = true }).ClickAsync();
        var exception = Page.GetByTestId("exceptions-table").Locator("tbody tr", new LocatorLocatorOptions { HasText = Cve });
        await Expect(exception.GetByTestId("exception-status")).ToHaveTextAsync("Active");
        await exception.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = $"Revoke the exception for {Cve}" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Dialog)).ToContainTextAsync("Revoke exception?");
        await Page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Revoke", Exact = true }).ClickAsync();
        await Expect(exception.GetByTestId("exception-status")).ToHaveTextAsync("Revoked");
        await Page.GotoAsync($"/{VulnerabilityLink(Cve)}");
        await Page.WaitForInteractiveAsync();
        await Expect(ImpactedImageRow(digest).GetByTestId("not-excepted")).ToBeVisibleAsync();

        // --- The audit trail has both changes.
        await Page.OpenFromMenuAsync("Audit", "Audit");
        await Expect(AuditTests.AuditRow(Page, "exception.recorded", TestUser.Admin.Email, Cve).First).ToBeVisibleAsync();
        await Expect(AuditTests.AuditRow(Page, "exception.revoked", TestUser.Admin.Email, Cve).First).ToBeVisibleAsync();
    }

    private static string VulnerabilityLink(string id) => $"findings/vulnerabilities/{Uri.EscapeDataString(id)}";

    /// <summary>The Findings grid's data rows (not its loading or "no records" rows).</summary>
    private ILocator FindingRows() =>
        Page.GetByTestId("findings-grid").Locator("tbody tr").Filter(new LocatorFilterOptions { Has = Page.GetByTestId("finding-id") });

    private ILocator ImpactedImageRow(string digest) =>
        Page.GetByTestId("impacted-images-table").Locator("tbody tr")
            .Filter(new LocatorFilterOptions { Has = Page.GetByTestId("impacted-image-reference").Filter(new LocatorFilterOptions { HasText = digest }) });

    /// <summary>Whether the portal's inventory holds the digest, asked through the API the Images page uses.</summary>
    private async Task<bool> ImageInInventoryAsync(string digest)
    {
        var response = await Page.APIRequest.GetAsync($"/api/v1/images?search={Uri.EscapeDataString(digest)}");
        response.Ok.ShouldBeTrue(await response.TextAsync());
        return JsonNode.Parse(await response.TextAsync())!["totalCount"]!.GetValue<int>() > 0;
    }
}
