using Portal.Core.Findings;
using Portal.Core.Inventory;
using Portal.Core.Workloads;

namespace Portal.Core.Lifecycle;

/// <summary>A present tag of an image.</summary>
public sealed record TagFacts(long Id, string Name, DateTimeOffset FirstSeen);

/// <summary>
/// An image as the plan sees it: a manifest in a repository (tags point at it, workloads run it), with its class and
/// any EOL date an admin set by hand. Platform children of an index are not images here; their findings count for
/// the index.
/// </summary>
public sealed record LifecycleImage(
    long Id,
    string Digest,
    int RepositoryId,
    string Repository,
    ImageClass Class,
    string? Track,
    Channel Channel,
    DateTimeOffset? Created,
    DateTimeOffset FirstSeen,
    IReadOnlyList<TagFacts> Tags,
    DateTimeOffset? ManualEol = null,
    string? ManualEolBy = null)
{
    /// <summary>What "newest" sorts by: the build time, or when the portal first saw it for images that do not say.</summary>
    public DateTimeOffset Age => Created ?? FirstSeen;

    /// <summary>"team/base:1.2@sha256:1a2b3c4d5e6f": the newest tag people know it by, and the digest that pins it.</summary>
    public string Display
    {
        get
        {
            var tag = Tags.OrderByDescending(t => t.FirstSeen).ThenByDescending(t => t.Id).Select(t => t.Name).FirstOrDefault();
            var digest = Digest.Length > 19 ? Digest[..19] : Digest;
            return tag is null ? $"{Repository}@{digest}" : $"{Repository}:{tag}@{digest}";
        }
    }
}

/// <summary>An open finding of an image (or of one of its platform children), before exceptions.</summary>
public sealed record FindingFacts(
    long ImageId, string Digest, FindingKind Kind, string VulnerabilityId, string Package, Severity Severity, DateTimeOffset FirstSeen);

/// <summary>A workload that is present (running or stopped) and the images it runs.</summary>
public sealed record WorkloadFacts(
    long Id,
    string Cluster,
    string Namespace,
    string Name,
    WorkloadKind Kind,
    WorkloadLifetime Lifetime,
    string Status,
    IReadOnlyList<long> ImageIds,
    IReadOnlyList<string> Owners)
{
    public string Display => $"{Namespace}/{Name}";
}

public enum HoldSubjectKind
{
    Image,
    Repository,
    Workload,
}

/// <summary>What a hold pauses.</summary>
[Flags]
public enum HoldScope
{
    Deletion = 1,
    Termination = 2,
    Both = Deletion | Termination,
}

/// <summary>An active hold: its subject (an image, repository or workload id), what it pauses, until when, by whom and why.</summary>
public sealed record HoldFacts(long Id, HoldSubjectKind SubjectKind, long SubjectId, HoldScope Scope, DateTimeOffset Until, string By, string Reason)
{
    public bool Pauses(HoldScope scope, DateTimeOffset now) => Until > now && (Scope & scope) != 0;
}

/// <summary>An approved extension of one workload's use of an image, until a date.</summary>
public sealed record ExtensionFacts(long WorkloadId, long ImageId, DateTimeOffset Until, string ApprovedBy);

public enum MigrationPathState
{
    Proposed,
    Approved,
    Revoked,
}

/// <summary>A path from an image to its replacement.</summary>
public sealed record MigrationPathFacts(long Id, long FromImageId, long ToImageId, MigrationPathState State);

/// <summary>A workload owner's answer to an approved path: migrate them, or they start a new notebook themselves.</summary>
public sealed record MigrationChoiceFacts(long WorkloadId, long FromImageId, bool Migrate);

/// <summary>
/// Everything the decision engine decides from, read at one moment: images with their tags, open findings, active
/// exceptions, present workloads, active holds and extensions, migration paths and choices, and the idempotency
/// keys of actions already carried out (so a reminder is never sent twice and nothing is done twice).
/// </summary>
public sealed record LifecycleSnapshot(
    IReadOnlyList<LifecycleImage> Images,
    IReadOnlyList<FindingFacts> Findings,
    IReadOnlyList<FindingException> Exceptions,
    IReadOnlyList<WorkloadFacts> Workloads,
    IReadOnlyList<HoldFacts> Holds,
    IReadOnlyList<ExtensionFacts> Extensions,
    IReadOnlyList<MigrationPathFacts> MigrationPaths,
    IReadOnlyList<MigrationChoiceFacts> MigrationChoices,
    IReadOnlySet<string> ExecutedKeys)
{
    public static LifecycleSnapshot Empty { get; } = new([], [], [], [], [], [], [], [], new HashSet<string>());
}
