namespace Portal.Core.Auditing;

/// <summary>Who did something: a signed-in person, a background job, or the portal itself.</summary>
public enum AuditActorKind
{
    Person,
    Job,
    System,
}

/// <summary>
/// One recorded act: who did what to which subject, with the state before and after.
/// Entries are append-only; only the retention job removes them, and it audits that itself.
/// </summary>
public sealed class AuditEntry
{
    public const int MaxActorLength = 256;
    public const int MaxActionLength = 128;
    public const int MaxSubjectLength = 512;
    public const int MaxStateLength = 16_384;

    private AuditEntry()
    {
        Actor = string.Empty;
        Action = string.Empty;
    }

    public long Id { get; private set; }
    public DateTimeOffset Timestamp { get; private set; }
    public AuditActorKind ActorKind { get; private set; }
    public string Actor { get; private set; }
    public string Action { get; private set; }
    public string? Subject { get; private set; }
    public string? Before { get; private set; }
    public string? After { get; private set; }
    public string? CorrelationId { get; private set; }

    public static AuditEntry Create(
        DateTimeOffset timestamp,
        AuditActorKind actorKind,
        string actor,
        string action,
        string? subject = null,
        string? before = null,
        string? after = null,
        string? correlationId = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        ArgumentException.ThrowIfNullOrWhiteSpace(action);
        return new AuditEntry
        {
            Timestamp = timestamp.ToUniversalTime(),
            ActorKind = actorKind,
            Actor = Truncate(actor, MaxActorLength)!,
            Action = Truncate(action, MaxActionLength)!,
            Subject = Truncate(subject, MaxSubjectLength),
            Before = Truncate(before, MaxStateLength),
            After = Truncate(after, MaxStateLength),
            CorrelationId = Truncate(correlationId, 64),
        };
    }

    // Audit must never fail because a subject is unexpectedly long; keep the start, which identifies it.
    private static string? Truncate(string? value, int max) =>
        value is null || value.Length <= max ? value : value[..max];
}
