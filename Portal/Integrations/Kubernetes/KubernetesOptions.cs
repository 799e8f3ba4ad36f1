using System.ComponentModel.DataAnnotations;

namespace Portal.Integrations.Kubernetes;

/// <summary>The clusters whose workloads the portal reads. None configured means no workload sync.</summary>
public sealed class KubernetesOptions : IValidatableObject
{
    public const string SectionName = "Kubernetes";

    public List<ClusterOptions> Clusters { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < Clusters.Count; i++)
        {
            var cluster = Clusters[i];
            var at = $"{SectionName}:Clusters:{i}";
            if (string.IsNullOrWhiteSpace(cluster.Name))
            {
                yield return new ValidationResult($"{at}:Name is required.");
            }
            else if (cluster.Name.Length > 100)
            {
                yield return new ValidationResult($"{at}:Name must be at most 100 characters.");
            }
            else if (!names.Add(cluster.Name))
            {
                yield return new ValidationResult($"{at}:Name '{cluster.Name}' is used by another cluster.");
            }

            if (cluster.InCluster == !string.IsNullOrWhiteSpace(cluster.KubeConfigPath))
            {
                yield return new ValidationResult($"{at}: set either KubeConfigPath or InCluster=true, not both or neither.");
            }

            if (cluster.PageSize is < 1 or > 5_000)
            {
                yield return new ValidationResult($"{at}:PageSize must be between 1 and 5000.");
            }

            if (cluster.RequestTimeoutSeconds is < 1 or > 600)
            {
                yield return new ValidationResult($"{at}:RequestTimeoutSeconds must be between 1 and 600.");
            }
        }
    }
}

public sealed class ClusterOptions
{
    /// <summary>How the portal names this cluster (stored with every workload).</summary>
    public string Name { get; set; } = "";

    /// <summary>A kubeconfig file (absolute, or relative to the working directory).</summary>
    public string? KubeConfigPath { get; set; }

    /// <summary>The kubeconfig context to use; its current context when empty.</summary>
    public string? Context { get; set; }

    /// <summary>Use the pod's service account (the portal runs in this cluster).</summary>
    public bool InCluster { get; set; }

    /// <summary>Objects per list request (?limit=); the server pages with continue tokens.</summary>
    public int PageSize { get; set; } = 500;

    public int RequestTimeoutSeconds { get; set; } = 60;
}
