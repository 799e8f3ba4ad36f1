namespace Portal.Core.Workloads;

/// <summary>
/// A consumer of images in a cluster: a pod, or a Kubeflow Notebook (running or stopped). Identified by cluster,
/// kind, namespace and name; a workload that disappears keeps its row, marked gone, so history stays.
/// </summary>
public sealed class Workload
{
    public const int MaxClusterLength = 100;
    public const int MaxNamespaceLength = 63;
    public const int MaxNameLength = 253;
    public const int MaxKindLength = 63;

    private Workload()
    {
        Cluster = string.Empty;
        Namespace = string.Empty;
        Name = string.Empty;
        Status = WorkloadStatus.Unknown;
        Images = [];
    }

    public long Id { get; private set; }
    public string Cluster { get; private set; }
    public string Namespace { get; private set; }
    public string Name { get; private set; }
    public WorkloadKind Kind { get; private set; }

    /// <summary>The controlling owner's kind after following ReplicaSets to their Deployment, e.g. "Deployment", "Job", "Workflow".</summary>
    public string? ControllerKind { get; private set; }
    public string? ControllerName { get; private set; }
    public WorkloadLifetime Lifetime { get; private set; }
    public string Status { get; private set; }
    public DateTimeOffset? StartedAt { get; private set; }

    /// <summary>Who created it, where the cluster records that (Kubeflow's notebook creator annotation).</summary>
    public string? CreatedBy { get; private set; }
    public DateTimeOffset FirstSeen { get; private set; }
    public DateTimeOffset LastSeen { get; private set; }
    public DateTimeOffset? GoneAt { get; private set; }
    public List<WorkloadImage> Images { get; private set; }

    public static Workload Discover(string cluster, ObservedWorkload observed, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(observed);
        var workload = new Workload
        {
            Cluster = cluster,
            Namespace = observed.Namespace,
            Name = observed.Name,
            Kind = observed.Kind,
            FirstSeen = now,
        };
        workload.Seen(observed, now);
        return workload;
    }

    /// <summary>Whether the latest sighting says exactly what this row says, so only its sighting time needs touching.</summary>
    public bool Matches(ObservedWorkload observed)
    {
        ArgumentNullException.ThrowIfNull(observed);
        return GoneAt is null
            && ControllerKind == observed.ControllerKind
            && ControllerName == observed.ControllerName
            && Lifetime == observed.Lifetime
            && Status == observed.Status
            && StartedAt == observed.StartedAt
            && CreatedBy == observed.CreatedBy
            && Images.Select(i => i.Key).SequenceEqual(observed.Images.Select(i => WorkloadImage.From(i).Key));
    }

    /// <summary>Takes what the latest sync saw; container images are replaced only when they changed.</summary>
    public void Seen(ObservedWorkload observed, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(observed);
        var images = observed.Images.Select(WorkloadImage.From).ToList();
        if (!Images.Select(i => i.Key).SequenceEqual(images.Select(i => i.Key)))
        {
            Images.Clear();
            Images.AddRange(images);
        }

        ControllerKind = observed.ControllerKind;
        ControllerName = observed.ControllerName;
        Lifetime = observed.Lifetime;
        Status = observed.Status;
        StartedAt = observed.StartedAt;
        CreatedBy = observed.CreatedBy;
        LastSeen = now;
        GoneAt = null;
    }

    public void MarkGone(DateTimeOffset now) => GoneAt ??= now;
}

/// <summary>
/// One container's image in a workload, and the inventory image it resolves to (by digest, or by tag when no digest
/// is known), which is how an image knows who uses it.
/// </summary>
public sealed class WorkloadImage
{
    public const int MaxReferenceLength = 512;

    private WorkloadImage()
    {
        ContainerName = string.Empty;
        Reference = string.Empty;
    }

    public long Id { get; private set; }
    public long WorkloadId { get; private set; }
    public string ContainerName { get; private set; }
    public ContainerType ContainerType { get; private set; }

    /// <summary>The reference normalized (docker.io/library/nginx:latest), or as written when it does not parse.</summary>
    public string Reference { get; private set; }
    public string? Registry { get; private set; }
    public string? Repository { get; private set; }
    public string? Tag { get; private set; }
    public string? Digest { get; private set; }

    /// <summary>The inventory image this container runs, when the inventory knows it.</summary>
    public long? ImageId { get; private set; }

    internal (string, ContainerType, string, string?) Key => (ContainerName, ContainerType, Reference, Digest);

    public static WorkloadImage From(ObservedImageUse use)
    {
        ArgumentNullException.ThrowIfNull(use);
        return new WorkloadImage
        {
            ContainerName = use.ContainerName,
            ContainerType = use.Type,
            Reference = Truncate(use.Image.Reference),
            Registry = use.Image.Registry,
            Repository = use.Image.Repository,
            Tag = use.Image.Tag,
            Digest = use.Image.Digest,
        };
    }

    public void LinkTo(long? imageId) => ImageId = imageId;

    /// <summary>Sets the owning workload's id where rows are written without EF's change tracker.</summary>
    public void AttachTo(long workloadId) => WorkloadId = workloadId;

    // A reference the cluster reports is not ours to reject, but a column has a width.
    private static string Truncate(string value) => value.Length <= MaxReferenceLength ? value : value[..MaxReferenceLength];
}

/// <summary>A person with access to a namespace: the Kubeflow Profile's owner, or a contributor the owner added.</summary>
public sealed class NamespaceMember
{
    public const int MaxEmailLength = 320;
    public const int MaxSourceLength = 300;

    private NamespaceMember()
    {
        Cluster = string.Empty;
        Namespace = string.Empty;
        Email = string.Empty;
        Source = string.Empty;
    }

    public long Id { get; private set; }
    public string Cluster { get; private set; }
    public string Namespace { get; private set; }

    /// <summary>Lowercase, so it compares with a signed-in email without case games in SQL.</summary>
    public string Email { get; private set; }
    public NamespaceRole Role { get; private set; }

    /// <summary>Where the portal learned it, e.g. "Profile alice" or "RoleBinding user-bob-example-org-clusterrole-edit (edit)".</summary>
    public string Source { get; private set; }

    public static NamespaceMember From(string cluster, ObservedNamespaceMember member)
    {
        ArgumentNullException.ThrowIfNull(member);
        return new NamespaceMember
        {
            Cluster = cluster,
            Namespace = member.Namespace,
            Email = member.Email.Length <= MaxEmailLength ? member.Email : member.Email[..MaxEmailLength],
            Role = member.Role,
            Source = member.Source.Length <= MaxSourceLength ? member.Source : member.Source[..MaxSourceLength],
        };
    }
}
