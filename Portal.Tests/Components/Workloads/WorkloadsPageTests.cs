using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Portal.Components.Pages.Workloads;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Components.Workloads;

/// <summary>The Workloads page lists every cluster's workloads for governance, filtered from controls or a shared link.</summary>
public sealed class WorkloadsPageTests(PostgresServer postgres) : WorkloadComponentContext(postgres)
{
    [Fact]
    public async Task ListsEveryPresentWorkloadWithOwnerControllerImagesAndStatus()
    {
        var ids = await WorkloadSeed.SeedAsync(Database, Ct);
        SignInAs(TestUser.Approver);

        var page = RenderAt<WorkloadsPage>("workloads");

        page.WaitForAssertion(() => Names(page).ShouldBe(
            ["alice-notebook", "cleanup-job", "bob-notebook", "notebook-controller-7d9f", "shared-notebook"]));
        var notebook = Row(page, "alice", "alice-notebook");
        notebook.QuerySelector("[data-testid=workload-owner]")!.TextContent.ShouldBe("alice@example.org");
        notebook.QuerySelector("[data-testid=workload-status]")!.TextContent.Trim().ShouldBe("Running");
        notebook.TextContent.ShouldContain("3 hours ago");
        var images = notebook.QuerySelectorAll("[data-testid=workload-image]");
        images.Select(i => i.QuerySelector("code")!.TextContent).ShouldBe(
            ["127.0.0.1:5082/aaw/jupyterlab-cpu:v1", "docker.io/istio/proxyv2:1.20.0", "docker.io/istio/proxyv2:1.20.0"]);
        images[0].QuerySelector("[data-testid=image-link]")!.GetAttribute("href").ShouldBe($"images/{ids.V1}");
        images[0].QuerySelector("[data-testid=image-class]")!.TextContent.ShouldBe("Curated");
        images[1].QuerySelector("[data-testid=container-type]")!.TextContent.ShouldBe("(init container)");
        images[2].QuerySelector("[data-testid=not-in-inventory]").ShouldNotBeNull();
        images[2].QuerySelector("[data-testid=image-link]").ShouldBeNull();

        var job = Row(page, "alice", "cleanup-job");
        job.TextContent.ShouldContain("Job/cleanup");
        job.QuerySelector("[data-testid=workload-lifetime]")!.TextContent.ShouldBe("Ephemeral");
        job.QuerySelector("[data-testid=image-class]")!.TextContent.ShouldBe("Platform");
        var shared = Row(page, "team-shared", "shared-notebook");
        shared.QuerySelector("[data-testid=workload-owner]")!.TextContent.ShouldBe("carol@example.org");
        shared.QuerySelector("[data-testid=workload-creator]")!.TextContent.ShouldBe("created by alice@example.org",
            "the creator is shown when it is not the namespace owner");
        Row(page, "kubeflow", "notebook-controller-7d9f").QuerySelector("[data-testid=workload-owner]")!.TextContent.ShouldBe("no owner known");
        notebook.QuerySelector("[data-testid=workload-creator]").ShouldBeNull("alice created her own notebook");
    }

    [Fact]
    public async Task DeepLinkFiltersByKindAndNamespaceAndCarriesTheFiltersIntoTheExport()
    {
        await WorkloadSeed.SeedAsync(Database, Ct);
        SignInAs(TestUser.Admin);

        var page = RenderAt<WorkloadsPage>("workloads?kind=notebook&namespace=alice");

        page.WaitForAssertion(() => Names(page).ShouldBe(["alice-notebook"]));
        page.Find("[data-testid=export-csv]").GetAttribute("href").ShouldBe("api/v1/workloads/export?namespace=alice&kind=Notebook");
    }

    [Fact]
    public async Task DeepLinkByKindAloneListsThatKindInEveryNamespace()
    {
        await WorkloadSeed.SeedAsync(Database, Ct);
        SignInAs(TestUser.Admin);

        var page = RenderAt<WorkloadsPage>("workloads?kind=Pod&lifetime=LongLived");

        page.WaitForAssertion(() => Names(page).ShouldBe(["notebook-controller-7d9f"]));
    }

