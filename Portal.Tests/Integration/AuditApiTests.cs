using System.Net;
using System.Net.Http.Json;
using Portal.Api;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Integration;

/// <summary>The audit API pages on the server, says clearly what is wrong with a request, and exports CSV.</summary>
public sealed class AuditApiTests(PortalAppFactory factory) : PortalAppTest(factory)
{
    [Theory]
    [InlineData("take=0", "take")]
    [InlineData("take=501", "take")]
    [InlineData("skip=-1", "skip")]
    [InlineData("from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z", "from")]
    public async Task OutOfRangeParametersGetAProblemNamingTheParameter(string query, string parameter)
    {
        using var response = await GetAsync($"/api/v1/audit?{query}");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldContain($"\"{parameter}\"");
    }

    [Fact]
    public async Task UnparseableDateIsABadRequest()
    {
        using var response = await GetAsync("/api/v1/audit?from=yesterday");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task JobTriggerShowsUpInTheAuditApiAndItsCsvExport()
    {
        using (var run = await SendAsync("POST", "/api/v1/jobs/audit-retention/run", TestUser.Admin))
        {
            run.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        }

        using var page = await GetAsync("/api/v1/audit?action=job.triggered&take=10");
        var body = await page.Content.ReadFromJsonAsync<AuditPageResponse>(ApiJson.Options, TestContext.Current.CancellationToken);
        using var csv = await GetAsync("/api/v1/audit/export?action=job.triggered");
        var text = await csv.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        var entry = body.ShouldNotBeNull().Items.ShouldHaveSingleItem();
        entry.Actor.ShouldBe("admin@example.org");
        entry.Subject.ShouldBe("audit-retention");
        csv.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        csv.Content.Headers.ContentDisposition!.FileName!.Trim('"').ShouldStartWith("audit-");
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].Trim().ShouldBe("Timestamp,ActorKind,Actor,Action,Subject,Before,After,CorrelationId");
        lines.Length.ShouldBe(2);
        lines[1].ShouldContain("admin@example.org,job.triggered,audit-retention");
    }

    private Task<HttpResponseMessage> GetAsync(string path) => SendAsync("GET", path, TestUser.Admin);
}
