using Portal.Core.Findings;

namespace Portal.Core.Lifecycle;

public enum LifecycleState
{
    /// <summary>No blocking finding and no EOL date.</summary>
    Healthy,

    /// <summary>An EOL date is set (a blocking finding, or an admin's date) and has not come yet.</summary>
    Vulnerable,

    /// <summary>Its EOL date has passed.</summary>
    Expired,

    /// <summary>An approver's hold pauses what would happen to it.</summary>
    Held,

    /// <summary>Gone from the registry.</summary>
    Deleted,
}

/// <summary>The finding that sets an image's EOL: the earliest first detection plus its grace.</summary>
public sealed record BlockingFinding(string VulnerabilityId, string Package, Severity Severity, FindingKind Kind, DateTimeOffset FirstSeen, int GraceDays);

/// <summary>Where an image stands: its state, its EOL date (pushed back by holds), and why.</summary>
/// <param name="Eol">The date from findings or an admin; null when the image has none.</param>
/// <param name="EffectiveEol">The EOL as pushed back by the image's or repository's termination holds.</param>
/// <param name="BlockingFindings">Blocking findings after exceptions, for counts.</param>
public sealed record ImageLifecycle(
    long ImageId, LifecycleState State, DateTimeOffset? Eol, DateTimeOffset? EffectiveEol, BlockingFinding? Cause, string? ManualEolBy,
    int BlockingFindings, string Reason);

/// <summary>
/// One thing the plan would do. The idempotency key names exactly this act on exactly this subject (and, for
/// reminders, the stage and the EOL date it announces), so an act done once is never done again.
/// </summary>
public sealed record PlannedAction(
    ActionKind Kind,
    string Key,
    ExecutionMode Mode,
    string Reason,
    int PolicyVersion,
    DateTimeOffset DueAt,
    long? ImageId,
    long? WorkloadId = null,
    long? TagId = null,
    string? Tag = null,
    string? Owner = null,
    int? Stage = null,
    long? TargetImageId = null,
    long? MigrationPathId = null,
    string? ManualEolBy = null);

/// <summary>Something the plan could have done and did not, and why ("kept: used by 3 notebooks").</summary>
public sealed record KeptItem(ActionKind Kind, long? ImageId, long? WorkloadId, string? Tag, string Reason);

/// <summary>What the decision engine concluded at <see cref="ComputedAt"/> under policy <see cref="PolicyVersion"/>.</summary>
public sealed record Plan(
    DateTimeOffset ComputedAt, int PolicyVersion, IReadOnlyList<ImageLifecycle> Images, IReadOnlyList<PlannedAction> Actions, IReadOnlyList<KeptItem> Kept);
