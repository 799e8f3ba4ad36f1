using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Integration.Findings;

/// <summary>The Xray webhook accepts only the shared secret and stores the violations it carries.</summary>
public sealed class XrayWebhookTests
{
    private const string Secret = "webhook-s3cret";
    private const string ImageSha = "1b8289cf21fffacfb70cbb844cd3d8e0610762a599c30378de9eb895329af81a";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Shaped after JFrog's knowledge base example (Fixtures/jfrog-xray/webhook), with a Docker image impacted.
    private static readonly string Payload = $$"""
        {
          "schema_version": "1.1",
          "alert_id": "66fc68dd0f12d302c68891c1",
          "created": "2024-10-01T21:25:49.935220997Z",
          "top_severity": "High",
          "watch_name": "test-watch",
          "policy_name": "test-policy",
          "policy_rule": "test-rule",
          "issues": [
            {
              "issue_id": "XRAY-412345",
              "severity": "High",
              "type": "security",
              "provider": "JFrog",
              "created": "2023-02-08T00:00:00Z",
              "summary": "X.400 address type confusion",
              "description": "d",
              "cves": [ { "cve": "CVE-2023-0286", "cvss_v3": "7.4/CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:H" } ],
              "impacted_artifacts": [
                {
                  "name": "jupyterlab-cpu:v1", "display_name": "aaw/jupyterlab-cpu:v1", "path": "default/docker-local/aaw/jupyterlab-cpu/v1/",
                  "pkg_type": "Docker", "sha256": "{{ImageSha}}", "sha1": "", "depth": 0, "parent_sha": "{{ImageSha}}",
                  "infected_files": [
                    { "name": "openssl:1.1.1n-0+deb11u3", "path": "", "sha256": "{{ImageSha}}", "depth": 2, "parent_sha": "{{ImageSha}}",
                      "display_name": "debian:bullseye:openssl:1.1.1n-0+deb11u3", "pkg_type": "Debian" }
                  ]
                }
              ]
            }
          ]
        }
        """;

    private static HttpRequestMessage Post(string body, Action<HttpRequestMessage>? authenticate)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/webhooks/xray") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        authenticate?.Invoke(request);
        return request;
    }

    private static Action<HttpRequestMessage> Basic(string password) => r =>
        r.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("xray:" + password)));

    [Fact]
    public async Task StoresTheViolationsOfAWebhookCarryingTheSecret()
    {
        await using var factory = PortalAppFactory.WithSettings(new Dictionary<string, string?> { ["Xray:WebhookSecret"] = Secret });
        using var client = factory.CreatePortalClient();

        using var basic = await client.SendAsync(Post(Payload, Basic(Secret)), Ct);
        using var header = await client.SendAsync(Post(Payload, r => r.Headers.Add("X-JFrog-Event-Auth", Secret)), Ct);

        basic.StatusCode.ShouldBe(HttpStatusCode.OK, await basic.Content.ReadAsStringAsync(Ct));
        header.StatusCode.ShouldBe(HttpStatusCode.OK);
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
        var finding = await db.Findings.SingleAsync(Ct);
        (finding.Digest, finding.VulnerabilityId, finding.Sources).ShouldBe(("sha256:" + ImageSha, "CVE-2023-0286", "XrayWebhook"));
        (await db.ScanRecords.CountAsync(r => r.Source == "xray-webhook", Ct)).ShouldBe(2);
    }

    [Fact]
    public async Task RefusesAWrongOrMissingSecretAndStoresNothing()
    {
        await using var factory = PortalAppFactory.WithSettings(new Dictionary<string, string?> { ["Xray:WebhookSecret"] = Secret });
        using var client = factory.CreatePortalClient();

        using var wrong = await client.SendAsync(Post(Payload, Basic("guess")), Ct);
        using var missing = await client.SendAsync(Post(Payload, null), Ct);
        using var malformed = await client.SendAsync(Post(Payload, r => r.Headers.TryAddWithoutValidation("Authorization", "Basic %%%")), Ct);

        wrong.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        missing.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        malformed.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        wrong.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
        (await db.Findings.AnyAsync(Ct)).ShouldBeFalse();
    }

    [Fact]
    public async Task IsSwitchedOffUntilASecretIsConfigured()
    {
        await using var factory = new PortalAppFactory();
        using var client = factory.CreatePortalClient();

        using var response = await client.SendAsync(Post(Payload, Basic("")), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ABodyThatIsNotAWebhookIs400()
    {
        await using var factory = PortalAppFactory.WithSettings(new Dictionary<string, string?> { ["Xray:WebhookSecret"] = Secret });
        using var client = factory.CreatePortalClient();

        using var response = await client.SendAsync(Post("{\"schema_version\": \"1.1\", \"issues\": [", Basic(Secret)), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync(Ct)).ShouldContain("ends too early");
    }
}
