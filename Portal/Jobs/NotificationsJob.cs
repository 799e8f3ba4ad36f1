using Portal.Core.Jobs;
using Portal.Features.Jobs;
using Portal.Features.Notifications;
using Quartz;

namespace Portal.Jobs;

/// <summary>
/// Composes and queues the day's owner digests and admin summaries from the lifecycle plan (hourly; nothing before
/// Notifications:DigestHourUtc). Telling is not destructive, so it does not wait for the maintenance window; the
/// delivery job sends what it queued.
/// </summary>
[DisallowConcurrentExecution]
public sealed class NotificationsJob(DailyNotifications notifications, JobRunRecorder recorder, ILogger<NotificationsJob> logger) : PortalJob(recorder, logger)
{
    public const string Name = "notifications";

    protected override string JobName => Name;

    protected override async Task<string> RunAsync(IJobProgress progress, IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var summary = await notifications.RunAsync(ignoreHour: false, cancellationToken);
        return summary.Message;
    }
}
