using Portal.Core.Jobs;
using Portal.Features.Jobs;
using Portal.Features.Notifications;
using Quartz;

namespace Portal.Jobs;

[DisallowConcurrentExecution]
public sealed class NotificationDeliveryJob(
    NotificationDelivery delivery,
    JobRunRecorder recorder,
    ILogger<NotificationDeliveryJob> logger) : PortalJob(recorder, logger)
{
    public const string Name = "notification-delivery";

    protected override string JobName => Name;

    protected override async Task<string> RunAsync(IJobProgress progress, IJobExecutionContext context, CancellationToken cancellationToken) =>
        (await delivery.DeliverDueAsync(progress, cancellationToken)).Describe();
}
