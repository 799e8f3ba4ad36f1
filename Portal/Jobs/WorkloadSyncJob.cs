using Portal.Core.Jobs;
using Portal.Features.Jobs;
using Portal.Features.Workloads;
using Quartz;

namespace Portal.Jobs;

/// <summary>Takes a workload snapshot of every configured cluster; one failing cluster keeps its previous snapshot.</summary>
[DisallowConcurrentExecution]
public sealed class WorkloadSyncJob(WorkloadSync sync, JobRunRecorder recorder, ILogger<WorkloadSyncJob> logger) : PortalJob(recorder, logger)
{
    public const string Name = "workload-sync";

    protected override string JobName => Name;

    protected override async Task<string> RunAsync(IJobProgress progress, IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var clusters = sync.Clusters;
        if (clusters.Count == 0)
        {
            return "No clusters are configured (Kubernetes:Clusters).";
        }

        var summaries = new List<string>();
        var failures = new List<string>();
        var readBefore = 0;
        foreach (var cluster in clusters)
        {
            try
            {
                var readHere = 0;
                var summary = await sync.SyncAsync(cluster, async (read, ct) =>
                {
                    readHere = read;
                    // Objects read so far across clusters; the total is not known until the last page.
                    await progress.ReportAsync(readBefore + read, null, ct);
                }, cancellationToken);
                readBefore += readHere;
                summaries.Add(summary.ToString());
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failures.Add($"{cluster}: {ex.Message}");
            }
        }

        if (failures.Count > 0)
        {
            throw new InvalidOperationException(
                $"Workload sync failed for {failures.Count} of {clusters.Count} clusters; their previous snapshot is kept. "
                + string.Join(" ", failures) + (summaries.Count > 0 ? " Succeeded: " + string.Join("; ", summaries) : ""));
        }

        return string.Join("; ", summaries);
    }
}
