namespace Portal.Core.Workloads;

/// <summary>
/// What one cluster reported, in the shape the portal needs and nothing more. Adapters fill it from the Kubernetes
/// API; <see cref="WorkloadSnapshotBuilder"/> turns it into workloads and namespace members.
/// </summary>
public sealed record ClusterSnapshot(
    string Cluster,
    IReadOnlyList<ObservedPod> Pods,
    IReadOnlyList<ObservedNotebook> Notebooks,
    IReadOnlyList<ObservedController> ReplicaSets,
    IReadOnlyList<ObservedProfile> Profiles,
    IReadOnlyList<ObservedRoleBinding> RoleBindings);

/// <summary>An object's controlling owner reference (the one with <c>controller: true</c>).</summary>
public sealed record OwnerReference(string Kind, string Name);

/// <summary>An object that is controlled by another, such as a ReplicaSet by its Deployment.</summary>
public sealed record ObservedController(string Namespace, string Name, OwnerReference? Controller);

public sealed record ObservedPod(
    string Namespace,
    string Name,
    string? Phase,
    DateTimeOffset? StartTime,
    DateTimeOffset? Created,
    IReadOnlyDictionary<string, string> Labels,
    OwnerReference? Controller,
    IReadOnlyList<ObservedContainer> Containers);

/// <summary>
/// One container of a pod: the reference its spec asks for and the <c>imageID</c> its status reports once pulled
/// (for example <c>docker-pullable://nginx@sha256:...</c>), from which the digest is resolved.
/// </summary>
public sealed record ObservedContainer(string Name, ContainerType Type, string Image, string? ImageId);

public sealed record ObservedNotebook(
    string Namespace,
    string Name,
    DateTimeOffset? Created,
    bool Stopped,
    string? Creator,
    IReadOnlyList<ObservedContainer> Containers);

/// <summary>A Kubeflow Profile: the namespace of the same name belongs to <see cref="OwnerName"/> (an email).</summary>
public sealed record ObservedProfile(string Name, string? OwnerKind, string? OwnerName);

/// <summary>
/// A RoleBinding with Kubeflow's sharing annotations (<c>user</c> and <c>role</c>), written when an owner adds a
/// contributor. Other bindings are not passed on: their subjects say nothing about who a namespace belongs to.
/// </summary>
public sealed record ObservedRoleBinding(string Namespace, string Name, string User, string? Role);
