using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Api;
using Portal.Core.Inventory;
using Portal.Core.Lifecycle;
using Portal.Core.Workloads;
using Portal.Data;
using Portal.Features.Lifecycle;
using Portal.Security;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Integration.Lifecycle;

/// <summary>Who may set EOL dates and ask for, withdraw or decide extensions through the API, and what bad input gets.</summary>
public sealed class LifecycleRequestApiTests(PortalAppFactory factory) : PortalAppTest(factory)
{
    private static readonly TestUser Bob = new("bob", "bob@example.org");

    // Alice, the notebook user, with the approver role: she owns the notebook, so she is not a second person.
    private static readonly TestUser AliceApproving = new("alice approving", "alice@example.org", PortalRoles.Approver);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OnlyAdminsSetOrClearAnEolAndABadDateNamesItsProblemAndStoresNothing()
    {
        var (imageId, _) = await SeedAsync();
        var eol = new ManualEolInput(DateTimeOffset.UtcNow.AddDays(20), "vendor support ends");

        using var byApprover = await SendAsync(HttpMethod.Put, $"/api/v1/images/{imageId}/eol", eol, TestUser.Approver);
        using var bad = await SendAsync(HttpMethod.Put, $"/api/v1/images/{imageId}/eol", new ManualEolInput(DateTimeOffset.UtcNow.AddDays(-1), ""), TestUser.Admin);
        using var unknown = await SendAsync(HttpMethod.Put, "/api/v1/images/999999/eol", eol, TestUser.Admin);
        (await ManualEolAsync(imageId)).ShouldBeNull();
        using var set = await SendAsync(HttpMethod.Put, $"/api/v1/images/{imageId}/eol", eol, TestUser.Admin);
        using var lifecycle = await SendAsync("GET", $"/api/v1/images/{imageId}/lifecycle", TestUser.Approver);
        using var clearedByApprover = await SendAsync("DELETE", $"/api/v1/images/{imageId}/eol", TestUser.Approver);
        using var cleared = await SendAsync("DELETE", $"/api/v1/images/{imageId}/eol", TestUser.Admin);
        using var clearedAgain = await SendAsync("DELETE", $"/api/v1/images/{imageId}/eol", TestUser.Admin);

        byApprover.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        bad.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await bad.Content.ReadAsStringAsync(Ct);
        problem.ShouldContain("An EOL date set by hand lies in the future");
        problem.ShouldContain("Say why the image reaches its EOL then; owners are told.");
        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        unknown.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        set.StatusCode.ShouldBe(HttpStatusCode.OK);
        lifecycle.StatusCode.ShouldBe(HttpStatusCode.OK);
        var view = await lifecycle.Content.ReadFromJsonAsync<LifecycleRead>(ApiJson.Options, Ct);
        view!.Lifecycle!.State.ShouldBe(LifecycleState.Vulnerable);
        view.Lifecycle.ManualEolBy.ShouldBe(TestUser.Admin.SignInName);
        view.ManualEol!.Reason.ShouldBe("vendor support ends");
        clearedByApprover.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        cleared.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        clearedAgain.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await ManualEolAsync(imageId)).ShouldBeNull();
    }

    [Fact]
    public async Task TheOwnerAsksAndWithdrawsApproversDecideAndNobodyElseDoes()
    {
        var (imageId, workloadId) = await SeedAsync();
        using (var set = await SendAsync(HttpMethod.Put, $"/api/v1/images/{imageId}/eol",
                   new ManualEolInput(DateTimeOffset.UtcNow.AddDays(5), "vendor support ends"), TestUser.Admin))
        {
            set.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        var wanted = new ExtensionInput(workloadId, imageId, "thesis due", DateTimeOffset.UtcNow.AddDays(30));
        using var byApprover = await SendAsync(HttpMethod.Post, "/api/v1/extension-requests", wanted, TestUser.Approver);
        using var byBob = await SendAsync(HttpMethod.Post, "/api/v1/extension-requests", wanted, Bob);
        using var noReason = await SendAsync(HttpMethod.Post, "/api/v1/extension-requests", wanted with { Reason = "" }, TestUser.NotebookUser);
        (await RequestsAsync(workloadId)).ShouldBeEmpty();
        using var asked = await SendAsync(HttpMethod.Post, "/api/v1/extension-requests", wanted, TestUser.NotebookUser);
        var id = (await asked.Content.ReadFromJsonAsync<LifecycleChangeResult>(ApiJson.Options, Ct))!.Id;

        byApprover.StatusCode.ShouldBe(HttpStatusCode.Forbidden, "approvers decide requests; only the namespace's owner asks");
        (await byBob.Content.ReadAsStringAsync(Ct)).ShouldContain("Only an owner of namespace");
        byBob.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        noReason.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        noReason.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await noReason.Content.ReadAsStringAsync(Ct)).ShouldContain("Say why the notebook needs the image for longer.");
        asked.StatusCode.ShouldBe(HttpStatusCode.Created);
        asked.Headers.Location!.ToString().ShouldBe($"/api/v1/extension-requests/{id}");

        (await ListAsync(TestUser.NotebookUser)).ShouldContain(r => r.Id == id && r.Status == ExtensionStatus.Pending);
        (await ListAsync(Bob)).ShouldNotContain(r => r.Id == id, "others see only their own requests");
        (await ListAsync(TestUser.Approver)).ShouldContain(r => r.Id == id);

        using var grantedByUser = await SendAsync(HttpMethod.Post, $"/api/v1/extension-requests/{id}/grant", new ExtensionGrant(null, null), TestUser.NotebookUser);
        using var selfGranted = await SendAsync(HttpMethod.Post, $"/api/v1/extension-requests/{id}/grant", new ExtensionGrant(null, null), AliceApproving);
        using var withdrawnByApprover = await SendAsync("POST", $"/api/v1/extension-requests/{id}/withdraw", TestUser.Approver);
        using var refusedWithoutNote = await SendAsync(HttpMethod.Post, $"/api/v1/extension-requests/{id}/refuse", new ExtensionRefusal(null), TestUser.Approver);
        using var unknown = await SendAsync(HttpMethod.Post, "/api/v1/extension-requests/999999/grant", new ExtensionGrant(null, null), TestUser.Approver);
        using var granted = await SendAsync(HttpMethod.Post, $"/api/v1/extension-requests/{id}/grant",
            new ExtensionGrant(DateTimeOffset.UtcNow.AddDays(14), "two weeks"), TestUser.Approver);

        grantedByUser.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        selfGranted.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await selfGranted.Content.ReadAsStringAsync(Ct)).ShouldContain("Two-person rule");
        withdrawnByApprover.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        refusedWithoutNote.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        granted.StatusCode.ShouldBe(HttpStatusCode.OK);
        var stored = (await RequestsAsync(workloadId)).ShouldHaveSingleItem();
        stored.Status.ShouldBe(ExtensionStatus.Granted);
        stored.DecidedBy.ShouldBe(TestUser.Approver.SignInName);
        stored.DecisionNote.ShouldBe("two weeks");

        using var withdrawnLate = await SendAsync("POST", $"/api/v1/extension-requests/{id}/withdraw", TestUser.NotebookUser);
        withdrawnLate.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await withdrawnLate.Content.ReadAsStringAsync(Ct)).ShouldContain("The request was already granted.");
    }

    private sealed record LifecycleRead(ImageLifecycle? Lifecycle, ManualEolRead? ManualEol);

    private sealed record ManualEolRead(DateTimeOffset Eol, string Reason, string SetBy);

    private sealed record RequestRead(long Id, ExtensionStatus Status, string Workload, string RequestedBy);

    private async Task<List<RequestRead>> ListAsync(TestUser user)
    {
        using var response = await SendAsync("GET", "/api/v1/extension-requests", user);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<List<RequestRead>>(ApiJson.Options, Ct))!;
    }

    private async Task<ManualEol?> ManualEolAsync(long imageId)
    {
        await using var db = await Factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
        return await db.ManualEols.SingleOrDefaultAsync(e => e.ImageId == imageId, Ct);
    }

    private async Task<List<ExtensionRequest>> RequestsAsync(long workloadId)
    {
        await using var db = await Factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
        return await db.ExtensionRequests.Where(r => r.WorkloadId == workloadId).ToListAsync(Ct);
    }

    // An image and a notebook running it in a namespace of its own that alice (the notebook user) owns.
    private async Task<(long ImageId, long WorkloadId)> SeedAsync()
    {
        var now = DateTimeOffset.UtcNow;
        var unique = Guid.NewGuid().ToString("N");
        await using var db = await Factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
        var registry = ImageRegistry.Create($"eol-test-{unique}", new Uri("http://127.0.0.1:5999"), null, null, null, true, 1, now);
        db.Registries.Add(registry);
        await db.SaveChangesAsync(Ct);
        var repository = ImageRepository.Discover(registry.Id, $"team/eol-{unique}", now);
        db.Repositories.Add(repository);
        await db.SaveChangesAsync(Ct);
        var digest = "sha256:" + unique + unique;
        var image = ImageManifest.Discover(repository.Id, digest, "application/vnd.oci.image.manifest.v1+json", ImageKind.Image, "linux/amd64",
            now.AddDays(-10), 1_000, new Dictionary<string, string>(), [], now);
        db.Images.Add(image);
        await db.SaveChangesAsync(Ct);
        var ns = $"alice-{unique[..12]}";
        var reference = $"127.0.0.1:5999/team/eol-{unique}:v1";
        var workload = Workload.Discover("prod", new ObservedWorkload(WorkloadKind.Notebook, ns, "notebook", null, null, WorkloadLifetime.LongLived,
            WorkloadStatus.Running, now.AddHours(-1), "alice@example.org",
            [new ObservedImageUse("main", ContainerType.Container, ContainerImage.Resolve(reference, $"127.0.0.1:5999/team/eol-{unique}@{digest}"))]), now);
        workload.Images[0].LinkTo(image.Id);
        db.Workloads.Add(workload);
        db.NamespaceMembers.Add(NamespaceMember.From("prod", new ObservedNamespaceMember(ns, "alice@example.org", NamespaceRole.Owner, $"Profile {ns}")));
        await db.SaveChangesAsync(Ct);
        return (image.Id, workload.Id);
    }
}
