using AngleSharp.Dom;
using Bunit;
using Portal.Components.Pages.MyWorkloads;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Components.Workloads;

/// <summary>My workloads shows a person exactly the notebooks and pods of the namespaces they own or contribute to.</summary>
public sealed class MyWorkloadsPageTests(PostgresServer postgres) : WorkloadComponentContext(postgres)
{
    private static readonly TestUser Bob = new("bob", "bob@example.org");
    private static readonly TestUser Dave = new("dave", "dave@example.org");

    [Fact]
    public async Task ShowsOnlyWorkloadsInNamespacesThePersonOwnsOrContributesTo()
    {
        await WorkloadSeed.SeedAsync(Database, Ct);
        SignInAs(TestUser.NotebookUser);

        var page = RenderAt<MyWorkloadsPage>("my-workloads");

        page.WaitForAssertion(() => Workloads(page).ShouldBe(
            ["workload-alice-alice-notebook", "workload-alice-cleanup-job", "workload-team-shared-shared-notebook"]));
        page.Markup.ShouldNotContain("bob-notebook");
        page.Markup.ShouldNotContain("notebook-controller-7d9f");
        page.Markup.ShouldNotContain("old-pod", Case.Sensitive, "gone workloads are history, not something the person runs");
        page.Find("[data-testid=my-email]").TextContent.ShouldBe("alice@example.org");
    }

    [Fact]
    public async Task ContributorSeesTheSharedNamespaceAndWhoSharedIt()
    {
        await WorkloadSeed.SeedAsync(Database, Ct);
        SignInAs(TestUser.NotebookUser);

        var page = RenderAt<MyWorkloadsPage>("my-workloads");

        page.WaitForAssertion(() => page.Find("[data-testid=namespace-team-shared]"));
        var shared = page.Find("[data-testid=namespace-team-shared]");
        shared.QuerySelector("h2")!.TextContent.ShouldBe("team-shared");
        shared.QuerySelector("[data-testid=namespace-owner]")!.TextContent.Trim().ShouldBe("Shared with you by carol@example.org");
        shared.QuerySelector("[data-testid=workload-status]")!.TextContent.Trim().ShouldBe("Stopped");
        page.Find("[data-testid=namespace-alice] [data-testid=namespace-owner]").TextContent.Trim().ShouldBe("You own this namespace");
    }

    [Fact]
    public async Task AnotherPersonSeesOnlyTheirOwnNamespace()
    {
        await WorkloadSeed.SeedAsync(Database, Ct);
        SignInAs(Bob);

        var page = RenderAt<MyWorkloadsPage>("my-workloads");

        page.WaitForAssertion(() => Workloads(page).ShouldBe(["workload-bob-bob-notebook"]));
        page.Markup.ShouldNotContain("alice-notebook");
        page.Markup.ShouldNotContain("shared-notebook");
        page.FindAll("h2").Select(h => h.TextContent).ShouldBe(["bob"]);
    }

    [Fact]
    public async Task EachImageShowsItsInventoryStatusAndShortDigest()
    {
        await WorkloadSeed.SeedAsync(Database, Ct);
        SignInAs(TestUser.NotebookUser);

        var page = RenderAt<MyWorkloadsPage>("my-workloads");

        page.WaitForAssertion(() => page.Find("[data-testid=workload-alice-alice-notebook]"));
        var notebook = page.Find("[data-testid=workload-alice-alice-notebook]");
        notebook.QuerySelector("[data-testid=workload-kind]")!.TextContent.ShouldBe("Notebook");
        notebook.QuerySelector("[data-testid=workload-status]")!.TextContent.Trim().ShouldBe("Running");
        notebook.TextContent.ShouldContain("3 hours ago");
        var main = Image(notebook, "main");
        main.QuerySelector("[data-testid=image-reference]")!.TextContent.ShouldBe("127.0.0.1:5082/aaw/jupyterlab-cpu:v1");
        main.QuerySelector("[data-testid=image-status]")!.GetAttribute("data-status").ShouldBe("in-inventory");
        main.QuerySelector("[data-testid=image-class]")!.TextContent.ShouldBe("Curated");
        main.QuerySelector("[data-testid=image-track]")!.TextContent.ShouldBe("jupyterlab-cpu · Prod");
        main.QuerySelector("[data-testid=image-digest]")!.TextContent.ShouldBe(WorkloadSeed.V1Digest[..19]);
        main.QuerySelector("a").ShouldBeNull("notebook users cannot open the inventory, so nothing links there");
        var sidecar = Image(notebook, "istio-proxy");
        sidecar.QuerySelector("[data-testid=image-status]")!.GetAttribute("data-status").ShouldBe("not-in-inventory");
        sidecar.QuerySelector("[data-testid=not-in-inventory]")!.TextContent.Trim().ShouldBe("Not in inventory");
        sidecar.QuerySelector("[data-testid=image-class]").ShouldBeNull();
        sidecar.TextContent.ShouldContain("not resolved");
        Image(notebook, "istio-init").TextContent.ShouldContain("init container");
    }

