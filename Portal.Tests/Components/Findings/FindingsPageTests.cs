using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Components.Pages.Findings;
using Portal.Core.Auditing;
using Portal.Core.Findings;
using Portal.Features.Findings;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Components.Findings;

/// <summary>The Findings page: every finding across images, worst first, filtered from controls or a link, with exceptions applied and listed.</summary>
public sealed class FindingsPageTests(PostgresServer postgres) : FindingComponentContext(postgres)
{
    [Fact]
    public async Task ListsFindingsWorstFirstWithTheirImageAndTheExceptionCoveringThem()
    {
        var ids = await FindingSeed.SeedAsync(Database, Ct);
        await RecordAsync(new ExceptionInput("CVE-2024-9", "users/alice/custom-notebook", null, null, ExceptionState.RiskAccepted, "fix in next build", Now.AddDays(10)));
        SignInAs(TestUser.Approver);

        var page = RenderAt<FindingsPage>("findings");

        page.WaitForAssertion(() => Rows(page).Count.ShouldBe(7));
        Rows(page).Select(r => $"{Text(r, "finding-id")} {Text(r, "severity")} {Text(r, "finding-package")}").ShouldBe(
        [
            "CVE-2024-9 Critical curl",
            "CVE-2024-9 Critical curl",
            "CVE-2023-0286 High openssl",
            "CVE-2023-0286 High openssl",
            "CVE-2023-0286 High openssl",
            "CVE-2019-1 Medium bash",
            "CVE-2022-1 Low zlib",
        ]);
        var custom = Rows(page).Single(r => Text(r, "finding-id") == "CVE-2024-9" && Text(r, "finding-image") == "users/alice/custom-notebook");
        custom.QuerySelector("[data-testid=finding-id]")!.GetAttribute("href").ShouldBe("findings/vulnerabilities/CVE-2024-9");
        custom.QuerySelector("[data-testid=finding-image]")!.GetAttribute("href").ShouldBe($"images/{ids.Custom}");
        custom.QuerySelector("[data-testid=image-class]")!.TextContent.ShouldBe("User");
        Text(custom, "exception").ShouldBe("RiskAccepted until 2026-12-02");
        Text(custom, "finding-fixed").ShouldBe("8.4.0");
        custom.TextContent.ShouldContain("CVSS 9.8");
        Text(custom, "finding-kind").ShouldBe("Vulnerability");
        var platform = Rows(page).Single(r => Text(r, "finding-id") == "CVE-2024-9" && r != custom);
        platform.QuerySelector("[data-testid=finding-image]")!.GetAttribute("href").ShouldBe($"images/{ids.Controller}", "the index, for its amd64 image");
        platform.QuerySelector("[data-testid=exception]").ShouldBeNull("the exception is scoped to the custom notebook");
        var unknown = Rows(page).Single(r => r.TextContent.Contains(FindingSeed.NotInInventory[..19], StringComparison.Ordinal));
        Text(unknown, "finding-image").ShouldBe("not in inventory");
        Rows(page).Single(r => Text(r, "finding-package") == "bash").TextContent.ShouldContain("no fix yet");
        page.Find("[data-testid=export-csv]").GetAttribute("href").ShouldBe("api/v1/findings/export");
    }

    [Fact]
    public async Task DeepLinkFiltersTheGridAndCarriesTheFiltersIntoTheExport()
    {
        await FindingSeed.SeedAsync(Database, Ct);
        await RecordAsync(new ExceptionInput("CVE-2023-0286", "aaw/jupyterlab-cpu", null, null, ExceptionState.NotAffected, "unreachable", Now.AddDays(5)));
        SignInAs(TestUser.Admin);

        var page = RenderAt<FindingsPage>("findings?minimumSeverity=high&excepted=false&class=Curated");

        page.WaitForAssertion(() => page.Find("[data-testid=no-findings]"));
        page.Find("[data-testid=export-csv]").GetAttribute("href").ShouldBe("api/v1/findings/export?minimumSeverity=High&class=Curated&excepted=false");

        // A link followed while the page is open applies its filters too.
        Services.GetRequiredService<NavigationManager>().NavigateTo("findings?search=openssl&excepted=true");
        page.WaitForAssertion(() => Rows(page).Select(r => Text(r, "finding-image")).ShouldBe(["aaw/jupyterlab-cpu"]));
        page.Find("[data-testid=finding-search]").GetAttribute("value").ShouldBe("openssl");
        page.Find("[data-testid=export-csv]").GetAttribute("href").ShouldBe("api/v1/findings/export?search=openssl&excepted=true");
    }

    [Fact]
    public async Task SortsOnTheServerByTheColumnClicked()
    {
        await FindingSeed.SeedAsync(Database, Ct);
        SignInAs(TestUser.Admin);
        var page = RenderAt<FindingsPage>("findings");
        page.WaitForAssertion(() => Rows(page).Count.ShouldBe(7));

        page.FindAll("[data-testid=findings-grid] th").Single(h => h.TextContent.Contains("Package", StringComparison.Ordinal))
            .QuerySelector(".sortable-column-header")!.Click();

        page.WaitForAssertion(() => Rows(page).Select(r => Text(r, "finding-package")).ShouldBe(
            ["bash", "curl", "curl", "openssl", "openssl", "openssl", "zlib"]));
    }

