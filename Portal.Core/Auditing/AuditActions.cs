namespace Portal.Core.Auditing;

/// <summary>The action names written to the audit trail, kept in one place so filters can offer them.</summary>
public static class AuditActions
{
    public const string SignIn = "auth.sign-in";
    public const string SignOut = "auth.sign-out";
    public const string JobTriggered = "job.triggered";
    public const string AuditPurged = "audit.purged";
    public const string PreferencesChanged = "user.preferences-changed";
    public const string ApiKeyCreated = "api-key.created";
    public const string ApiKeyRevoked = "api-key.revoked";
    public const string ExceptionRecorded = "exception.recorded";
    public const string ExceptionRevoked = "exception.revoked";
    public const string PolicyChanged = "policy.changed";
    public const string HoldPlaced = "hold.placed";
    public const string HoldExtended = "hold.extended";
    public const string HoldLifted = "hold.lifted";

    public static IReadOnlyList<string> All { get; } = [SignIn, SignOut, JobTriggered, AuditPurged, PreferencesChanged, ApiKeyCreated, ApiKeyRevoked, ExceptionRecorded, ExceptionRevoked,
        PolicyChanged, HoldPlaced, HoldExtended, HoldLifted];
}
