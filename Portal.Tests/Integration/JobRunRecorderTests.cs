using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Portal.Core.Jobs;
using Portal.Features.Jobs;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Integration;

public sealed class JobRunRecorderTests(PostgresServer postgres)
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 22, 2, 30, 0, TimeSpan.Zero));

    [Fact]
    public async Task SavesProgressAtMostFourTimesASecondButAlwaysTheLastStep()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite, postgres);
        var notifier = new JobRunNotifier();
        var published = new List<JobRunView>();
        notifier.Changed += published.Add;
        var recorder = new JobRunRecorder(database, notifier, _clock);
        var ct = TestContext.Current.CancellationToken;

        var run = await recorder.StartAsync("audit-retention", "admin@example.org", ct);
        await run.ReportAsync(1, 3, ct);
        await run.ReportAsync(2, 3, ct);
        _clock.Advance(TimeSpan.FromSeconds(1));
        await run.ReportAsync(3, 3, ct);
        await run.SucceedAsync("done");

        published.Select(p => (p.Status, p.ProgressCurrent)).ShouldBe(
        [
            (JobRunStatus.Running, 0L),
            (JobRunStatus.Running, 1L),
            (JobRunStatus.Running, 3L),
            (JobRunStatus.Succeeded, 3L),
        ]);
        await using var db = database.CreateDbContext();
        var stored = await db.JobRuns.SingleAsync(ct);
        stored.Status.ShouldBe(JobRunStatus.Succeeded);
        stored.Duration.ShouldBe(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task RunsLeftRunningByAStoppedPortalAreEndedAsFailed()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite, postgres);
        var recorder = new JobRunRecorder(database, new JobRunNotifier(), _clock);
        var ct = TestContext.Current.CancellationToken;
        await recorder.StartAsync("audit-retention", "schedule", ct);
        var finished = await recorder.StartAsync("audit-retention", "schedule", ct);
        await finished.SucceedAsync("done");

        var ended = await recorder.FailInterruptedRunsAsync(ct);

        ended.ShouldBe(1);
        await using var db = database.CreateDbContext();
        var statuses = await db.JobRuns.Select(r => r.Status).ToListAsync(ct);
        statuses.ShouldBe([JobRunStatus.Failed, JobRunStatus.Succeeded], ignoreOrder: true);
        (await db.JobRuns.SingleAsync(r => r.Status == JobRunStatus.Failed, ct)).Message.ShouldStartWith("Interrupted");
    }
}
