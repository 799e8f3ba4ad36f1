using Portal.Core.Auditing;
using Portal.Core.Jobs;
using Portal.Features.Jobs;
using Portal.Features.Lifecycle;
using Quartz;

namespace Portal.Jobs;

/// <summary>
/// Carries out the lifecycle plan's stops, migrations and deletions inside the maintenance window; an admin's
/// execute-now starts it with <see cref="IgnoreWindowKey"/> set. A run in which any action failed is marked failed
/// (the others were carried out); the failed ones are tried again with backoff.
/// </summary>
[DisallowConcurrentExecution]
public sealed class LifecycleJob(LifecycleExecution execution, JobRunRecorder recorder, ILogger<LifecycleJob> logger) : PortalJob(recorder, logger)
{
    public const string Name = "lifecycle";
    public const string IgnoreWindowKey = "ignoreWindow";

    protected override string JobName => Name;

    protected override async Task<string> RunAsync(IJobProgress progress, IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var triggeredBy = context.MergedJobDataMap.GetString(JobsOverview.TriggeredByKey);
        var ignoreWindow = context.MergedJobDataMap.GetString(IgnoreWindowKey) == "true";
        var executor = triggeredBy is null or "schedule" ? new Executor(AuditActorKind.Job, Name) : new Executor(AuditActorKind.Person, triggeredBy);
        var summary = await execution.RunAsync(executor, ignoreWindow, progress, cancellationToken);
        if (summary.Failed > 0)
        {
            throw new InvalidOperationException($"{summary.Message} Failed: {string.Join(" ", summary.Failures)}");
        }

        return summary.Message;
    }
}
