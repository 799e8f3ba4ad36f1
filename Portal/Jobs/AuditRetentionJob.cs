using Microsoft.Extensions.Options;
using Portal.Core.Jobs;
using Portal.Features.Audit;
using Portal.Features.Jobs;
using Quartz;

namespace Portal.Jobs;

[DisallowConcurrentExecution]
public sealed class AuditRetentionJob(
    AuditRetention retention,
    IOptions<AuditOptions> options,
    JobRunRecorder recorder,
    ILogger<AuditRetentionJob> logger) : PortalJob(recorder, logger)
{
    public const string Name = "audit-retention";

    protected override string JobName => Name;

    protected override async Task<string> RunAsync(IJobProgress progress, IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var purged = await retention.PurgeAsync(progress, cancellationToken);
        return $"Purged {purged} audit entries older than {options.Value.RetentionDays} days.";
    }
}
