using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Integration;

/// <summary>
/// Walks the portal's pages and API as anonymous, as a notebook user, as an approver and as an admin, and checks
/// that the server (not only the menu) lets in exactly the right people.
/// </summary>
public sealed class EndpointAuthorizationTests(PortalAppFactory factory) : PortalAppTest(factory)
{
    public enum Access
    {
        Everyone,
        Governance,
        Admin,
    }

    public static TheoryData<string, string, Access> Endpoints => new()
    {
        { "GET", "/", Access.Everyone },
        { "GET", "/my-workloads", Access.Everyone },
        { "GET", "/my/notifications", Access.Everyone },
        { "GET", "/notifications/log", Access.Admin },
        { "GET", "/images", Access.Governance },
        { "GET", "/workloads", Access.Governance },
        { "GET", "/findings", Access.Governance },
        { "GET", "/plan", Access.Governance },
        { "GET", "/holds", Access.Governance },
        { "GET", "/migrations", Access.Governance },
        { "GET", "/admission", Access.Governance },
        { "GET", "/jobs", Access.Governance },
        { "GET", "/audit", Access.Governance },
        { "GET", "/gateway", Access.Admin },
        { "GET", "/settings", Access.Admin },
        { "GET", "/access-denied", Access.Everyone },
        { "GET", "/api/v1/me", Access.Everyone },
        { "GET", "/api/v1/audit", Access.Governance },
        { "GET", "/api/v1/audit/export", Access.Governance },
        { "GET", "/api/v1/jobs", Access.Governance },
        { "GET", "/api/v1/images", Access.Governance },
        { "GET", "/api/v1/images/export", Access.Governance },
        { "GET", "/api/v1/images/1/users", Access.Governance },
        { "GET", "/api/v1/workloads", Access.Governance },
        { "GET", "/api/v1/workloads/export", Access.Governance },
        { "GET", "/api/v1/me/workloads", Access.Everyone },
        { "GET", "/api/v1/me/workloads/export", Access.Everyone },
        { "GET", "/api/v1/findings", Access.Governance },
        { "GET", "/api/v1/findings/export", Access.Governance },
        { "GET", "/api/v1/vulnerabilities/CVE-2023-0286/impacted", Access.Governance },
        { "GET", "/api/v1/exceptions", Access.Governance },
        { "GET", "/api/v1/lifecycle/policy", Access.Governance },
        { "GET", "/api/v1/lifecycle/policy/history", Access.Governance },
        { "GET", "/api/v1/holds", Access.Governance },
        { "GET", "/api/v1/plan", Access.Governance },
        { "GET", "/api/v1/plan/actions", Access.Governance },
        { "GET", "/api/v1/plan/difference", Access.Governance },
        { "POST", "/api/v1/plan/execute", Access.Admin },
        { "GET", "/api/v1/images/1/lifecycle", Access.Governance },
        { "GET", "/api/v1/extension-requests", Access.Everyone },
        { "GET", "/api/v1/migration-paths", Access.Governance },
        { "POST", "/api/v1/migration-paths/refresh", Access.Admin },
        { "GET", "/api/v1/notifications", Access.Admin },
        { "GET", "/api/v1/notifications/export", Access.Admin },
        { "GET", "/api/v1/me/notifications", Access.Everyone },
        { "GET", "/api/v1/admission/decisions", Access.Governance },
        { "GET", "/api/v1/admission/decisions/export", Access.Governance },
        { "GET", "/api/v1/admission/would-refuse", Access.Governance },
        { "POST", "/api/v1/jobs/audit-retention/run", Access.Admin },
        { "GET", "/api/v1/gateway/content/export", Access.Admin },
        { "GET", "/api/v1/gateway/remotes", Access.Admin },
        { "GET", "/api/v1/gateway/queue", Access.Admin },
        { "GET", "/openapi/v1.json", Access.Admin },
        { "GET", "/scalar/v1", Access.Admin },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task AnonymousCallerIsSentToSignInOrRefused(string method, string path, Access access)
    {
        _ = access;
        using var response = await SendAsync(method, path, TestUser.Anonymous);

        if (IsApi(path))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }
        else
        {
            response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
            response.Headers.Location!.GetLeftPart(UriPartial.Path).ShouldBe(PortalAppFactory.ProviderAuthorizeEndpoint);
        }
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task NotebookUserReachesOnlyWhatEveryoneMay(string method, string path, Access access) =>
        await AssertAccessAsync(method, path, TestUser.NotebookUser, allowed: access == Access.Everyone);

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task ApproverReachesGovernanceButNotAdminEndpoints(string method, string path, Access access) =>
        await AssertAccessAsync(method, path, TestUser.Approver, allowed: access != Access.Admin);

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task AdminReachesEverything(string method, string path, Access access)
    {
        _ = access;
        await AssertAccessAsync(method, path, TestUser.Admin, allowed: true);
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task HealthEndpointsAnswerWithoutSignIn(string path)
    {
        using var response = await SendAsync("GET", path, TestUser.Anonymous);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldBe("Healthy");
    }

    [Fact]
    public async Task SignedOutPageIsTheOnlyPageOpenToAnonymousCallers()
    {
        using var response = await SendAsync("GET", "/signed-out", TestUser.Anonymous);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldContain("You are signed out");
    }

    [Fact]
    public async Task SignInEndpointChallengesTheProviderAndKeepsOnlyLocalReturnUrls()
    {
        using var response = await SendAsync("GET", "/signin?returnUrl=https%3A%2F%2Fevil.example%2F", TestUser.Anonymous);

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.GetLeftPart(UriPartial.Path).ShouldBe(PortalAppFactory.ProviderAuthorizeEndpoint);
    }

    [Fact]
    public async Task SignOutWithoutAntiforgeryTokenIsRefused()
    {
        using var response = await SendAsync("POST", "/signout", TestUser.Admin);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    /// <summary>
    /// Every endpoint the portal maps either demands a signed-in caller or is on this short, deliberate list.
    /// A new endpoint that forgets authorization fails here.
    /// </summary>
    [Fact]
    public void EveryEndpointRequiresSignInUnlessDeliberatelyOpen()
    {
        // /api/v1/scan-reports and the Xray webhook: machines authenticate with an API key or the webhook's shared secret,
        // checked by the endpoints (ScanReportApiTests, XrayWebhookTests). The admission webhook is called by the Kubernetes API
        // server, which cannot sign in: it answers only over HTTPS when TLS is required (AdmissionEndpointTests). Gateway
        // uploads need an API key with the gateway:upload scope; gateway reads (/content/{remote}/{**path}, left out below
        // with the static assets) are anonymous or need a key per remote (ContentGatewayTests). Registries deliver their events
        // with an API key with the registry-events:write scope (RegistryEventSyncTests).
        string[] open = ["/health/live", "/health/ready", "/signin", "/signed-out", "/error", "/api/v1/scan-reports", "/api/v1/webhooks/xray",
            "/api/v1/admission/validate", "/api/v1/content/{remote}/upload", "/api/v1/registries/{id:int}/events"];
        var endpoints = Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();

        var anonymous = endpoints
            .Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is not null)
            .Select(e => "/" + e.RoutePattern.RawText?.TrimStart('/'))
            .Where(route => !IsStaticAsset(route))
            .Distinct()
            .Order()
            .ToList();

        anonymous.ShouldBe(open.Order().ToList(), ignoreOrder: true);
    }

    private static bool IsStaticAsset(string route) =>
        route.Contains('.', StringComparison.Ordinal) || route.StartsWith("/_content", StringComparison.Ordinal)
        || route.StartsWith("/_framework", StringComparison.Ordinal) || route.Contains("{**path", StringComparison.Ordinal);

    private async Task AssertAccessAsync(string method, string path, TestUser user, bool allowed)
    {
        using var response = await SendAsync(method, path, user);
        if (allowed)
        {
            var body = response.IsSuccessStatusCode ? "" : await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            ((int)response.StatusCode).ShouldBeInRange(200, 299, $"{user} should reach {method} {path}: {body}");
        }
        else if (IsApi(path))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.Forbidden, $"{user} must be refused {method} {path}");
        }
        else
        {
            response.StatusCode.ShouldBe(HttpStatusCode.Redirect, $"{user} must be sent away from {path}");
            response.Headers.Location!.AbsolutePath.ShouldBe("/access-denied");
        }
    }

    private static bool IsApi(string path) =>
        path.StartsWith("/api/", StringComparison.Ordinal) || path.StartsWith("/openapi/", StringComparison.Ordinal);
}
