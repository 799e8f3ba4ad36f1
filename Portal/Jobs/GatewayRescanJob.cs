using Portal.Core.Jobs;
using Portal.Features.Gateway;
using Portal.Features.Jobs;
using Quartz;

namespace Portal.Jobs;

/// <summary>Rescans kept gateway content after a definitions change or when its verdict grows old.</summary>
[DisallowConcurrentExecution]
public sealed class GatewayRescanJob(GatewayRescan rescan, JobRunRecorder recorder, ILogger<GatewayRescanJob> logger) : PortalJob(recorder, logger)
{
    public const string Name = "gateway-rescan";

    protected override string JobName => Name;

    protected override async Task<string> RunAsync(IJobProgress progress, IJobExecutionContext context, CancellationToken cancellationToken) =>
        (await rescan.RunAsync(progress, cancellationToken)).Message;
}