    [Fact]
    public async Task ResolvedFindingsAppearOnlyWhenAskedFor()
    {
        await FindingSeed.SeedAsync(Database, Ct);
        // A newer scan of v1 no longer lists zlib.
        await new FindingIngestion(Database, Clock).IngestAsync(new ScanReport(ReportFormat.Trivy, "trivy", Now,
        [
            new ArtifactFindings(new ScannedArtifact(FindingSeed.V1, null, null, "v1"),
                [new ReportedFinding(FindingKind.Vulnerability, "CVE-2023-0286", "openssl", "3.0.7", "3.0.8", Severity.High, null, null, null, null, null, null)]),
        ]), "api", null, Ct);
        SignInAs(TestUser.Admin);

        var open = RenderAt<FindingsPage>("findings?search=zlib");
        open.WaitForAssertion(() => open.Find("[data-testid=no-findings]"));
        var all = RenderAt<FindingsPage>("findings?search=zlib&includeResolved=true");

        all.WaitForAssertion(() => Text(Rows(all).ShouldHaveSingleItem(), "finding-resolved").ShouldBe("resolved 2026-11-22"));
    }

    [Fact]
    public async Task BeyondTheCountLimitTheTotalIsALowerBoundThatAsksForNarrowerFilters()
    {
        await FindingSeed.SeedAsync(Database, Ct);
        // 60 more open findings, 67 in all, over the limit of 50 a first page counts; 4 of them are High or worse.
        await new FindingIngestion(Database, Clock).IngestAsync(new ScanReport(ReportFormat.Trivy, "trivy", Now,
        [
            new ArtifactFindings(new ScannedArtifact(FindingSeed.Digest('5'), null, null, "many"), Enumerable.Range(1, 60)
                .Select(i => new ReportedFinding(FindingKind.Vulnerability, $"CVE-2030-{i}", $"package-{i}", "1.0", null, Severity.Low, null, null, null, null, null, null))
                .ToList()),
        ]), "api", null, Ct);
        Services.AddSingleton(Options.Create(new FindingsOptions { MaxExceptionDays = 60, CountLimit = 50 }));
        SignInAs(TestUser.Approver);

        var page = RenderAt<FindingsPage>("findings");

        page.WaitForAssertion(() => Rows(page).Count.ShouldBe(50));
        page.Find("[data-testid=findings-count-lower-bound]").TextContent.Trim()
            .ShouldBe("More than 50 findings match; narrow the filters to count them exactly.");
        PagerInfo(page).ShouldBe("1-50 of 50+");

        // Narrower filters are counted exactly.
        Services.GetRequiredService<NavigationManager>().NavigateTo("findings?minimumSeverity=High");
        page.WaitForAssertion(() => Rows(page).Count.ShouldBe(5));
        PagerInfo(page).ShouldBe("1-5 of 5");
        page.FindAll("[data-testid=findings-count-lower-bound]").ShouldBeEmpty();

        // The next page is reachable, and counted on from its own start: exactly, this time.
        Services.GetRequiredService<NavigationManager>().NavigateTo("findings");
        page.WaitForAssertion(() => PagerInfo(page).ShouldBe("1-50 of 50+"));
        page.Find("button[aria-label='Next page']").Click();
        page.WaitForAssertion(() => Rows(page).Count.ShouldBe(17));
        PagerInfo(page).ShouldBe("51-67 of 67");
        page.FindAll("[data-testid=findings-count-lower-bound]").ShouldBeEmpty();
    }

    private static string PagerInfo(IRenderedComponent<FindingsPage> page) =>
        page.FindAll(".mud-table-pagination-caption").Select(c => c.TextContent.Trim()).Single(t => t.Contains(" of ", StringComparison.Ordinal));

