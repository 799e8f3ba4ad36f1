using Portal.Core.Jobs;

namespace Portal.Features.Jobs;

/// <summary>A snapshot of a job run as the Jobs page shows it.</summary>
public sealed record JobRunView(
    Guid Id,
    string JobName,
    string TriggeredBy,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    JobRunStatus Status,
    long ProgressCurrent,
    long? ProgressTotal,
    string? Message)
{
    public TimeSpan? Duration => FinishedAt - StartedAt;

    public static JobRunView From(JobRun run) => new(
        run.Id, run.JobName, run.TriggeredBy, run.StartedAt, run.FinishedAt, run.Status,
        run.ProgressCurrent, run.ProgressTotal, run.Message);
}

/// <summary>Tells open pages in this process that a job run started, moved on or ended, so they update live.</summary>
public sealed class JobRunNotifier
{
    public event Action<JobRunView>? Changed;

    public void Publish(JobRunView run) => Changed?.Invoke(run);
}
