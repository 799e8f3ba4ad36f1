using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Api;
using Portal.Core.Inventory;
using Portal.Core.Lifecycle;
using Portal.Data;
using Portal.Features.Lifecycle;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Integration.Lifecycle;

/// <summary>Who may do what with policies and holds through the API, and what bad input gets.</summary>
public sealed class LifecycleApiTests(PortalAppFactory factory) : PortalAppTest(factory)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OnlyAdminsEditThePolicyAndAStaleOrInvalidEditIsRefused()
    {
        var current = await (await SendAsync("GET", "/api/v1/lifecycle/policy", TestUser.Approver)).Content.ReadFromJsonAsync<LifecyclePolicy>(ApiJson.Options, Ct);

        using var byApprover = await PutPolicyAsync(current! with { MaxHoldDays = 30 }, TestUser.Approver);
        using var invalid = await PutPolicyAsync(current! with { MaxHoldDays = 0 }, TestUser.Admin);
        using var saved = await PutPolicyAsync(current! with { MaxHoldDays = 30 }, TestUser.Admin);
        using var stale = await PutPolicyAsync(current! with { MaxHoldDays = 60 }, TestUser.Admin);

        byApprover.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        invalid.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        invalid.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await invalid.Content.ReadAsStringAsync(Ct)).ShouldContain("Holds may last between 1 and 365 days, not 0.");
        saved.StatusCode.ShouldBe(HttpStatusCode.OK);
        stale.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await Factory.Services.GetRequiredService<LifecyclePolicies>().CurrentAsync(Ct)).MaxHoldDays.ShouldBe(30);
    }

    [Fact]
    public async Task ApproversPlaceAndLiftHoldsUsersCannotAndBadHoldsNameTheirProblem()
    {
        var repositoryId = await RepositoryAsync();
        var until = DateTimeOffset.UtcNow.AddDays(7);

        using var byUser = await PostAsync("/api/v1/holds", new HoldInput(HoldSubjectKind.Repository, repositoryId, HoldScope.Both, "exams", until), TestUser.NotebookUser);
        using var noReason = await PostAsync("/api/v1/holds", new HoldInput(HoldSubjectKind.Repository, repositoryId, HoldScope.Both, "", until), TestUser.Approver);
        using var placed = await PostAsync("/api/v1/holds", new HoldInput(HoldSubjectKind.Repository, repositoryId, HoldScope.Both, "exams", until), TestUser.Approver);
        var hold = await placed.Content.ReadFromJsonAsync<HoldResult>(ApiJson.Options, Ct);
        using var liftedByUser = await SendAsync("POST", $"/api/v1/holds/{hold!.Id}/lift", TestUser.NotebookUser);
        using var lifted = await SendAsync("POST", $"/api/v1/holds/{hold.Id}/lift", TestUser.Approver);
        using var unknown = await SendAsync("POST", "/api/v1/holds/999999/lift", TestUser.Approver);

        byUser.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        noReason.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await noReason.Content.ReadAsStringAsync(Ct)).ShouldContain("A hold needs a reason.");
        placed.StatusCode.ShouldBe(HttpStatusCode.Created);
        liftedByUser.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        lifted.StatusCode.ShouldBe(HttpStatusCode.OK);
        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        await using var db = await Factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
        (await db.Holds.SingleAsync(h => h.Id == hold.Id, Ct)).LiftedBy.ShouldBe(TestUser.Approver.SignInName);
    }

    [Fact]
    public async Task ThePlanSaysWhichPolicyVersionItFollowed()
    {
        using var response = await SendAsync("GET", "/api/v1/plan", TestUser.Approver);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var plan = await response.Content.ReadFromJsonAsync<PlanView>(ApiJson.Options, Ct);
        plan!.PolicyVersion.ShouldBe((await Factory.Services.GetRequiredService<LifecyclePolicies>().CurrentAsync(Ct)).Version);
    }

    private async Task<int> RepositoryAsync()
    {
        await using var db = await Factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
        var registry = ImageRegistry.Create($"hold-test-{Guid.NewGuid():N}", new Uri("http://127.0.0.1:5999"), null, null, null, true, 1, DateTimeOffset.UtcNow);
        db.Registries.Add(registry);
        await db.SaveChangesAsync(Ct);
        var repository = ImageRepository.Discover(registry.Id, "team/held", DateTimeOffset.UtcNow);
        db.Repositories.Add(repository);
        await db.SaveChangesAsync(Ct);
        return repository.Id;
    }

    private Task<HttpResponseMessage> PutPolicyAsync(LifecyclePolicy policy, TestUser user) =>
        Client.SendAsync(user.Apply(new HttpRequestMessage(HttpMethod.Put, "/api/v1/lifecycle/policy")
        {
            Content = JsonContent.Create(policy, options: ApiJson.Options),
        }), Ct);

    private Task<HttpResponseMessage> PostAsync<T>(string path, T body, TestUser user) =>
        Client.SendAsync(user.Apply(new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body, options: ApiJson.Options) }), Ct);
}
