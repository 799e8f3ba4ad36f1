namespace Portal.Core.Lifecycle;

/// <summary>
/// An approver's pause on what the plan would do to an image, a repository or a workload: deletion, termination
/// (stops and migrations) or both, for a reason, until a date no further than policy allows. Lifted early, or ends by
/// itself.
/// </summary>
public sealed class Hold
{
    public const int MaxReasonLength = 1_000;
    public const int MaxSubjectLength = 400;

    private Hold()
    {
        Subject = string.Empty;
        Reason = string.Empty;
        PlacedBy = string.Empty;
    }

    public long Id { get; private set; }
    public HoldSubjectKind SubjectKind { get; private set; }
    public long SubjectId { get; private set; }

    /// <summary>How the subject reads to people when the hold was placed ("team/notebook@sha256:1a2b...", "alice/alice-notebook").</summary>
    public string Subject { get; private set; }
    public HoldScope Scope { get; private set; }
    public string Reason { get; private set; }
    public string PlacedBy { get; private set; }
    public DateTimeOffset PlacedAt { get; private set; }
    public DateTimeOffset Until { get; private set; }
    public DateTimeOffset? LiftedAt { get; private set; }
    public string? LiftedBy { get; private set; }

    public bool IsActive(DateTimeOffset now) => LiftedAt is null && Until > now;

    /// <summary>What is wrong with a hold until <paramref name="until"/> for <paramref name="reason"/>, in words an approver can act on.</summary>
    public static IReadOnlyList<string> Validate(HoldScope scope, string? reason, DateTimeOffset until, DateTimeOffset now, int maxDays)
    {
        var errors = new List<string>();
        if (scope is not (HoldScope.Deletion or HoldScope.Termination or HoldScope.Both))
        {
            errors.Add("Say what the hold pauses: deletion, termination or both.");
        }

        if (string.IsNullOrWhiteSpace(reason))
        {
            errors.Add("A hold needs a reason.");
        }
        else if (reason.Trim().Length > MaxReasonLength)
        {
            errors.Add($"The reason is longer than {MaxReasonLength} characters.");
        }

        errors.AddRange(ValidateUntil(until, now, maxDays));
        return errors;
    }

    public static Hold Place(
        HoldSubjectKind kind, long subjectId, string subject, HoldScope scope, string reason, DateTimeOffset until, string placedBy, DateTimeOffset now) =>
        new()
        {
            SubjectKind = kind,
            SubjectId = subjectId,
            Subject = subject.Length > MaxSubjectLength ? subject[..MaxSubjectLength] : subject,
            Scope = scope,
            Reason = reason.Trim(),
            PlacedBy = placedBy,
            PlacedAt = now,
            Until = until,
        };

    /// <summary>Moves the end of an active hold; the new end is bounded by policy like the first.</summary>
    public IReadOnlyList<string> Extend(DateTimeOffset until, DateTimeOffset now, int maxDays)
    {
        if (!IsActive(now))
        {
            return ["The hold has ended; place a new one."];
        }

        var errors = ValidateUntil(until, now, maxDays).ToList();
        if (until <= Until)
        {
            errors.Add($"An extension ends after the current end ({Until.UtcDateTime:yyyy-MM-dd HH:mm} UTC).");
        }

        if (errors.Count == 0)
        {
            Until = until;
        }

        return errors;
    }

    public void Lift(string liftedBy, DateTimeOffset now)
    {
        if (LiftedAt is not null)
        {
            return;
        }

        LiftedAt = now;
        LiftedBy = liftedBy;
    }

    public HoldFacts ToFacts() => new(Id, SubjectKind, SubjectId, Scope, Until, PlacedBy, Reason);

    private static IEnumerable<string> ValidateUntil(DateTimeOffset until, DateTimeOffset now, int maxDays)
    {
        if (until <= now)
        {
            yield return "A hold ends in the future.";
        }
        else if (until > now.AddDays(maxDays))
        {
            yield return $"A hold lasts at most {maxDays} days (until {now.AddDays(maxDays).UtcDateTime:yyyy-MM-dd}).";
        }
    }
}
