using Microsoft.EntityFrameworkCore;
using Portal.Core.Jobs;
using Portal.Data;

namespace Portal.Features.Jobs;

/// <summary>Keeps the job run history: one row per run, progress written as it goes, the result at the end.</summary>
public sealed class JobRunRecorder(IDbContextFactory<PortalDbContext> contexts, JobRunNotifier notifier, TimeProvider clock)
{
    internal TimeProvider Clock => clock;

    // Progress is saved at most this often so a job with many small steps does not spend its time writing rows.
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);

    public async Task<RecordedJobRun> StartAsync(string jobName, string triggeredBy, CancellationToken cancellationToken)
    {
        var run = JobRun.Start(Guid.NewGuid(), jobName, triggeredBy, clock.GetUtcNow());
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            db.JobRuns.Add(run);
            await db.SaveChangesAsync(cancellationToken);
        }

        notifier.Publish(JobRunView.From(run));
        return new RecordedJobRun(this, run);
    }

    /// <summary>
    /// Runs left "Running" by a process that stopped mid-job would show as running forever. With the in-memory store
    /// no other process can be running them, so they are ended as failed when the portal starts.
    /// </summary>
    public async Task<int> FailInterruptedRunsAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var interrupted = await db.JobRuns.Where(r => r.Status == JobRunStatus.Running).ToListAsync(cancellationToken);
        foreach (var run in interrupted)
        {
            run.Fail(clock.GetUtcNow(), "Interrupted: the portal stopped while this run was in progress.");
        }

        await db.SaveChangesAsync(cancellationToken);
        return interrupted.Count;
    }

    internal async Task SaveAsync(JobRun run, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.JobRuns.Attach(run);
        db.Entry(run).State = EntityState.Modified;
        await db.SaveChangesAsync(cancellationToken);
        notifier.Publish(JobRunView.From(run));
    }

    /// <summary>A run in progress: the job reports through it and ends it exactly once.</summary>
    public sealed class RecordedJobRun(JobRunRecorder recorder, JobRun run) : IJobProgress
    {
        private DateTimeOffset _lastSaved = DateTimeOffset.MinValue;

        public JobRun Run => run;

        public async Task ReportAsync(long current, long? total, CancellationToken cancellationToken)
        {
            run.ReportProgress(current, total);
            var now = recorder.Clock.GetUtcNow();
            if (now - _lastSaved >= ProgressInterval || current == total)
            {
                _lastSaved = now;
                await recorder.SaveAsync(run, cancellationToken);
            }
        }

        public Task SucceedAsync(string? message) =>
            EndAsync(() => run.Succeed(recorder.Clock.GetUtcNow(), message));

        public Task FailAsync(string message) =>
            EndAsync(() => run.Fail(recorder.Clock.GetUtcNow(), message));

        // The result is saved even when the job was cancelled: the history must not show it running forever.
        private async Task EndAsync(Action end)
        {
            end();
            await recorder.SaveAsync(run, CancellationToken.None);
        }
    }
}