    [Fact]
    public async Task TheExceptionsTabListsEveryExceptionWithItsStatus()
    {
        await FindingSeed.SeedAsync(Database, Ct);
        await RecordAsync(new ExceptionInput("CVE-2022-1", null, null, "zlib", ExceptionState.FalsePositive, "zlib is not installed", Now.AddDays(1)));
        Clock.Advance(TimeSpan.FromMinutes(1));
        var revoked = await RecordAsync(new ExceptionInput("CVE-2019-1", null, FindingSeed.Custom, null, ExceptionState.NotAffected, "bash is never run", Now.AddDays(20)));
        await Exceptions.RevokeAsync(revoked, "admin@example.org", Ct);
        Clock.Advance(TimeSpan.FromDays(2));
        await RecordAsync(new ExceptionInput("CVE-2024-9", "users/alice/custom-notebook", null, "curl", ExceptionState.RiskAccepted, "patched Monday", Now.AddDays(30)));
        SignInAs(TestUser.Approver);

        var page = RenderAt<FindingsPage>("findings?tab=exceptions");

        page.WaitForAssertion(() => ExceptionRows(page).Count.ShouldBe(3));
        ExceptionRows(page).Select(r => $"{Text(r, "exception-vulnerability")} | {Text(r, "exception-scope")} | {Text(r, "exception-state")} | {Text(r, "exception-status")}")
            .ShouldBe(
            [
                "CVE-2024-9 | repository users/alice/custom-notebook, package curl | RiskAccepted | Active",
                "CVE-2019-1 | digest sha256:222222222222… | NotAffected | Revoked",
                "CVE-2022-1 | package zlib | FalsePositive | Expired",
            ]);
        ExceptionRows(page)[0].QuerySelector("[data-testid=exception-vulnerability]")!.GetAttribute("href").ShouldBe("findings/vulnerabilities/CVE-2024-9");
        ExceptionRows(page)[1].TextContent.ShouldContain("by admin@example.org");
        page.FindAll("[data-testid^=revoke-exception-]").ShouldBeEmpty("approvers read exceptions; only admins revoke them");
        page.Find("[data-testid=exception-counts]").TextContent.ShouldContain("1 active exception");
    }

    [Fact]
    public async Task AnAdminRevokesAnActiveExceptionAfterConfirmingAndItIsAudited()
    {
        await FindingSeed.SeedAsync(Database, Ct);
        var id = await RecordAsync(new ExceptionInput("CVE-2024-9", null, null, null, ExceptionState.RiskAccepted, "accepted for now", Now.AddDays(30)));
        SignInAs(TestUser.Admin);
        var page = RenderAt<FindingsPage>("findings?tab=exceptions");
        page.WaitForAssertion(() => Text(ExceptionRows(page).ShouldHaveSingleItem(), "exception-status").ShouldBe("Active"));

        // The click's handler waits for the confirmation, so its task completes only after the dialog is answered.
        var revoking = page.Find($"[data-testid=revoke-exception-{id}]").ClickAsync(new());
        DialogHost.WaitForAssertion(() => DialogHost.Markup.ShouldContain("Revoke exception?"));
        DialogHost.Markup.ShouldContain("count as open again");
        DialogHost.FindAll("button").Single(b => b.TextContent.Trim() == "Revoke").Click();
        await revoking;

        page.WaitForAssertion(() => Text(ExceptionRows(page).Single(), "exception-status").ShouldBe("Revoked"));
        page.FindAll($"[data-testid=revoke-exception-{id}]").ShouldBeEmpty();
        var catalog = Services.GetRequiredService<FindingCatalog>();
        (await catalog.SearchAsync(new FindingPageRequest(new FindingFilter(Excepted: true)), Ct)).TotalCount.ShouldBe(0);
        await using var db = Database.CreateDbContext();
        var entry = await db.AuditEntries.SingleAsync(e => e.Action == AuditActions.ExceptionRevoked, Ct);
        (entry.Actor, entry.Subject, entry.After).ShouldBe(("admin@example.org", "CVE-2024-9", "revoked"));
    }

    [Fact]
    public async Task CancellingTheRevocationLeavesTheExceptionActive()
    {
        await FindingSeed.SeedAsync(Database, Ct);
        var id = await RecordAsync(new ExceptionInput("CVE-2024-9", null, null, null, ExceptionState.RiskAccepted, "accepted for now", Now.AddDays(30)));
        SignInAs(TestUser.Admin);
        var page = RenderAt<FindingsPage>("findings?tab=exceptions");
        page.WaitForAssertion(() => page.FindAll($"[data-testid=revoke-exception-{id}]").Count.ShouldBe(1));

        var revoking = page.Find($"[data-testid=revoke-exception-{id}]").ClickAsync(new());
        DialogHost.WaitForAssertion(() => DialogHost.FindAll("button").Any(b => b.TextContent.Trim() == "Cancel").ShouldBeTrue());
        DialogHost.FindAll("button").Single(b => b.TextContent.Trim() == "Cancel").Click();
        await revoking;

        Text(ExceptionRows(page).Single(), "exception-status").ShouldBe("Active");
        await using var db = Database.CreateDbContext();
        (await db.FindingExceptions.SingleAsync(Ct)).RevokedAt.ShouldBeNull();
    }

    private static IReadOnlyList<IElement> Rows(IRenderedComponent<FindingsPage> page) =>
        page.FindAll("[data-testid=findings-grid] tbody tr").Where(r => r.QuerySelector("[data-testid=finding-id]") is not null).ToList();

    private static IReadOnlyList<IElement> ExceptionRows(IRenderedComponent<FindingsPage> page) =>
        page.FindAll("[data-testid=exceptions-table] tbody tr").Where(r => r.QuerySelector("[data-testid=exception-status]") is not null).ToList();

    private static string Text(IElement row, string testId) => row.QuerySelector($"[data-testid={testId}]")!.TextContent.Trim();
}
