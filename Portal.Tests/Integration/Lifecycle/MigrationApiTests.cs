using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Api;
using Portal.Core.Lifecycle;
using Portal.Data;
using Portal.Features.Migrations;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Integration.Lifecycle;

/// <summary>Who may approve and revoke migration paths and choose for a notebook through the API, and what bad input gets.</summary>
public sealed class MigrationApiTests(PortalAppFactory factory) : PortalAppTest(factory)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OnlyAdminsApproveOrRevokeAndARevocationNeedsAReason()
    {
        var id = await ProposeAsync();

        using var byApprover = await SendAsync(HttpMethod.Post, $"/api/v1/migration-paths/{id}/approve", new { }, TestUser.Approver);
        using var unknown = await SendAsync(HttpMethod.Post, "/api/v1/migration-paths/999999/approve", new { }, TestUser.Admin);
        using var approved = await SendAsync(HttpMethod.Post, $"/api/v1/migration-paths/{id}/approve", new { }, TestUser.Admin);
        using var read = await SendAsync("GET", $"/api/v1/migration-paths/{id}", TestUser.Approver);
        using var noReason = await SendAsync(HttpMethod.Post, $"/api/v1/migration-paths/{id}/revoke", new MigrationRevocation(""), TestUser.Admin);
        var stateAfterBadRevoke = await StateAsync(id);
        using var revoked = await SendAsync(HttpMethod.Post, $"/api/v1/migration-paths/{id}/revoke", new MigrationRevocation("superseded by v3"), TestUser.Admin);

        byApprover.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        unknown.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        approved.StatusCode.ShouldBe(HttpStatusCode.OK);
        read.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await read.Content.ReadAsStringAsync(Ct)).ShouldContain("\"state\":\"Approved\"");
        noReason.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        noReason.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await noReason.Content.ReadAsStringAsync(Ct)).ShouldContain("Say why the path is revoked");
        stateAfterBadRevoke.ShouldBe(MigrationPathState.Approved, "nothing stored");
        revoked.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await StateAsync(id)).ShouldBe(MigrationPathState.Revoked);
    }

    [Fact]
    public async Task AChoiceForAWorkloadThatDoesNotExistOrIsNotOwnedIsRefused()
    {
        using var unknown = await SendAsync(HttpMethod.Post, "/api/v1/me/migration-choices", new MigrationChoiceInput(999_999, 1, true), TestUser.NotebookUser);
        using var malformed = await SendAsync(HttpMethod.Post, "/api/v1/me/migration-choices", new { workloadId = "x" }, TestUser.NotebookUser);

        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        unknown.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        malformed.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    private async Task<long> ProposeAsync()
    {
        await using var db = await Factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
        var path = MigrationPath.Propose(1, "team/base:1@sha256:aaaa", 2, "team/base:2@sha256:bbbb", "newest clean release", DateTimeOffset.UtcNow);
        db.MigrationPaths.Add(path);
        await db.SaveChangesAsync(Ct);
        return path.Id;
    }

    private async Task<MigrationPathState> StateAsync(long id)
    {
        await using var db = await Factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
        return await db.MigrationPaths.Where(p => p.Id == id).Select(p => p.State).SingleAsync(Ct);
    }
}
