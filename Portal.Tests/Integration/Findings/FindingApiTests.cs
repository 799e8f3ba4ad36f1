using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Findings;
using Portal.Features.Findings;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Integration.Findings;

/// <summary>The findings API: admins record and revoke exceptions, and the findings list shows them applied.</summary>
public sealed class FindingApiTests(PortalAppFactory factory) : PortalAppTest(factory)
{
    private static readonly string Digest = "sha256:" + new string('9', 64);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ScanReport Report => new(ReportFormat.Trivy, "trivy", DateTimeOffset.UtcNow,
    [
        new ArtifactFindings(new ScannedArtifact(Digest, null, null, "image"),
        [
            new ReportedFinding(FindingKind.Vulnerability, "CVE-2099-0001", "openssl", "1.0", "1.1", Severity.Critical, 9.8, null, "fixed", null, null, null),
            new ReportedFinding(FindingKind.Vulnerability, "CVE-2099-0002", "=cmd|' /C calc'!A0", "1.0", null, Severity.Low, null, null, "affected", null, null, null),
        ]),
    ]);

    private async Task IngestAsync() =>
        await Factory.Services.GetRequiredService<FindingIngestion>().IngestAsync(Report, "test", null, Ct);

    private async Task<FindingPage> FindingsAsync(string query)
    {
        using var response = await SendAsync("GET", "/api/v1/findings?" + query, TestUser.Approver);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<FindingPage>(ApiJson.Options, Ct))!;
    }

    [Fact]
    public async Task AnExceptionRecordedByAnAdminIsAppliedAndCanBeRevoked()
    {
        await IngestAsync();
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/exceptions")
        {
            Content = JsonContent.Create(new ExceptionInput("CVE-2099-0001", null, Digest, null, ExceptionState.RiskAccepted,
                "patched in the next image", DateTimeOffset.UtcNow.AddDays(14)), options: ApiJson.Options),
        };

        using var created = await Client.SendAsync(TestUser.Admin.Apply(request), Ct);
        var applied = await FindingsAsync("search=CVE-2099-0001");
        var result = await created.Content.ReadFromJsonAsync<ExceptionResult>(ApiJson.Options, Ct);
        using var revoked = await SendAsync("POST", $"/api/v1/exceptions/{result!.Id}/revoke", TestUser.Admin);
        using var again = await SendAsync("POST", $"/api/v1/exceptions/{result.Id}/revoke", TestUser.Admin);
        var after = await FindingsAsync("search=CVE-2099-0001");

        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        applied.Items.ShouldHaveSingleItem().Exception.ShouldBe(ExceptionState.RiskAccepted);
        revoked.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        again.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        after.Items.ShouldHaveSingleItem().Exception.ShouldBeNull();
    }

    [Fact]
    public async Task TheListSaysWhenItsTotalIsALowerBound()
    {
        await using var factory = PortalAppFactory.WithSettings(new Dictionary<string, string?> { ["Findings:CountLimit"] = "1" });
        await factory.Services.GetRequiredService<FindingIngestion>().IngestAsync(Report, "test", null, Ct);
        using var client = factory.CreatePortalClient();

        async Task<JsonNode> ListAsync(string query)
        {
            using var response = await client.SendAsync(TestUser.Approver.Apply(new HttpRequestMessage(HttpMethod.Get, "/api/v1/findings?" + query)), Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            return JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        }

        var both = await ListAsync("take=1");
        var one = await ListAsync("search=CVE-2099-0001");
        using var export = await client.SendAsync(TestUser.Approver.Apply(new HttpRequestMessage(HttpMethod.Get, "/api/v1/findings/export")), Ct);

        (both["totalCount"]!.GetValue<int>(), both["totalIsLowerBound"]!.GetValue<bool>()).ShouldBe((2, true), "1 counted, and one more");
        both["items"]!.AsArray().Count.ShouldBe(1);
        (one["totalCount"]!.GetValue<int>(), one["totalIsLowerBound"]!.GetValue<bool>()).ShouldBe((1, false));
        (await export.Content.ReadAsStringAsync(Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(3, "the header and both findings");
    }

    [Fact]
    public async Task AnInvalidExceptionIsAProblemNamingEachFault()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/exceptions")
        {
            Content = JsonContent.Create(new ExceptionInput("", null, null, null, ExceptionState.NotAffected, "", DateTimeOffset.UtcNow.AddYears(5)),
                options: ApiJson.Options),
        };

        using var response = await Client.SendAsync(TestUser.Admin.Apply(request), Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        body.ShouldContain("A vulnerability id is required.");
        body.ShouldContain("A justification is required.");
        body.ShouldContain("at most 90 days");
    }

    [Fact]
    public async Task OnlyAdminsRecordExceptions()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/exceptions")
        {
            Content = JsonContent.Create(new ExceptionInput("CVE-1", null, null, null, ExceptionState.NotAffected, "x", DateTimeOffset.UtcNow.AddDays(1)),
                options: ApiJson.Options),
        };

        using var response = await Client.SendAsync(TestUser.Approver.Apply(request), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task TheCsvExportIsSafeForSpreadsheets()
    {
        await IngestAsync();

        using var response = await SendAsync("GET", "/api/v1/findings/export?search=CVE-2099-0002", TestUser.Approver);
        var csv = await response.Content.ReadAsStringAsync(Ct);

        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        csv.ShouldContain("'=cmd", Case.Sensitive, "a formula is neutralised");
    }
}
