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
    public const string ActionApproved = "action.approved";
    public const string ActionRejected = "action.rejected";
    public const string ActionExecuted = "action.executed";
    public const string ActionSkipped = "action.skipped";
    public const string ActionFailed = "action.failed";
    public const string EolSet = "eol.set";
    public const string EolChanged = "eol.changed";
    public const string EolCleared = "eol.cleared";
    public const string ExtensionRequested = "extension.requested";
    public const string ExtensionGranted = "extension.granted";
    public const string ExtensionRefused = "extension.refused";
    public const string ExtensionWithdrawn = "extension.withdrawn";
    public const string MigrationProposed = "migration.proposed";
    public const string MigrationApproved = "migration.approved";
    public const string MigrationRevoked = "migration.revoked";
    public const string MigrationChosen = "migration.chosen";
    public const string NotificationTestSent = "notification.test-sent";
    public const string RejectedAddressCleared = "notification.rejected-address-cleared";
    public const string TemplateChanged = "template.changed";
    public const string AdmissionPolicyChanged = "admission-policy.changed";
    public const string RemoteAdded = "remote.added";
    public const string RemoteChanged = "remote.changed";
    public const string RemoteDeleted = "remote.deleted";
    public const string ContentUploaded = "content.uploaded";
    public const string ContentSynced = "content.synced";

    public static IReadOnlyList<string> All { get; } = [SignIn, SignOut, JobTriggered, AuditPurged, PreferencesChanged, ApiKeyCreated, ApiKeyRevoked, ExceptionRecorded, ExceptionRevoked,
        PolicyChanged, HoldPlaced, HoldExtended, HoldLifted, ActionApproved, ActionRejected, ActionExecuted, ActionSkipped, ActionFailed, EolSet, EolChanged,
        EolCleared, ExtensionRequested, ExtensionGranted, ExtensionRefused, ExtensionWithdrawn,
        MigrationProposed, MigrationApproved, MigrationRevoked, MigrationChosen, NotificationTestSent, RejectedAddressCleared,
        TemplateChanged, AdmissionPolicyChanged, RemoteAdded, RemoteChanged, RemoteDeleted, ContentUploaded, ContentSynced];
}
