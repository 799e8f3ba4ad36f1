namespace Portal.Core.Lifecycle;

/// <summary>
/// Where the users of an image should move: from an image to its replacement on the same track, with why this target.
/// The portal proposes paths; an admin approves them (then owners may choose to be migrated) or revokes them. A path
/// whose target gains a blocking finding is revoked by the portal itself.
/// </summary>
public sealed class MigrationPath
{
    public const int MaxTextLength = 1_000;

    /// <summary>Who revokes a path when its target turns vulnerable.</summary>
    public const string PortalActor = "portal";

    private MigrationPath()
    {
        From = string.Empty;
        To = string.Empty;
        Why = string.Empty;
    }

    public long Id { get; private set; }
    public long FromImageId { get; private set; }
    public long ToImageId { get; private set; }

    /// <summary>How the images read to people: "team/base:1.2@sha256:1a2b…".</summary>
    public string From { get; private set; }
    public string To { get; private set; }

    /// <summary>Why this target: the rule that chose it.</summary>
    public string Why { get; private set; }

    public MigrationPathState State { get; private set; }
    public DateTimeOffset ProposedAt { get; private set; }
    public string? ApprovedBy { get; private set; }
    public DateTimeOffset? ApprovedAt { get; private set; }
    public string? RevokedBy { get; private set; }
    public DateTimeOffset? RevokedAt { get; private set; }
    public string? RevokeReason { get; private set; }

    public static MigrationPath Propose(long fromImageId, string from, long toImageId, string to, string why, DateTimeOffset now) =>
        new()
        {
            FromImageId = fromImageId,
            From = from,
            ToImageId = toImageId,
            To = to,
            Why = Trim(why),
            State = MigrationPathState.Proposed,
            ProposedAt = now,
        };

    /// <summary>A proposal not yet decided follows a better candidate.</summary>
    public void Retarget(long toImageId, string to, string why, DateTimeOffset now)
    {
        if (State != MigrationPathState.Proposed)
        {
            throw new InvalidOperationException($"Only a proposed path changes its target; this one is {State}.");
        }

        ToImageId = toImageId;
        To = to;
        Why = Trim(why);
        ProposedAt = now;
    }

    public IReadOnlyList<string> Approve(string by, DateTimeOffset now)
    {
        if (State != MigrationPathState.Proposed)
        {
            return [$"The path is already {State.ToString().ToLowerInvariant()}."];
        }

        State = MigrationPathState.Approved;
        ApprovedBy = by;
        ApprovedAt = now;
        return [];
    }

    public IReadOnlyList<string> Revoke(string by, string? reason, DateTimeOffset now)
    {
        var errors = new List<string>();
        if (State == MigrationPathState.Revoked)
        {
            errors.Add("The path is already revoked.");
        }

        if (string.IsNullOrWhiteSpace(reason))
        {
            errors.Add("Say why the path is revoked; owners who chose it are told.");
        }
        else if (reason.Trim().Length > MaxTextLength)
        {
            errors.Add($"The reason is longer than {MaxTextLength} characters.");
        }

        if (errors.Count == 0)
        {
            State = MigrationPathState.Revoked;
            RevokedBy = by;
            RevokedAt = now;
            RevokeReason = reason!.Trim();
        }

        return errors;
    }

    public MigrationPathFacts ToFacts() => new(Id, FromImageId, ToImageId, State);

    private static string Trim(string text) => text.Length > MaxTextLength ? text[..MaxTextLength] : text;
}

/// <summary>
/// A notebook owner's answer to the approved path for the image their notebook runs: migrate it in the next maintenance
/// window, or they start a new notebook themselves. One answer per workload and image; the latest stands.
/// </summary>
public sealed class MigrationChoice
{
    private MigrationChoice()
    {
        Workload = string.Empty;
        ChosenBy = string.Empty;
    }

    public long Id { get; private set; }
    public long WorkloadId { get; private set; }
    public long FromImageId { get; private set; }

    /// <summary>The path the owner answered (its target is what they agreed to move to).</summary>
    public long PathId { get; private set; }

    /// <summary>How the workload reads to people ("alice/alice-notebook").</summary>
    public string Workload { get; private set; }

    public bool Migrate { get; private set; }
    public string ChosenBy { get; private set; }
    public DateTimeOffset ChosenAt { get; private set; }

    public static MigrationChoice Choose(long workloadId, string workload, long fromImageId, long pathId, bool migrate, string by, DateTimeOffset now) =>
        new()
        {
            WorkloadId = workloadId,
            Workload = workload,
            FromImageId = fromImageId,
            PathId = pathId,
            Migrate = migrate,
            ChosenBy = by,
            ChosenAt = now,
        };

    public void Change(long pathId, bool migrate, string by, DateTimeOffset now)
    {
        PathId = pathId;
        Migrate = migrate;
        ChosenBy = by;
        ChosenAt = now;
    }

    public MigrationChoiceFacts ToFacts() => new(WorkloadId, FromImageId, Migrate);
}
