namespace Portal.Core.Lifecycle;

public enum ExtensionStatus
{
    Pending,
    Granted,
    Refused,
    Withdrawn,
}

/// <summary>
/// A workload owner's request to keep using an image past its EOL until a date, with the reason. An approver grants
/// it (perhaps for less time than wanted) or refuses it; a granted extension pushes that workload's EOL back.
/// </summary>
public sealed class ExtensionRequest
{
    public const int MaxTextLength = 1_000;

    public const string TwoPersonRule =
        "Two-person rule: you asked for this extension or own the workload's namespace, so another approver decides it.";

    private ExtensionRequest()
    {
        Workload = string.Empty;
        Image = string.Empty;
        Reason = string.Empty;
        RequestedBy = string.Empty;
    }

    public long Id { get; private set; }
    public long WorkloadId { get; private set; }
    public long ImageId { get; private set; }

    /// <summary>How the workload and image read to people when asked ("alice/alice-notebook", "team/image@sha256:1a2b...").</summary>
    public string Workload { get; private set; }
    public string Image { get; private set; }
    public string Reason { get; private set; }
    public DateTimeOffset WantedUntil { get; private set; }
    public string RequestedBy { get; private set; }
    public DateTimeOffset RequestedAt { get; private set; }
    public ExtensionStatus Status { get; private set; }
    public DateTimeOffset? GrantedUntil { get; private set; }
    public string? DecidedBy { get; private set; }
    public DateTimeOffset? DecidedAt { get; private set; }
    public string? DecisionNote { get; private set; }

    public bool IsPending => Status == ExtensionStatus.Pending;

    public static IReadOnlyList<string> Validate(string? reason, DateTimeOffset until, DateTimeOffset now, int maxDays)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(reason))
        {
            errors.Add("Say why the notebook needs the image for longer.");
        }
        else if (reason.Trim().Length > MaxTextLength)
        {
            errors.Add($"The reason is longer than {MaxTextLength} characters.");
        }

        errors.AddRange(ValidateUntil(until, now, maxDays));
        return errors;
    }

    public static ExtensionRequest Ask(
        long workloadId, long imageId, string workload, string image, string reason, DateTimeOffset until, string requestedBy, DateTimeOffset now) =>
        new()
        {
            WorkloadId = workloadId,
            ImageId = imageId,
            Workload = workload,
            Image = image,
            Reason = reason.Trim(),
            WantedUntil = until,
            RequestedBy = requestedBy,
            RequestedAt = now,
            Status = ExtensionStatus.Pending,
        };

    /// <summary>
    /// Grants the extension until <paramref name="until"/> (the wanted date, or less); bounded by policy. Whoever asked
    /// may not grant it: a second person decides (the two-person rule).
    /// </summary>
    public IReadOnlyList<string> Grant(DateTimeOffset until, string? note, string decidedBy, DateTimeOffset now, int maxDays)
    {
        var errors = Decidable(note).Concat(ValidateUntil(until, now, maxDays)).ToList();
        if (until > WantedUntil)
        {
            errors.Add($"Grant at most what was asked for: until {WantedUntil.UtcDateTime:yyyy-MM-dd HH:mm} UTC.");
        }

        if (string.Equals(decidedBy, RequestedBy, StringComparison.OrdinalIgnoreCase))
        {
            errors.Insert(0, TwoPersonRule);
        }

        if (errors.Count == 0)
        {
            Decide(ExtensionStatus.Granted, note, decidedBy, now);
            GrantedUntil = until;
        }

        return errors;
    }

    public IReadOnlyList<string> Refuse(string? note, string decidedBy, DateTimeOffset now)
    {
        var errors = Decidable(note).ToList();
        if (string.IsNullOrWhiteSpace(note))
        {
            errors.Add("Tell the owner why the extension is refused.");
        }

        if (errors.Count == 0)
        {
            Decide(ExtensionStatus.Refused, note, decidedBy, now);
        }

        return errors;
    }

    public IReadOnlyList<string> Withdraw(string by, DateTimeOffset now)
    {
        var errors = Decidable(null).ToList();
        if (errors.Count == 0)
        {
            Decide(ExtensionStatus.Withdrawn, null, by, now);
        }

        return errors;
    }

    public ExtensionFacts? ToFacts() =>
        Status == ExtensionStatus.Granted && GrantedUntil is { } until ? new ExtensionFacts(WorkloadId, ImageId, until, DecidedBy!) : null;

    private IEnumerable<string> Decidable(string? note)
    {
        if (!IsPending)
        {
            yield return $"The request was already {Status.ToString().ToLowerInvariant()}.";
        }

        if (note is not null && note.Trim().Length > MaxTextLength)
        {
            yield return $"The note is longer than {MaxTextLength} characters.";
        }
    }

    private void Decide(ExtensionStatus status, string? note, string decidedBy, DateTimeOffset now)
    {
        Status = status;
        DecisionNote = string.IsNullOrWhiteSpace(note) ? null : note.Trim();
        DecidedBy = decidedBy;
        DecidedAt = now;
    }

    private static IEnumerable<string> ValidateUntil(DateTimeOffset until, DateTimeOffset now, int maxDays)
    {
        if (until <= now)
        {
            yield return "An extension ends in the future.";
        }
        else if (until > now.AddDays(maxDays))
        {
            yield return $"An extension reaches at most {maxDays} days ahead (until {now.AddDays(maxDays).UtcDateTime:yyyy-MM-dd}).";
        }
    }
}
