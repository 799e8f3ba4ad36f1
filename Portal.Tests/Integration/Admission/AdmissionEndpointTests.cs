using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Admission;
using Portal.Core.Inventory;
using Portal.Data;
using Portal.Features.Admission;
using Portal.Tests.Core.Admission;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Integration.Admission;

/// <summary>
/// The webhook as the API server calls it: real pods in AdmissionReview requests over HTTPS to the portal in memory,
/// with curated images enforced and user images warned about.
/// </summary>
public sealed class AdmissionEndpointTests : IAsyncLifetime
{
    private readonly PortalAppFactory _factory = PortalAppFactory.WithSettings(new Dictionary<string, string?>
    {
        ["Notifications:PortalUrl"] = "https://portal.example.org/",
    });

    private AdmissionSeed.Ids _ids = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _ = _factory.Server;
        _ids = await AdmissionSeed.SeedAsync(_factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>(), DateTimeOffset.UtcNow, Ct);
        var policies = _factory.Services.GetRequiredService<AdmissionPolicies>();
        var saved = await policies.SaveAsync(new AdmissionPolicy
        {
            Modes = new Dictionary<ImageClass, AdmissionMode> { [ImageClass.Curated] = AdmissionMode.Enforce, [ImageClass.User] = AdmissionMode.Warn },
            UnknownImages = AdmissionAction.Refuse,
            UnscannedImages = AdmissionAction.Warn,
        }, "admin@example.org", Ct);
        saved.Succeeded.ShouldBeTrue(string.Join(" ", saved.Errors));
        await _factory.Services.GetRequiredService<AdmissionView>().RefreshAsync(Ct);
    }

    public async ValueTask DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task AnExpiredCuratedImageIsRefusedWithItsReasonReplacementAndLinkAndTheRefusalIsRecorded()
    {
        var pod = AdmissionFixtures.Pod("stress2");

        var (status, response) = await PostAsync(AdmissionFixtures.Review(pod, uid: "b1c7e0c2-0000-4000-8000-000000000001"));

        status.ShouldBe(HttpStatusCode.OK);
        response.GetProperty("uid").GetString().ShouldBe("b1c7e0c2-0000-4000-8000-000000000001");
        response.GetProperty("allowed").GetBoolean().ShouldBeFalse();
        response.GetProperty("status").GetProperty("code").GetInt32().ShouldBe(403);
        var eol = DateTimeOffset.UtcNow.AddDays(-16).UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        response.GetProperty("status").GetProperty("message").GetString().ShouldBe(
            $"Image jfusterm/stress:latest is refused: expired on {eol} (CVE-2026-0001 (Critical) in openssl). " +
            $"Approved replacement: docker.io/jfusterm/stress:v2. See https://portal.example.org/images/{_ids.Stress}.");

        var decisions = _factory.Services.GetRequiredService<AdmissionDecisions>();
        await decisions.FlushAsync(Ct);
        var recorded = (await decisions.RecentAsync(AdmissionOutcome.Refused, false, null, 0, 10, Ct)).Items.ShouldHaveSingleItem();
        (recorded.Namespace, recorded.Workload, recorded.Image, recorded.ImageId, recorded.Operation, recorded.PolicyVersion)
            .ShouldBe(("stress-test", "Pod stress2", "jfusterm/stress:latest", (long?)_ids.Stress, "CREATE", 1));
    }

    [Fact]
    public async Task AnInfectedUserImageInWarnModeIsAllowedWithAWarningAndCountedAsWouldRefuse()
    {
        var (_, response) = await PostAsync(AdmissionFixtures.Review(AdmissionFixtures.EtcdPod()));

        response.GetProperty("allowed").GetBoolean().ShouldBeTrue();
        response.TryGetProperty("status", out _).ShouldBeFalse();
        // In full it runs past the API server's 256 characters: the file goes, then the middle of the image reference.
        response.GetProperty("warnings").EnumerateArray().Single().GetString().ShouldBe(
            $"Image quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha25...{AdmissionSeed.EtcdDigest[^52..]} is malware signature Eicar-Signature.UNOFFICIAL found; " +
            "it will be refused when admission is enforced. See https://portal.example.org/images/4.");
        var decisions = _factory.Services.GetRequiredService<AdmissionDecisions>();
        await decisions.FlushAsync(Ct);
        (await decisions.WouldHaveRefusedAsync(DateTimeOffset.UtcNow.AddHours(-1), Ct)).ShouldHaveSingleItem().Namespace.ShouldBe("openshift-etcd");
    }

    [Fact]
    public async Task UnknownImagesAreRefusedAndUnscannedOnesWarnedPerPolicyButKubeSystemIsExempt()
    {
        var (_, unknown) = await PostAsync(AdmissionFixtures.Review(AdmissionFixtures.Pod("stress2").WithImage("jfusterm/stress:nightly")));
        var (_, unscanned) = await PostAsync(AdmissionFixtures.Review(AdmissionFixtures.Pod("stress2").WithImage("jfusterm/stress:unscanned")));
        var (_, exempt) = await PostAsync(AdmissionFixtures.Review(AdmissionFixtures.Pod("coredns-7f5998f4c-5fblt").WithImage("jfusterm/stress:latest")));

        unknown.GetProperty("allowed").GetBoolean().ShouldBeFalse();
        unknown.GetProperty("status").GetProperty("message").GetString()!.ShouldStartWith("Image jfusterm/stress:nightly is refused: the image governance portal does not know it");
        unscanned.GetProperty("allowed").GetBoolean().ShouldBeTrue();
        unscanned.GetProperty("warnings")[0].GetString().ShouldBe($"Image jfusterm/stress:unscanned has not been scanned yet; see https://portal.example.org/images/{_ids.Unscanned}.");
        exempt.GetProperty("allowed").GetBoolean().ShouldBeTrue();
        exempt.TryGetProperty("warnings", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task AReviewThatCannotBeJudgedIsRefusedInReviewFormNeverAllowed()
    {
        var (status, response) = await PostAsync(
            """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-9","kind":{"group":"","version":"v1","kind":"Pod"},"operation":"CREATE","object":{"metadata":{"name":"x"},"spec":{"containers":[{"name":"main"}]}}}}""");

        status.ShouldBe(HttpStatusCode.OK);
        response.GetProperty("uid").GetString().ShouldBe("u-9");
        response.GetProperty("allowed").GetBoolean().ShouldBeFalse();
        response.GetProperty("status").GetProperty("code").GetInt32().ShouldBe(400);
        response.GetProperty("status").GetProperty("message").GetString().ShouldBe("Image governance portal: spec.containers[0] (main) has no image.");
    }

    [Theory]
    [InlineData("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":", "The body is not JSON")]
    [InlineData("{\"apiVersion\":\"v1\",\"kind\":\"Pod\"}", "Expected apiVersion 'admission.k8s.io/v1'")]
    public async Task ABodyThatIsNotAReviewGetsAProblem(string body, string detail)
    {
        using var client = HttpsClient();
        using var response = await client.PostAsync(AdmissionEndpointsPath, new StringContent(body, Encoding.UTF8, "application/json"), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await response.Content.ReadAsStringAsync(Ct)).ShouldContain(detail);
    }

    [Fact]
    public async Task AnOversizedReviewIsRefusedBeforeItIsRead()
    {
        using var client = HttpsClient();
        var body = new string(' ', 3 * 1024 * 1024 + 10);
        using var response = await client.PostAsync(AdmissionEndpointsPath, new StringContent(body, Encoding.UTF8, "application/json"), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task ThePlainHttpEndpointIsNotOfferedWhenTlsIsRequired()
    {
        using var client = _factory.CreatePortalClient();
        using var response = await client.PostAsync(AdmissionEndpointsPath,
            new StringContent(AdmissionFixtures.Review(AdmissionFixtures.Pod("stress2")), Encoding.UTF8, "application/json"), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await response.Content.ReadAsStringAsync(Ct)).ShouldContain("Admission is offered only over HTTPS");
    }

    [Fact]
    public async Task WithoutRequireTlsPlainHttpIsAnswered()
    {
        await using var factory = PortalAppFactory.WithSettings(new Dictionary<string, string?> { ["Admission:RequireTls"] = "false" });
        using var client = factory.CreatePortalClient();
        using var response = await client.PostAsync(AdmissionEndpointsPath,
            new StringContent(AdmissionFixtures.Review(AdmissionFixtures.Pod("stress2")), Encoding.UTF8, "application/json"), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        // An empty inventory, default policy: the unknown image is let through with a warning.
        var review = AdmissionFixtures.Response(await response.Content.ReadAsByteArrayAsync(Ct));
        review.GetProperty("allowed").GetBoolean().ShouldBeTrue();
        review.GetProperty("warnings")[0].GetString()!.ShouldContain("is not in the image governance portal's inventory");
    }

    [Fact]
    public async Task AdminsReadTheRecordedDecisionsAsJsonAndCsv()
    {
        await PostAsync(AdmissionFixtures.Review(AdmissionFixtures.Pod("stress2")));
        await _factory.Services.GetRequiredService<AdmissionDecisions>().FlushAsync(Ct);
        using var client = _factory.CreatePortalClient();

        using var page = await client.SendAsync(TestUser.Admin.Apply(new HttpRequestMessage(HttpMethod.Get, "/api/v1/admission/decisions?outcome=Refused&ns=stress-test")), Ct);
        using var csv = await client.SendAsync(TestUser.Admin.Apply(new HttpRequestMessage(HttpMethod.Get, "/api/v1/admission/decisions/export")), Ct);
        using var badTake = await client.SendAsync(TestUser.Admin.Apply(new HttpRequestMessage(HttpMethod.Get, "/api/v1/admission/decisions?take=0")), Ct);

        var json = JsonDocument.Parse(await page.Content.ReadAsStringAsync(Ct)).RootElement;
        json.GetProperty("totalCount").GetInt32().ShouldBe(1);
        json.GetProperty("items")[0].GetProperty("workload").GetString().ShouldBe("Pod stress2");
        var lines = (await csv.Content.ReadAsStringAsync(Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldStartWith("At,Outcome,WouldRefuse,Namespace,Workload");
        lines[1].ShouldContain(",Refused,True,stress-test,Pod stress2,CREATE,jfusterm/stress:latest,");
        badTake.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    private const string AdmissionEndpointsPath = Portal.Api.AdmissionEndpoints.ValidatePath;

    private HttpClient HttpsClient() =>
        _factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost"), AllowAutoRedirect = false });

    private async Task<(HttpStatusCode Status, JsonElement Response)> PostAsync(string review)
    {
        using var client = HttpsClient();
        using var response = await client.PostAsync(AdmissionEndpointsPath, new StringContent(review, Encoding.UTF8, "application/json"), Ct);
        var body = await response.Content.ReadAsByteArrayAsync(Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, Encoding.UTF8.GetString(body));
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        return (response.StatusCode, AdmissionFixtures.Response(body));
    }
}
