using AngleSharp.Dom;
using Bunit;
using Portal.Components.Pages.Images;
using Portal.Core.Findings;
using Portal.Core.Inventory;
using Portal.Features.Findings;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Components.Findings;

/// <summary>An image's page lists its open findings worst first, with the exceptions covering them shown and not counted.</summary>
public sealed class ImageFindingsTests(PostgresServer postgres) : FindingComponentContext(postgres)
{
    [Fact]
    public async Task ListsTheImagesOpenFindingsWorstFirstWithExceptionsShownAndNotCounted()
    {
        var ids = await FindingSeed.SeedAsync(Database, Ct);
        await RecordAsync(new ExceptionInput("CVE-2024-9", "users/alice/custom-notebook", null, "curl", ExceptionState.RiskAccepted, "build-time only", Now.AddDays(9)));
        SignInAs(TestUser.Approver);

        var page = RenderAt<ImageDetailPage>($"images/{ids.Custom}", p => p.Add(c => c.Id, ids.Custom));

        page.WaitForAssertion(() => Rows(page).Count.ShouldBe(3));
        Rows(page).Select(r => $"{Text(r, "finding-id")} {Text(r, "severity")} {Text(r, "finding-package")}").ShouldBe(
            ["CVE-2024-9 Critical curl", "CVE-2023-0286 High openssl", "CVE-2019-1 Medium bash"]);
        Text(Rows(page)[0], "exception").ShouldBe("RiskAccepted until 2026-12-01");
        Text(Rows(page)[1], "no-exception").ShouldBe("—");
        Rows(page)[0].QuerySelector("[data-testid=finding-id]")!.GetAttribute("href").ShouldBe("findings/vulnerabilities/CVE-2024-9");
        Count(page, "Critical").ShouldBe("0 Critical", "the only Critical is excepted");
        Count(page, "High").ShouldBe("1 High");
        Count(page, "Medium").ShouldBe("1 Medium");
        Count(page, "Low").ShouldBe("0 Low");
        page.Find("[data-testid=image-findings-excepted]").TextContent.Trim().ShouldBe("1 excepted");
        page.Find("[data-testid=image-scan]").TextContent.Trim().ShouldBe("Last scan report: 2026-11-20 12:00 UTC, Trivy (trivy 0.50.0), from api.");
        page.Find("[data-testid=image-findings-link]").GetAttribute("href").ShouldBe($"findings?search={Uri.EscapeDataString(FindingSeed.Custom)}");
        page.FindAll("[data-testid=image-findings-grid] th").Select(h => h.TextContent.Trim()).ShouldNotContain("Platform image");
    }

    [Fact]
    public async Task AnIndexShowsTheFindingsOfItsPlatformImages()
    {
        var ids = await FindingSeed.SeedAsync(Database, Ct);
        SignInAs(TestUser.Approver);

        var page = RenderAt<ImageDetailPage>($"images/{ids.Controller}", p => p.Add(c => c.Id, ids.Controller));

        page.WaitForAssertion(() => Rows(page).ShouldHaveSingleItem());
        Text(Rows(page)[0], "finding-package").ShouldBe("curl");
        Rows(page)[0].TextContent.ShouldContain(FindingSeed.ControllerAmd64[..19]);
        page.FindAll("[data-testid=image-findings-grid] th").Select(h => h.TextContent.Trim()).ShouldContain("Platform image");
        Count(page, "Critical").ShouldBe("1 Critical");
    }

    [Fact]
    public async Task SaysWhenNoScanReportWasEverReceived()
    {
        await FindingSeed.SeedAsync(Database, Ct);
        long id;
        await using (var db = Database.CreateDbContext())
        {
            var repository = db.Repositories.Single(r => r.Name == "aaw/jupyterlab-cpu");
            var v2 = ImageManifest.Discover(repository.Id, FindingSeed.Digest('3'), "application/vnd.oci.image.manifest.v1+json", ImageKind.Image, null, Now, 1,
                new Dictionary<string, string>(), [], Now);
            db.Images.Add(v2);
            await db.SaveChangesAsync(Ct);
            id = v2.Id;
        }

        SignInAs(TestUser.Approver);

        var page = RenderAt<ImageDetailPage>($"images/{id}", p => p.Add(c => c.Id, id));

        page.WaitForAssertion(() => page.Find("[data-testid=image-scan]").TextContent.Trim()
            .ShouldBe("No scan report has been received for this image, so nothing is known about its vulnerabilities."));
        page.Find("[data-testid=no-image-findings]").TextContent.Trim().ShouldBe("No findings.");
        page.FindAll("[data-testid=image-findings-grid]").ShouldBeEmpty();
    }

    private static IReadOnlyList<IElement> Rows(IRenderedComponent<ImageDetailPage> page) =>
        page.FindAll("[data-testid=image-findings-grid] tbody tr").Where(r => r.QuerySelector("[data-testid=finding-id]") is not null).ToList();

    private static string Count(IRenderedComponent<ImageDetailPage> page, string severity) =>
        page.Find($"[data-testid=image-findings-{severity}]").TextContent.Trim();

    private static string Text(IElement row, string testId) => row.QuerySelector($"[data-testid={testId}]")!.TextContent.Trim();
}
