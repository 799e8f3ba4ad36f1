using System.Text.RegularExpressions;
using Bunit;
using Portal.Components.Pages.Images;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Components.Workloads;

/// <summary>An image's page says which workloads run it and who owns them.</summary>
public sealed class ImageDetailPageTests(PostgresServer postgres) : WorkloadComponentContext(postgres)
{
    [Fact]
    public async Task UsedByListsPresentWorkloadsWithTheirOwnersAndLinksToThem()
    {
        var ids = await WorkloadSeed.SeedAsync(Database, Ct);
        SignInAs(TestUser.Approver);

        var page = RenderAt<ImageDetailPage>($"images/{ids.V1}", p => p.Add(c => c.Id, ids.V1));

        page.WaitForAssertion(() => page.Find("[data-testid=image-users-table]"));
        var rows = page.FindAll("[data-testid=image-users-table] tbody tr");
        rows.Select(r => r.GetAttribute("data-testid")).ShouldBe(
            ["image-user-alice-alice-notebook", "image-user-team-shared-shared-notebook"], "the gone pod is not a user");
        var notebook = rows[0].QuerySelectorAll("td").Select(c => c.TextContent.Trim()).ToList();
        notebook.ShouldBe(["alice", "alice-notebook", "Notebook", "Long-lived", "Running", "main", "alice@example.org"]);
        rows[0].QuerySelector("a")!.GetAttribute("href").ShouldBe("workloads?search=alice-notebook&namespace=alice");
        rows[1].TextContent.ShouldContain("carol@example.org");
        rows[1].TextContent.ShouldContain("Stopped");
        Regex.Replace(page.Find("[data-testid=image-users]").TextContent, @"\s+", " ").ShouldContain("2 workloads in 2 namespaces.");
    }

    [Fact]
    public async Task UsedBySaysSoWhenNoWorkloadRunsTheImage()
    {
        var ids = await WorkloadSeed.SeedAsync(Database, Ct);
        SignInAs(TestUser.Approver);

        var page = RenderAt<ImageDetailPage>($"images/{ids.V2}", p => p.Add(c => c.Id, ids.V2));

        page.WaitForAssertion(() => page.Find("[data-testid=no-users]").TextContent.ShouldBe("No running or stopped workload uses this image."));
        page.FindAll("[data-testid=image-users-table]").ShouldBeEmpty();
    }
}
