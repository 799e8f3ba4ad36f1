namespace Portal.Core.Workloads;

/// <summary>A workload as one sync saw it, ready to be stored.</summary>
public sealed record ObservedWorkload(
    WorkloadKind Kind,
    string Namespace,
    string Name,
    string? ControllerKind,
    string? ControllerName,
    WorkloadLifetime Lifetime,
    string Status,
    DateTimeOffset? StartedAt,
    string? CreatedBy,
    IReadOnlyList<ObservedImageUse> Images);

public sealed record ObservedImageUse(string ContainerName, ContainerType Type, ContainerImage Image);

public sealed record ObservedNamespaceMember(string Namespace, string Email, NamespaceRole Role, string Source);

public sealed record WorkloadSnapshot(IReadOnlyList<ObservedWorkload> Workloads, IReadOnlyList<ObservedNamespaceMember> Members);

/// <summary>
/// Turns what a cluster reported into workloads and namespace members: pods grouped under their controlling owner's
/// kind (a ReplicaSet's pods under its Deployment), Kubeflow Notebooks with their pod folded in, and each namespace's
/// owner and contributors.
/// </summary>
public static class WorkloadSnapshotBuilder
{
    // Kubeflow's notebook controller labels a notebook's pod with the notebook's name.
    public const string NotebookNameLabel = "notebook-name";

    private static readonly HashSet<string> LongLivedControllers = new(StringComparer.Ordinal)
    {
        "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController",
        // A static pod the kubelet runs from a manifest on the node (etcd, the API server) lives as long as the node.
        "Node",
    };

    public static WorkloadSnapshot Build(ClusterSnapshot cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var replicaSetOwners = cluster.ReplicaSets
            .Where(r => r.Controller is not null)
            .GroupBy(r => (r.Namespace, r.Name))
            .ToDictionary(g => g.Key, g => g.First().Controller!);
        var notebooks = cluster.Notebooks
            .GroupBy(n => (n.Namespace, n.Name))
            .ToDictionary(g => g.Key, g => g.First());
        var notebookPods = new Dictionary<(string, string), ObservedPod>();
        var workloads = new List<ObservedWorkload>(cluster.Pods.Count);

        foreach (var pod in cluster.Pods)
        {
            if (NotebookOf(pod, notebooks) is { } notebook)
            {
                notebookPods[notebook] = pod;
                continue;
            }

            var controller = pod.Controller;
            if (controller is { Kind: "ReplicaSet" } && replicaSetOwners.TryGetValue((pod.Namespace, controller.Name), out var owner))
            {
                controller = owner;
            }

            var lifetime = controller is not null && LongLivedControllers.Contains(controller.Kind)
                ? WorkloadLifetime.LongLived
                : WorkloadLifetime.Ephemeral;
            workloads.Add(new ObservedWorkload(
                WorkloadKind.Pod, pod.Namespace, pod.Name, controller?.Kind, controller?.Name, lifetime, StatusOf(pod),
                pod.StartTime ?? pod.Created, null, ImagesOf(pod.Containers)));
        }

        foreach (var notebook in notebooks.Values)
        {
            notebookPods.TryGetValue((notebook.Namespace, notebook.Name), out var pod);
            var status = notebook.Stopped ? WorkloadStatus.Stopped : pod is null ? WorkloadStatus.Starting : StatusOf(pod);
            // A running notebook's pod says which digest it runs (and shows injected sidecars); a stopped one has only its spec.
            var containers = pod is not null && !notebook.Stopped ? pod.Containers : notebook.Containers;
            workloads.Add(new ObservedWorkload(
                WorkloadKind.Notebook, notebook.Namespace, notebook.Name, null, null, WorkloadLifetime.LongLived, status,
                notebook.Stopped ? null : pod?.StartTime ?? notebook.Created, notebook.Creator, ImagesOf(containers)));
        }

        workloads.Sort((a, b) =>
            (a.Namespace, a.Kind, a.Name).CompareTo((b.Namespace, b.Kind, b.Name)));
        return new WorkloadSnapshot(workloads, MembersOf(cluster));
    }

    private static (string, string)? NotebookOf(ObservedPod pod, Dictionary<(string, string), ObservedNotebook> notebooks)
    {
        var name = pod.Labels.GetValueOrDefault(NotebookNameLabel)
            ?? (pod.Controller is { Kind: "StatefulSet" } statefulSet ? statefulSet.Name : null);
        return name is not null && notebooks.ContainsKey((pod.Namespace, name)) ? (pod.Namespace, name) : null;
    }

    private static string StatusOf(ObservedPod pod) => pod.Phase switch
    {
        "Running" => WorkloadStatus.Running,
        "Pending" => WorkloadStatus.Pending,
        "Succeeded" => WorkloadStatus.Succeeded,
        "Failed" => WorkloadStatus.Failed,
        _ => WorkloadStatus.Unknown,
    };

    private static List<ObservedImageUse> ImagesOf(IReadOnlyList<ObservedContainer> containers) =>
        containers.Select(c => new ObservedImageUse(c.Name, c.Type, ContainerImage.Resolve(c.Image, c.ImageId))).ToList();

    private static List<ObservedNamespaceMember> MembersOf(ClusterSnapshot cluster)
    {
        var members = new Dictionary<(string Namespace, string Email), ObservedNamespaceMember>();
        foreach (var profile in cluster.Profiles)
        {
            if (NormalizeEmail(profile.OwnerName) is { } owner)
            {
                members[(profile.Name, owner)] = new ObservedNamespaceMember(profile.Name, owner, NamespaceRole.Owner, $"Profile {profile.Name}");
            }
        }

        foreach (var binding in cluster.RoleBindings)
        {
            if (NormalizeEmail(binding.User) is { } user && !members.ContainsKey((binding.Namespace, user)))
            {
                members[(binding.Namespace, user)] = new ObservedNamespaceMember(
                    binding.Namespace, user, NamespaceRole.Contributor,
                    $"RoleBinding {binding.Name}" + (binding.Role is null ? "" : $" ({binding.Role})"));
            }
        }

        return members.Values.OrderBy(m => m.Namespace, StringComparer.Ordinal).ThenBy(m => m.Role).ThenBy(m => m.Email, StringComparer.Ordinal).ToList();
    }

    /// <summary>Sign-in names and Kubeflow's user names are compared case-insensitively, as email addresses are.</summary>
    public static string? NormalizeEmail(string? value) =>
        string.IsNullOrWhiteSpace(value) ? null : value.Trim().ToLowerInvariant();
}