    [Fact]
    public async Task NamespaceAndSearchLinksNarrowTheList()
    {
        await WorkloadSeed.SeedAsync(Database, Ct);
        SignInAs(TestUser.NotebookUser);

        var byNamespace = RenderAt<MyWorkloadsPage>("my-workloads?namespace=team-shared");
        byNamespace.WaitForAssertion(() => Workloads(byNamespace).ShouldBe(["workload-team-shared-shared-notebook"]));
        byNamespace.Find("[data-testid=export-csv]").GetAttribute("href").ShouldBe("api/v1/me/workloads/export?namespace=team-shared");

        var bySearch = RenderAt<MyWorkloadsPage>("my-workloads?search=cleanup");
        bySearch.WaitForAssertion(() => Workloads(bySearch).ShouldBe(["workload-alice-cleanup-job"]));
    }

    [Fact]
    public async Task ALinkToSomeoneElsesNamespaceShowsNothingOfIt()
    {
        await WorkloadSeed.SeedAsync(Database, Ct);
        SignInAs(TestUser.NotebookUser);

        var page = RenderAt<MyWorkloadsPage>("my-workloads?namespace=bob");

        page.WaitForAssertion(() => page.Find("[data-testid=no-matches]"));
        Workloads(page).ShouldBeEmpty();
        page.Markup.ShouldNotContain("bob-notebook");
    }

    [Fact]
    public async Task ExplainsWhereWorkloadsComeFromToSomeoneWithoutANamespace()
    {
        await WorkloadSeed.SeedAsync(Database, Ct);
        SignInAs(Dave);

        var page = RenderAt<MyWorkloadsPage>("my-workloads");

        page.WaitForAssertion(() => page.Find("[data-testid=no-namespaces]"));
        var empty = page.Find("[data-testid=no-namespaces]").TextContent;
        empty.ShouldContain("dave@example.org");
        empty.ShouldContain("Kubeflow profile owner or a contributor");
        Workloads(page).ShouldBeEmpty();
    }

    [Fact]
    public async Task ListsANamespaceWithNothingRunningSoThePersonKnowsItIsTheirs()
    {
        await WorkloadSeed.SeedAsync(Database, Ct);
        await using (var db = Database.CreateDbContext())
        {
            db.NamespaceMembers.Add(Portal.Core.Workloads.NamespaceMember.From(WorkloadSeed.Cluster,
                new Portal.Core.Workloads.ObservedNamespaceMember("alice-scratch", "alice@example.org", Portal.Core.Workloads.NamespaceRole.Owner, "Profile alice-scratch")));
            await db.SaveChangesAsync(Ct);
        }

        SignInAs(TestUser.NotebookUser);

        var page = RenderAt<MyWorkloadsPage>("my-workloads");

        page.WaitForAssertion(() => page.Find("[data-testid=namespace-alice-scratch]").TextContent.ShouldContain("No notebooks or pods in this namespace right now."));
        page.FindAll("h2").Select(h => h.TextContent).ShouldBe(["alice", "alice-scratch", "team-shared"]);
    }

    private static List<string?> Workloads(IRenderedComponent<MyWorkloadsPage> page) =>
        page.FindAll("[data-testid^='workload-']")
            .Where(e => e.QuerySelector("h3") is not null)
            .Select(e => e.GetAttribute("data-testid"))
            .ToList();

    private static IElement Image(IElement workload, string container) =>
        workload.QuerySelectorAll("[data-testid=workload-image]").Single(r => r.GetAttribute("data-container") == container);
}
