using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Portal.Core.Auditing;
using Portal.Core.Jobs;
using Portal.Data;
using Portal.Features.Jobs;
using Portal.Jobs;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Integration;

/// <summary>"Run now" goes through the real Quartz scheduler, records the run and its progress, and audits who asked.</summary>
public sealed class JobRunTests(PostgresServer postgres)
{
    [Fact]
    public async Task RunNowThroughTheApiRunsTheJobAndRecordsItsResult()
    {
        await using var factory = PortalAppFactory.WithSettings(new Dictionary<string, string?>
        {
            ["Audit:RetentionDays"] = "30",
            ["Audit:PurgeBatchSize"] = "10",
        });
        await SeedOldEntriesAsync(factory, 35);
        using var client = factory.CreatePortalClient();

        using var response = await client.SendAsync(
            TestUser.Admin.Apply(new HttpRequestMessage(HttpMethod.Post, $"/api/v1/jobs/{AuditRetentionJob.Name}/run")),
            TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var run = await factory.WaitForFinishedRunAsync(AuditRetentionJob.Name);
        run.Status.ShouldBe(JobRunStatus.Succeeded, run.Message);
        run.TriggeredBy.ShouldBe("admin@example.org");
        run.ProgressCurrent.ShouldBe(35);
        run.ProgressTotal.ShouldBe(35);
        run.Message.ShouldBe("Purged 35 audit entries older than 30 days.");

        await using var db = await CreateContextAsync(factory);
        var actions = await db.AuditEntries.Select(e => e.Action).ToListAsync(TestContext.Current.CancellationToken);
        actions.ShouldContain(AuditActions.JobTriggered);
        actions.ShouldContain(AuditActions.AuditPurged);
    }

    [Fact]
    public async Task JobsApiListsEachJobWithItsConfiguredScheduleAndNextRun()
    {
        await using var factory = PortalAppFactory.WithSettings(new Dictionary<string, string?> { ["Jobs:Schedules:audit-retention"] = "0 15 3 * * ?" });
        using var client = factory.CreatePortalClient();

        using var response = await client.SendAsync(
            TestUser.Approver.Apply(new HttpRequestMessage(HttpMethod.Get, "/api/v1/jobs")), TestContext.Current.CancellationToken);
        var jobs = await response.Content.ReadFromJsonAsync<List<JobSummary>>(ApiJson.Options, TestContext.Current.CancellationToken);

        jobs.ShouldNotBeNull().Select(j => j.Name).ShouldBe(
            [AuditRetentionJob.Name, InventorySyncJob.Name, WorkloadSyncJob.Name, TrivyOperatorImportJob.Name, VulnerabilityScanJob.Name,
                MalwareScanJob.Name, LifecycleJob.Name, MigrationPathsJob.Name, NotificationDeliveryJob.Name, NotificationsJob.Name, GatewayRescanJob.Name]);
        var job = jobs.Single(j => j.Name == AuditRetentionJob.Name);
        job.Schedule.ShouldBe("0 15 3 * * ?");
        job.NextFireTime.ShouldNotBeNull().UtcDateTime.TimeOfDay.ShouldBe(new TimeSpan(3, 15, 0));
    }

    [Fact]
    public async Task RunOnStartRunsTheJobOnceWhenThePortalStarts()
    {
        await using var factory = PortalAppFactory.WithSettings(new Dictionary<string, string?>
        {
            ["Audit:RetentionDays"] = "30",
            ["Jobs:RunOnStart:0"] = AuditRetentionJob.Name,
        });
        using var client = factory.CreatePortalClient();

        var run = await factory.WaitForFinishedRunAsync(AuditRetentionJob.Name);

        run.Status.ShouldBe(JobRunStatus.Succeeded, run.Message);
        run.TriggeredBy.ShouldBe("schedule", "nobody asked for it: the start trigger did");
    }

    [Fact]
    public async Task UnknownJobIsAProblemNotACrash()
    {
        await using var factory = new PortalAppFactory();
        using var client = factory.CreatePortalClient();

        using var response = await client.SendAsync(
            TestUser.Admin.Apply(new HttpRequestMessage(HttpMethod.Post, "/api/v1/jobs/no-such-job/run")), TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldContain("no-such-job");
    }

    [Fact]
    public async Task ClusteredPostgresJobStoreRunsJobsAndKeepsItsScheduleInTheDatabase()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        await using var factory = PortalAppFactory.WithSettings(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Postgres",
            ["ConnectionStrings:Portal"] = connectionString,
            ["Jobs:Store"] = "Postgres",
        });
        using var client = factory.CreatePortalClient();

        using var response = await client.SendAsync(
            TestUser.Admin.Apply(new HttpRequestMessage(HttpMethod.Post, $"/api/v1/jobs/{AuditRetentionJob.Name}/run")),
            TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await factory.WaitForFinishedRunAsync(AuditRetentionJob.Name)).Status.ShouldBe(JobRunStatus.Succeeded);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM qrtz_triggers WHERE job_name = @job AND trigger_type = 'CRON'", connection);
        command.Parameters.AddWithValue("job", AuditRetentionJob.Name);
        ((long)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!).ShouldBe(1);
    }

    private static async Task SeedOldEntriesAsync(PortalAppFactory factory, int count)
    {
        await using var db = await CreateContextAsync(factory);
        var old = DateTimeOffset.UtcNow.AddDays(-400);
        db.AuditEntries.AddRange(Enumerable.Range(0, count)
            .Select(i => AuditEntry.Create(old.AddMinutes(i), AuditActorKind.Person, $"user{i}@example.org", AuditActions.SignIn)));
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
    }

    private static Task<PortalDbContext> CreateContextAsync(PortalAppFactory factory) =>
        factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(TestContext.Current.CancellationToken);
}
