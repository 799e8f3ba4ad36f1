using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Gateway;
using Portal.Data;
using Portal.Tests.Components.Gateway;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Integration.Gateway;

/// <summary>The Gateway page's CSV export over HTTP: admins only, filtered like the page, bad verdicts are problem+json.</summary>
public sealed class GatewayContentApiTests(PortalAppFactory factory) : PortalAppTest(factory), IAsyncLifetime
{
    private const string RemoteName = "api-test-export";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        using var scope = Factory.Services.CreateScope();
        var contexts = scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using var db = await contexts.CreateDbContextAsync(Ct);
        if (await db.Remotes.AnyAsync(r => r.Name == RemoteName, Ct))
        {
            return;
        }

        var remote = Remote.Create(GatewaySeed.ToolsDefinition with { Name = RemoteName }, "admin@example.org", GatewaySeed.Now);
        db.Remotes.Add(remote);
        await db.SaveChangesAsync(Ct);
        db.ContentArtifacts.AddRange(
            GatewaySeed.Artifact(remote.Id, "releases/tool-1.0.zip", new string('1', 64), 10, kept: false, ContentSource.Sync, GatewaySeed.Now),
            GatewaySeed.Artifact(remote.Id, "@evil.zip", new string('2', 64), 20, kept: false, ContentSource.Upload, GatewaySeed.Now.AddMinutes(1)));
        await db.SaveChangesAsync(Ct);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task AdminsExportTheFilteredContentAsCsv()
    {
        using var export = await SendAsync("GET", $"/api/v1/gateway/content/export?remote={RemoteName}&verdict=notscanned&path=.zip", TestUser.Admin);
        using var byApprover = await SendAsync("GET", $"/api/v1/gateway/content/export?remote={RemoteName}", TestUser.Approver);

        export.StatusCode.ShouldBe(HttpStatusCode.OK);
        export.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        export.Content.Headers.ContentDisposition!.FileName!.ShouldStartWith("gateway-content-");
        var lines = (await export.Content.ReadAsStringAsync(Ct)).TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        lines.ShouldBe([
            "Remote,Path,Sha256,Size,Kept,Verdict,Signature,Engine,DefinitionsVersion,ScannedAt,FetchedAt,Source",
            $"{RemoteName},'@evil.zip,{new string('2', 64)},20,no,NotScanned,,,,,2026-11-23T09:01:00.0000000+00:00,Upload",
            $"{RemoteName},releases/tool-1.0.zip,{new string('1', 64)},10,no,NotScanned,,,,,2026-11-23T09:00:00.0000000+00:00,Sync",
        ]);
        byApprover.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData("Dirty")]
    [InlineData("1")]
    public async Task AVerdictThatDoesNotExistIsAProblemNamingTheVerdicts(string verdict)
    {
        using var response = await SendAsync("GET", $"/api/v1/gateway/content/export?verdict={verdict}", TestUser.Admin);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        problem.GetProperty("errors").GetProperty("verdict")[0].GetString()
            .ShouldBe($"'{verdict}' is not a verdict. Use one of: Clean, Infected, ScanFailed, NotScanned.");
    }
}
