using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Workloads;
using Portal.Data;
using Portal.Features.Workloads;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Integration.Workloads;

/// <summary>The workload API is scoped on the server: a person gets only their namespaces, admins and approvers everything.</summary>
public sealed class WorkloadApiTests(PortalAppFactory factory) : PortalAppTest(factory), IAsyncLifetime
{
    private static readonly TestUser Bob = new("bob", "bob@example.org");

    public async ValueTask InitializeAsync()
    {
        var contexts = Factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using var db = await contexts.CreateDbContextAsync(TestContext.Current.CancellationToken);
        if (await db.Workloads.AnyAsync(TestContext.Current.CancellationToken))
        {
            return;
        }

        var now = DateTimeOffset.UtcNow;
        ObservedWorkload Notebook(string ns, string name) => new(
            WorkloadKind.Notebook, ns, name, null, null, WorkloadLifetime.LongLived, WorkloadStatus.Running, now, null,
            [new ObservedImageUse(name, ContainerType.Container, ContainerImage.Resolve("127.0.0.1:5082/aaw/jupyterlab-cpu:v1", null))]);
        db.Workloads.AddRange(
            Workload.Discover("prod", Notebook("alice", "alice-notebook"), now),
            Workload.Discover("prod", Notebook("bob", "bob-notebook"), now),
            Workload.Discover("prod", Notebook("carol", "carol-notebook"), now));
        db.NamespaceMembers.AddRange(
            NamespaceMember.From("prod", new ObservedNamespaceMember("alice", "alice@example.org", NamespaceRole.Owner, "Profile alice")),
            NamespaceMember.From("prod", new ObservedNamespaceMember("bob", "bob@example.org", NamespaceRole.Owner, "Profile bob")),
            NamespaceMember.From("prod", new ObservedNamespaceMember("carol", "carol@example.org", NamespaceRole.Owner, "Profile carol")),
            NamespaceMember.From("prod", new ObservedNamespaceMember("carol", "bob@example.org", NamespaceRole.Contributor, "RoleBinding x (view)")));
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task MyWorkloadsHoldsOnlyTheCallersNamespaces()
    {
        (await NamesAsync("/api/v1/me/workloads", TestUser.NotebookUser)).ShouldBe(["alice-notebook"]);
        (await NamesAsync("/api/v1/me/workloads", Bob)).ShouldBe(["bob-notebook", "carol-notebook"]);
        (await NamesAsync("/api/v1/me/workloads?namespace=alice", Bob)).ShouldBeEmpty("a filter cannot widen the scope");
        (await NamesAsync("/api/v1/me/workloads?search=alice", Bob)).ShouldBeEmpty();
        (await NamesAsync("/api/v1/me/workloads", TestUser.Admin)).ShouldBeEmpty("admins own no namespace here; they use /api/v1/workloads");
    }

    [Fact]
    public async Task MyWorkloadsExportIsScopedToo()
    {
        using var response = await SendAsync("GET", "/api/v1/me/workloads/export", TestUser.NotebookUser);
        var csv = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        csv.ShouldContain("alice-notebook");
        csv.ShouldNotContain("bob-notebook");
        csv.ShouldNotContain("carol-notebook");
    }

    [Fact]
    public async Task EveryWorkloadIsForAdminsAndApproversOnly()
    {
        using var forbidden = await SendAsync("GET", "/api/v1/workloads", TestUser.NotebookUser);
        using var export = await SendAsync("GET", "/api/v1/workloads/export", TestUser.NotebookUser);

        forbidden.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        export.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await NamesAsync("/api/v1/workloads", TestUser.Admin)).ShouldBe(["alice-notebook", "bob-notebook", "carol-notebook"]);
        (await NamesAsync("/api/v1/workloads?kind=Pod", TestUser.Approver)).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("take=0")]
    [InlineData("take=501")]
    [InlineData("skip=-1")]
    public async Task OutOfRangePagingIsAProblem(string query)
    {
        using var response = await SendAsync("GET", $"/api/v1/me/workloads?{query}", TestUser.NotebookUser);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task EnumsAreWrittenByName()
    {
        using var response = await SendAsync("GET", "/api/v1/me/workloads", TestUser.NotebookUser);
        var json = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        json.ShouldContain("\"kind\":\"Notebook\"");
        json.ShouldContain("\"lifetime\":\"LongLived\"");
        json.ShouldContain("\"containerType\":\"Container\"");
    }

    [Fact]
    public async Task AnUnknownKindIsABadRequest()
    {
        using var response = await SendAsync("GET", "/api/v1/workloads?kind=Deployment", TestUser.Admin);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    private async Task<string[]> NamesAsync(string path, TestUser user)
    {
        using var response = await SendAsync("GET", path, user);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var page = await response.Content.ReadFromJsonAsync<WorkloadPage>(ApiJson.Options, TestContext.Current.CancellationToken);
        return page.ShouldNotBeNull().Items.Select(w => w.Name).Order(StringComparer.Ordinal).ToArray();
    }
}
