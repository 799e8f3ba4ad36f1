using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using Microsoft.Extensions.Options;
using Portal.Core.Findings;
using Portal.Core.Findings.Parsers;

namespace Portal.Integrations.Kubernetes;

/// <summary>
/// Lists Trivy Operator's VulnerabilityReports (aquasecurity.github.io/v1alpha1) in all namespaces, paged, and reads each
/// with the same strict parser as reports sent to the API. A cluster without the operator has none (404 on the resource).
/// </summary>
public sealed class TrivyOperatorReportSource(
    IOptions<KubernetesOptions> options, IOptions<ScanReportReaderOptions> reader, ILogger<TrivyOperatorReportSource> logger) : IVulnerabilityReportSource
{
    public const string Group = "aquasecurity.github.io";
    public const string Version = "v1alpha1";
    public const string Plural = "vulnerabilityreports";

    public async Task<VulnerabilityReportBatch> ReadAsync(string cluster, CancellationToken cancellationToken)
    {
        var settings = options.Value.Clusters.FirstOrDefault(c => string.Equals(c.Name, cluster, StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException($"Cluster '{cluster}' is not configured.");
        using var client = new k8s.Kubernetes(KubernetesWorkloadSource.ConfigurationFor(settings));
        var reports = new List<ScanReport>();
        var rejected = new List<string>();
        string? token = null;
        try
        {
            do
            {
                var page = (JsonElement)await client.CustomObjects.ListClusterCustomObjectAsync(
                    Group, Version, Plural, continueParameter: token, limit: settings.PageSize, cancellationToken: cancellationToken);
                foreach (var item in page.GetProperty("items").EnumerateArray())
                {
                    try
                    {
                        reports.Add(ScanReportReader.Read(JsonSerializer.SerializeToUtf8Bytes(item), ReportFormat.TrivyOperator, reader.Value));
                    }
                    catch (ScanReportFormatException ex)
                    {
                        var name = item.TryGetProperty("metadata", out var metadata) && metadata.TryGetProperty("name", out var n) ? n.GetString() : "?";
                        logger.LogWarning("VulnerabilityReport {Name} in cluster {Cluster} cannot be read: {Reason}", name, cluster, ex.Message);
                        rejected.Add($"{name}: {ex.Message}");
                    }
                }

                token = page.TryGetProperty("metadata", out var listMetadata) && listMetadata.TryGetProperty("continue", out var next) ? next.GetString() : null;
            }
            while (!string.IsNullOrEmpty(token));
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            logger.LogDebug("Cluster {Cluster} does not serve {Group}/{Version} {Plural}", cluster, Group, Version, Plural);
        }

        return new VulnerabilityReportBatch(reports, rejected);
    }
}
