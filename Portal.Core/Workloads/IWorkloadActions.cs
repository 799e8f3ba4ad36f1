namespace Portal.Core.Workloads;

/// <summary>A Kubeflow Notebook as read just now: whether it is stopped and the containers of its pod template.</summary>
public sealed record NotebookObject(string Cluster, string Namespace, string Name, bool Stopped, IReadOnlyList<ObservedContainer> Containers);

/// <summary>
/// What the lifecycle job does to workloads, through the cluster's API: read one notebook fresh, stop it the way
/// Kubeflow's own UI does (the stop annotation: the pod goes, the notebook and its volumes stay), and point it at
/// another image. Nothing here deletes anything.
/// </summary>
public interface IWorkloadActions
{
    /// <summary>The notebook now, or null when it no longer exists.</summary>
    Task<NotebookObject?> ReadNotebookAsync(string cluster, string @namespace, string name, CancellationToken cancellationToken);

    /// <summary>Sets the stop annotation (its value the time of stopping); a stopped notebook keeps its first time.</summary>
    Task StopNotebookAsync(string cluster, string @namespace, string name, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the image of the named container of the notebook's pod template, only if it is still
    /// <paramref name="fromImage"/> (someone else's change in between makes it fail, not be overwritten).
    /// </summary>
    Task SetNotebookImageAsync(
        string cluster, string @namespace, string name, string container, string fromImage, string toImage, CancellationToken cancellationToken);
}
