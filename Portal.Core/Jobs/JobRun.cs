namespace Portal.Core.Jobs;

public enum JobRunStatus
{
    Running,
    Succeeded,
    Failed,
}

/// <summary>One execution of a background job: when, who asked for it, how far it got and how it ended.</summary>
public sealed class JobRun
{
    public const int MaxMessageLength = 2_000;

    private JobRun()
    {
        JobName = string.Empty;
        TriggeredBy = string.Empty;
    }

    public Guid Id { get; private set; }
    public string JobName { get; private set; }
    public string TriggeredBy { get; private set; }
    public DateTimeOffset StartedAt { get; private set; }
    public DateTimeOffset? FinishedAt { get; private set; }
    public JobRunStatus Status { get; private set; }
    public long ProgressCurrent { get; private set; }
    public long? ProgressTotal { get; private set; }
    public string? Message { get; private set; }

    public TimeSpan? Duration => FinishedAt - StartedAt;

    public static JobRun Start(Guid id, string jobName, string triggeredBy, DateTimeOffset startedAt)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobName);
        ArgumentException.ThrowIfNullOrWhiteSpace(triggeredBy);
        return new JobRun
        {
            Id = id,
            JobName = jobName,
            TriggeredBy = triggeredBy,
            StartedAt = startedAt,
            Status = JobRunStatus.Running,
        };
    }

    public void ReportProgress(long current, long? total)
    {
        if (current < 0 || total < 0 || current > total)
        {
            throw new ArgumentOutOfRangeException(nameof(current), $"Progress {current} of {total} is not possible.");
        }

        EnsureRunning();
        ProgressCurrent = current;
        ProgressTotal = total;
    }

    public void Succeed(DateTimeOffset finishedAt, string? message)
    {
        EnsureRunning();
        Status = JobRunStatus.Succeeded;
        FinishedAt = finishedAt;
        Message = Trim(message);
    }

    public void Fail(DateTimeOffset finishedAt, string message)
    {
        EnsureRunning();
        Status = JobRunStatus.Failed;
        FinishedAt = finishedAt;
        Message = Trim(message);
    }

    private void EnsureRunning()
    {
        if (Status != JobRunStatus.Running)
        {
            throw new InvalidOperationException($"Job run {Id} has already ended as {Status}.");
        }
    }

    private static string? Trim(string? message) =>
        message is null || message.Length <= MaxMessageLength ? message : message[..MaxMessageLength];
}
