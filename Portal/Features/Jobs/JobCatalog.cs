using Portal.Jobs;

namespace Portal.Features.Jobs;

/// <summary>A background job the portal runs: its stable name, what it does, and its schedule when none is configured.</summary>
/// <param name="FollowsNewImages">Also run as soon as an inventory sync finds new images (scanners, so new digests need not wait for the schedule).</param>
public sealed record JobDefinition(string Name, string Title, string Description, Type JobType, string DefaultSchedule, bool FollowsNewImages = false);

/// <summary>Every job the portal knows, registered explicitly.</summary>
public static class JobCatalog
{
    public static IReadOnlyList<JobDefinition> All { get; } =
    [
        new(AuditRetentionJob.Name,
            "Audit retention",
            "Purges audit entries older than the configured retention period.",
            typeof(AuditRetentionJob),
            "0 30 2 * * ?"),
        new(InventorySyncJob.Name,
            "Inventory sync",
            "Reads every registry's repositories, tags and images (incremental: unchanged tags cost one HEAD; for a registry whose events are followed, only the repositories they named).",
            typeof(InventorySyncJob),
            "0 0/30 * * * ?"),
        new(WorkloadSyncJob.Name,
            "Workload sync",
            "Reads pods, Kubeflow notebooks and namespace owners from every configured cluster and matches their images to the inventory.",
            typeof(WorkloadSyncJob),
            "0 0/10 * * * ?"),
        new(TrivyOperatorImportJob.Name,
            "Trivy Operator import",
            "Reads Trivy Operator's VulnerabilityReports from every configured cluster and stores their findings.",
            typeof(TrivyOperatorImportJob),
            "0 15 * * * ?"),
        new(VulnerabilityScanJob.Name,
            "Vulnerability scan",
            "Runs the configured scan command (e.g. Trivy) for inventory images without a fresh report and stores their findings.",
            typeof(VulnerabilityScanJob),
            "0 45 * * * ?",
            FollowsNewImages: true),
        new(MalwareScanJob.Name,
            "Malware scan",
            "Streams the layers of images not yet scanned (or scanned with older definitions) from their registries and scans every file for malware.",
            typeof(MalwareScanJob),
            "0 50 * * * ?",
            FollowsNewImages: true),
        new(LifecycleJob.Name,
            "Lifecycle",
            "Carries out the lifecycle plan's approved and automatic stops, migrations and deletions inside the maintenance window, each re-checked first.",
            typeof(LifecycleJob),
            "0 5 * * * ?"),
        new(MigrationPathsJob.Name,
            "Migration paths",
            "Proposes the newest clean Prod image on the same track as the replacement for images with an EOL date, and revokes approved paths whose target gained a blocking finding.",
            typeof(MigrationPathsJob),
            "0 0/15 * * * ?"),
        new(NotificationDeliveryJob.Name,
            "Notification delivery",
            "Sends the queued emails and webhook messages that are due, oldest first; failures are tried again with backoff and refused addresses are recorded.",
            typeof(NotificationDeliveryJob),
            "0 * * * * ?"),
        new(NotificationsJob.Name,
            "Notifications",
            "Composes the day's owner digests and admin summary from the lifecycle plan and queues them for delivery (from Notifications:DigestHourUtc).",
            typeof(NotificationsJob),
            "0 10 * * * ?"),
        new(GatewayRescanJob.Name,
            "Gateway rescan",
            "Rescans content kept by the gateway when the virus definitions change or a verdict grows old; newly infected files are removed and admins told.",
            typeof(GatewayRescanJob),
            "0 20 * * * ?"),
    ];

    public static JobDefinition? Find(string name) =>
        All.FirstOrDefault(j => string.Equals(j.Name, name, StringComparison.OrdinalIgnoreCase));
}
