using Portal.Core.Findings;
using Portal.Core.Jobs;
using Portal.Core.Workloads;
using Portal.Features.Findings;
using Portal.Features.Jobs;
using Quartz;

namespace Portal.Jobs;

/// <summary>Reads Trivy Operator's VulnerabilityReports from every configured cluster and stores their findings.</summary>
[DisallowConcurrentExecution]
public sealed class TrivyOperatorImportJob(
    IWorkloadSource clusters, IVulnerabilityReportSource reports, FindingIngestion ingestion, JobRunRecorder recorder, ILogger<TrivyOperatorImportJob> logger)
    : PortalJob(recorder, logger)
{
    public const string Name = "trivy-operator-import";

    protected override string JobName => Name;

    protected override async Task<string> RunAsync(IJobProgress progress, IJobExecutionContext context, CancellationToken cancellationToken)
    {
        if (clusters.Clusters.Count == 0)
        {
            return "No clusters are configured (Kubernetes:Clusters).";
        }

        var summaries = new List<string>();
        var failures = new List<string>();
        var done = 0;
        foreach (var cluster in clusters.Clusters)
        {
            try
            {
                var batch = await reports.ReadAsync(cluster, cancellationToken);
                int stored = 0, findings = 0, unmatched = 0;
                foreach (var report in batch.Reports)
                {
                    var result = await ingestion.IngestAsync(report, $"trivy-operator {cluster}", null, cancellationToken);
                    stored += result.Stored.Count;
                    findings += result.Stored.Sum(s => s.Findings);
                    unmatched += result.Unmatched.Count;
                }

                summaries.Add($"{cluster}: {batch.Reports.Count} reports, {stored} images with {findings} findings stored, "
                    + $"{unmatched} images not in the inventory, {batch.Rejected.Count} unreadable");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failures.Add($"{cluster}: {ex.Message}");
            }

            await progress.ReportAsync(++done, clusters.Clusters.Count, cancellationToken);
        }

        if (failures.Count > 0)
        {
            throw new InvalidOperationException($"Trivy Operator import failed for {failures.Count} of {clusters.Clusters.Count} clusters. "
                + string.Join(" ", failures) + (summaries.Count > 0 ? " Succeeded: " + string.Join("; ", summaries) : ""));
        }

        return string.Join("; ", summaries);
    }
}
