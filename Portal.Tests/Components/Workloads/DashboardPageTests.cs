using Bunit;
using Portal.Components.Pages.Dashboard;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Components.Workloads;

/// <summary>The dashboard counts the inventory's images that workloads run, and the workloads running them, per class.</summary>
public sealed class DashboardPageTests(PostgresServer postgres) : WorkloadComponentContext(postgres)
{
    [Fact]
    public async Task ShowsImagesInUseAndTheirWorkloadsPerClass()
    {
        await WorkloadSeed.SeedAsync(Database, Ct);
        SignInAs(TestUser.NotebookUser);

        var page = RenderAt<DashboardPage>("");

        page.WaitForAssertion(() => page.Find("[data-testid=images-in-use]"));
        Count(page, "in-use-images-Curated").ShouldBe("1", "v1 runs; v2 does not");
        Count(page, "in-use-workloads-Curated").ShouldBe("2", "two present notebooks run v1; the gone pod does not count");
        Count(page, "in-use-images-Platform").ShouldBe("1");
        Count(page, "in-use-workloads-Platform").ShouldBe("2");
        Count(page, "in-use-images-User").ShouldBe("0");
        Count(page, "in-use-images-Unclassified").ShouldBe("0");
        page.FindAll("[data-testid=images-in-use] .mud-chart").ShouldNotBeEmpty();
        page.FindAll("[data-testid=nothing-in-use]").ShouldBeEmpty();
    }

    [Fact]
    public void SaysNothingIsInUseBeforeAnyWorkloadRunsAnInventoryImage()
    {
        SignInAs(TestUser.Admin);

        var page = RenderAt<DashboardPage>("");

        page.WaitForAssertion(() => page.Find("[data-testid=nothing-in-use]"));
        Count(page, "in-use-images-Curated").ShouldBe("0");
        Count(page, "in-use-workloads-Curated").ShouldBe("0");
        page.FindAll("[data-testid=images-in-use] .mud-chart").ShouldBeEmpty();
    }

    private static string Count(IRenderedComponent<DashboardPage> page, string testId) =>
        page.Find($"[data-testid={testId}]").TextContent.Trim();
}
