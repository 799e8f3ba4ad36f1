using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.ApiKeys;
using Portal.Core.Auditing;
using Portal.Data;
using Portal.Features.ApiKeys;
using Portal.Features.Findings;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Integration.Findings;

/// <summary>POST /api/v1/scan-reports: API keys (missing, invalid, revoked, wrong scope), bad reports, and a real report stored.</summary>
public sealed class ScanReportApiTests(PortalAppFactory factory) : PortalAppTest(factory)
{
    // Tests share one portal (a class fixture): each stores under a digest of its own.
    private static readonly string Digest = "sha256:" + new string('e', 64);
    private static readonly string OtherDigest = "sha256:" + new string('f', 64);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static byte[] Trivy(string file) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "trivy", file));

    private ApiKeyManagement Keys => Factory.Services.GetRequiredService<ApiKeyManagement>();

    private async Task<string> KeyAsync(params string[] scopes)
    {
        var created = await Keys.CreateAsync($"ci-{Guid.NewGuid():N}", scopes, null, "admin@example.org", Ct);
        created.Succeeded.ShouldBeTrue(string.Join(" ", created.Errors));
        return created.PlainKey!;
    }

    private Task<HttpResponseMessage> PostAsync(string query, byte[] body, string? key, bool asHeader = false)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/scan-reports" + query) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (key is not null)
        {
            if (asHeader)
            {
                request.Headers.Add("X-Api-Key", key);
            }
            else
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }
        }

        return Client.SendAsync(request, Ct);
    }

    [Fact]
    public async Task StoresAReportSentWithAKeyAndRecordsWhoSentIt()
    {
        var key = await KeyAsync(ApiKeyScopes.ScanReportsWrite);

        using var response = await PostAsync($"?digest={Digest}", Trivy("debian-stretch.json.golden"), key);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var result = await response.Content.ReadFromJsonAsync<IngestionResult>(ApiJson.Options, Ct);
        result.ShouldNotBeNull().Stored.ShouldHaveSingleItem().Findings.ShouldBe(5);
        await using var db = await Factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
        (await db.Findings.CountAsync(f => f.Digest == Digest, Ct)).ShouldBe(5);
        (await db.ScanRecords.SingleAsync(r => r.Digest == Digest, Ct)).Source.ShouldStartWith("api-key ci-");
        (await db.AuditEntries.AnyAsync(e => e.Action == AuditActions.ApiKeyCreated, Ct)).ShouldBeTrue();
    }

    [Fact]
    public async Task TheKeyMayComeInItsOwnHeader()
    {
        var key = await KeyAsync(ApiKeyScopes.ScanReportsWrite);

        using var response = await PostAsync($"?digest={OtherDigest}&format=Trivy", Trivy("alpine-310.json.golden"), key, asHeader: true);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task WithoutAKeyItIs401WithAProblem()
    {
        using var response = await PostAsync($"?digest={Digest}", Trivy("alpine-310.json.golden"), null);

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        response.Headers.WwwAuthenticate.ToString().ShouldStartWith("Bearer");
    }

    [Fact]
    public async Task AnUnknownOrRevokedKeyIs401()
    {
        var key = await KeyAsync(ApiKeyScopes.ScanReportsWrite);
        var id = (await Keys.ListAsync(Ct)).Single(k => key.StartsWith(k.Prefix, StringComparison.Ordinal)).Id;
        (await Keys.RevokeAsync(id, "admin@example.org", Ct)).ShouldBeTrue();

        using var revoked = await PostAsync($"?digest={OtherDigest}", Trivy("alpine-310.json.golden"), key);
        using var unknown = await PostAsync($"?digest={OtherDigest}", Trivy("alpine-310.json.golden"), "igp_" + new string('x', 43));
        using var garbage = await PostAsync($"?digest={OtherDigest}", Trivy("alpine-310.json.golden"), "' OR 1=1 --");

        revoked.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        unknown.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        garbage.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task AKeyWithoutTheScopeIs403()
    {
        var key = await KeyAsync(ApiKeyScopes.GatewayRead);

        using var response = await PostAsync($"?digest={OtherDigest}", Trivy("alpine-310.json.golden"), key);

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await response.Content.ReadAsStringAsync(Ct)).ShouldContain(ApiKeyScopes.ScanReportsWrite);
    }

    [Theory]
    [InlineData("{\"SchemaVersion\": 2, \"ArtifactName\": \"x\", \"Results\": [", "ends too early")]
    [InlineData("{\"SchemaVersion\": 3, \"ArtifactName\": \"x\", \"Results\": []}", "SchemaVersion 3")]
    [InlineData("{\"SchemaVersion\": 2, \"ArtifactName\": \"x\", \"Results\": [], \"Surprise\": 1}", "Surprise")]
    public async Task ABadReportIs400NamingTheProblemAndStoresNothing(string body, string named)
    {
        var key = await KeyAsync(ApiKeyScopes.ScanReportsWrite);
        var digest = "sha256:" + new string('b', 64);

        using var response = await PostAsync($"?digest={digest}&format=Trivy", System.Text.Encoding.UTF8.GetBytes(body), key);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await response.Content.ReadAsStringAsync(Ct)).ShouldContain(named);
        await using var db = await Factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
        (await db.ScanRecords.AnyAsync(r => r.Digest == digest, Ct)).ShouldBeFalse();
    }

    [Theory]
    [InlineData("?format=Grype", "Unknown report format")]
    // The portal's own malware scans are never taken from a caller: a posted "clean" malware report must not clear findings.
    [InlineData("?format=MalwareScan", "Unknown report format")]
    [InlineData("?format=6", "Unknown report format")]
    [InlineData("?digest=sha256:nothex", "Invalid digest")]
    public async Task BadParametersAre400(string query, string title)
    {
        var key = await KeyAsync(ApiKeyScopes.ScanReportsWrite);

        using var response = await PostAsync(query, Trivy("alpine-310.json.golden"), key);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync(Ct)).ShouldContain(title);
    }

    [Fact]
    public async Task AReportAboutNoKnownImageIs422AndStoresNothing()
    {
        var key = await KeyAsync(ApiKeyScopes.ScanReportsWrite);

        // The golden report names a local tar archive and carries no repository digest.
        using var response = await PostAsync("", Trivy("alpine-310.json.golden"), key);

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await response.Content.ReadAsStringAsync(Ct)).ShouldContain("Nothing was stored");
    }

    [Fact]
    public async Task KeysAreValidatedWhenCreated()
    {
        var created = await Keys.CreateAsync(" ", ["root"], DateTimeOffset.UtcNow.AddDays(-1), "admin@example.org", Ct);

        created.Succeeded.ShouldBeFalse();
        created.Errors.Count.ShouldBe(3);
        created.PlainKey.ShouldBeNull();
    }
}