    [Fact]
    public async Task GoneWorkloadsAppearOnlyWhenAskedFor()
    {
        await WorkloadSeed.SeedAsync(Database, Ct);
        SignInAs(TestUser.Admin);

        var page = RenderAt<WorkloadsPage>("workloads?namespace=alice&includeGone=true");

        page.WaitForAssertion(() => Names(page).ShouldBe(["alice-notebook", "cleanup-job", "old-pod"]));
        Row(page, "alice", "old-pod").QuerySelector("[data-testid=workload-gone]")!.TextContent.ShouldBe("gone since 2026-11-02 12:00 UTC");
    }

    [Fact]
    public async Task ALinkFollowedWhileThePageIsOpenAppliesItsFilters()
    {
        await WorkloadSeed.SeedAsync(Database, Ct);
        SignInAs(TestUser.Admin);
        var page = RenderAt<WorkloadsPage>("workloads");
        page.WaitForAssertion(() => Names(page).Count.ShouldBe(5));

        // What the "Used by" table on an image links to.
        Services.GetRequiredService<NavigationManager>().NavigateTo("workloads?search=bob-notebook&namespace=bob");

        page.WaitForAssertion(() => Names(page).ShouldBe(["bob-notebook"]));
        page.Find("[data-testid=workload-search]").GetAttribute("value").ShouldBe("bob-notebook");
    }

    [Fact]
    public async Task SortsOnTheServerByTheColumnClicked()
    {
        await WorkloadSeed.SeedAsync(Database, Ct);
        SignInAs(TestUser.Admin);
        var page = RenderAt<WorkloadsPage>("workloads");
        page.WaitForAssertion(() => Names(page).Count.ShouldBe(5));

        page.FindAll("[data-testid=workloads-grid] th").Single(h => h.TextContent.Contains("Started", StringComparison.Ordinal))
            .QuerySelector(".sortable-column-header")!.Click();

        // Oldest first; a stopped notebook has no start time.
        page.WaitForAssertion(() => Names(page).ShouldBe(
            ["shared-notebook", "notebook-controller-7d9f", "cleanup-job", "alice-notebook", "bob-notebook"]));
    }

    [Fact]
    public async Task SaysWhenNoWorkloadMatchesTheFilters()
    {
        await WorkloadSeed.SeedAsync(Database, Ct);
        SignInAs(TestUser.Admin);

        var page = RenderAt<WorkloadsPage>("workloads?status=Failed");

        page.WaitForAssertion(() => page.Find("[data-testid=no-matches]").TextContent.ShouldBe("No workloads match these filters."));
        page.FindAll("[data-testid=no-snapshot]").ShouldBeEmpty();
    }

    [Fact]
    public void ExplainsHowToGetAClusterSnapshotWhenNoWorkloadIsKnown()
    {
        SignInAs(TestUser.Admin);

        var page = RenderAt<WorkloadsPage>("workloads");

        page.WaitForAssertion(() => page.Find("[data-testid=no-snapshot]"));
        var empty = page.Find("[data-testid=no-snapshot]");
        empty.TextContent.ShouldContain("Kubernetes:Clusters");
        empty.TextContent.ShouldContain("workload-sync");
        empty.QuerySelector("a")!.GetAttribute("href").ShouldBe("jobs");
        page.FindAll("[data-testid=workloads-grid]").ShouldBeEmpty();
    }

    private static List<string> Names(IRenderedComponent<WorkloadsPage> page) =>
        page.FindAll("[data-testid=workloads-grid] tbody tr td:nth-child(2) > span[data-testid]").Select(s => s.TextContent).ToList();

    private static IElement Row(IRenderedComponent<WorkloadsPage> page, string ns, string name) =>
        page.Find($"[data-testid=\"workload-{ns}-{name}\"]").Closest("tr")!;
}
