namespace Portal.Core.Workloads;

/// <summary>Reads what runs in one configured cluster. Implemented over the Kubernetes API.</summary>
public interface IWorkloadSource
{
    /// <summary>The names of the configured clusters.</summary>
    IReadOnlyList<string> Clusters { get; }

    /// <summary>
    /// Reads the whole cluster (every page of every list) or throws; a partial snapshot is never returned.
    /// <paramref name="onPage"/> is told the number of objects read so far.
    /// </summary>
    Task<ClusterSnapshot> ReadAsync(string cluster, Func<int, CancellationToken, Task> onPage, CancellationToken cancellationToken);
}
