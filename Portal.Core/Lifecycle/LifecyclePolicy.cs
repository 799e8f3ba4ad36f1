using Portal.Core.Findings;
using Portal.Core.Inventory;

namespace Portal.Core.Lifecycle;

/// <summary>What the plan may do, and how its actions are carried out.</summary>
public enum ActionKind
{
    /// <summary>Remind a workload's owner of its image's EOL (one reminder per stage).</summary>
    NotifyOwner,

    /// <summary>Tell the admins: a new blocking finding on a curated image, or an approved migration target turned vulnerable.</summary>
    NotifyAdmins,

    /// <summary>Stop a Kubeflow notebook at its image's EOL (the stop annotation; nothing is deleted).</summary>
    StopWorkload,

    /// <summary>Move a notebook to the approved replacement of its image.</summary>
    MigrateWorkload,

    /// <summary>Remove an old tag whose image stays because a newer tag of it is kept.</summary>
    DeleteTag,

    /// <summary>Delete an image (its manifest, by digest) per retention.</summary>
    DeleteImage,
}

public enum ExecutionMode
{
    /// <summary>Planned and shown, never carried out.</summary>
    DryRun,

    /// <summary>Carried out once an approver or admin approves it (not the person who set the image's EOL by hand).</summary>
    RequireApproval,

    /// <summary>Carried out by the lifecycle job in the maintenance window (notifications at once).</summary>
    Automatic,
}

/// <summary>The rules for one class of images.</summary>
/// <param name="GraceDays">
/// Days from a finding's first detection to EOL, per severity. A severity without an entry never blocks an image.
/// </param>
/// <param name="StopsWorkloads">Whether an image's EOL stops the notebooks that run it (never for Platform by default).</param>
/// <param name="KeepNewestTags">Tags per repository that are never deleted, newest first.</param>
/// <param name="DeleteUnusedAfterDays">Unused images older than this are deleted (beyond the newest tags); null never.</param>
public sealed record ClassPolicy(
    ImageClass Class,
    IReadOnlyDictionary<Severity, int> GraceDays,
    bool StopsWorkloads,
    int KeepNewestTags,
    int? DeleteUnusedAfterDays);

/// <summary>
/// The lifecycle policy: per class grace days, stopping and retention; the reminder stages; an execution mode per
/// action kind; holds' longest term; and the weekly maintenance window in which stops and migrations run. Versioned:
/// every plan and every action names the version it followed.
/// </summary>
public sealed record LifecyclePolicy
{
    public const int MaxGraceDays = 3_650;
    public const int MaxKeepNewestTags = 1_000;

    public int Version { get; init; } = 1;

    public IReadOnlyList<ClassPolicy> Classes { get; init; } = DefaultClasses;

    /// <summary>Days before EOL when owners are reminded, e.g. 14, 7 and 1; every owner also hears at EOL itself.</summary>
    public IReadOnlyList<int> ReminderDays { get; init; } = [14, 7, 1];

    /// <summary>Days from the first detection of malware to EOL: none by default, infected images expire at once.</summary>
    public int MalwareGraceDays { get; init; }

    public IReadOnlyDictionary<ActionKind, ExecutionMode> Modes { get; init; } = DefaultModes;

    /// <summary>Migrate every notebook whose image has an approved replacement, not only those whose owner chose it.</summary>
    public bool MigrateWithoutChoice { get; init; }

    /// <summary>Quartz cron (with seconds) for the start of the weekly maintenance window, UTC.</summary>
    public string MaintenanceWindowCron { get; init; } = "0 0 2 ? * SUN";

    public int MaintenanceWindowHours { get; init; } = 4;

    /// <summary>How far ahead a hold or an extension may reach.</summary>
    public int MaxHoldDays { get; init; } = 90;

    /// <summary>
    /// A fresh install plans everything and does nothing destructive: notifications are sent, every other kind is a dry run.
    /// </summary>
    public static IReadOnlyDictionary<ActionKind, ExecutionMode> DefaultModes { get; } = new Dictionary<ActionKind, ExecutionMode>
    {
        [ActionKind.NotifyOwner] = ExecutionMode.Automatic,
        [ActionKind.NotifyAdmins] = ExecutionMode.Automatic,
        [ActionKind.StopWorkload] = ExecutionMode.DryRun,
        [ActionKind.MigrateWorkload] = ExecutionMode.DryRun,
        [ActionKind.DeleteTag] = ExecutionMode.DryRun,
        [ActionKind.DeleteImage] = ExecutionMode.DryRun,
    };

    public static IReadOnlyList<ClassPolicy> DefaultClasses { get; } =
    [
        new(ImageClass.Curated, Grace(critical: 14, high: 30), StopsWorkloads: true, KeepNewestTags: 5, DeleteUnusedAfterDays: 90),
        new(ImageClass.Platform, Grace(critical: 30, high: 90), StopsWorkloads: false, KeepNewestTags: 5, DeleteUnusedAfterDays: null),
        new(ImageClass.User, Grace(critical: 14, high: 30), StopsWorkloads: true, KeepNewestTags: 5, DeleteUnusedAfterDays: 30),
        new(ImageClass.Unclassified, Grace(critical: 14, high: 30), StopsWorkloads: false, KeepNewestTags: 5, DeleteUnusedAfterDays: null),
    ];

    public ClassPolicy For(ImageClass imageClass) =>
        Classes.FirstOrDefault(c => c.Class == imageClass)
        ?? DefaultClasses.First(c => c.Class == imageClass);

    public ExecutionMode ModeOf(ActionKind kind) =>
        Modes.TryGetValue(kind, out var mode) ? mode : DefaultModes[kind];

    /// <summary>Every problem with this policy, each naming the setting; empty when it is usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        foreach (var group in Classes.GroupBy(c => c.Class).Where(g => g.Count() > 1))
        {
            errors.Add($"The {group.Key} class has {group.Count()} policies; give it one.");
        }

        foreach (var policy in Classes)
        {
            foreach (var (severity, days) in policy.GraceDays)
            {
                if (days is < 0 or > MaxGraceDays)
                {
                    errors.Add($"{policy.Class} {severity}: grace days must be between 0 and {MaxGraceDays}, not {days}.");
                }
            }

            if (policy.KeepNewestTags is < 0 or > MaxKeepNewestTags)
            {
                errors.Add($"{policy.Class}: keep between 0 and {MaxKeepNewestTags} newest tags, not {policy.KeepNewestTags}.");
            }

            if (policy.DeleteUnusedAfterDays is < 1)
            {
                errors.Add($"{policy.Class}: unused images can be deleted after 1 day at the earliest, not {policy.DeleteUnusedAfterDays}.");
            }
        }

        if (ReminderDays.Any(d => d is < 1 or > 365))
        {
            errors.Add("Reminder days are between 1 and 365 days before EOL.");
        }

        if (ReminderDays.Distinct().Count() != ReminderDays.Count)
        {
            errors.Add("Each reminder day is given once.");
        }

        if (MalwareGraceDays is < 0 or > 30)
        {
            errors.Add($"Malware grace days are between 0 and 30, not {MalwareGraceDays}.");
        }

        if (MaintenanceWindowHours is < 1 or > 168)
        {
            errors.Add($"The maintenance window lasts between 1 and 168 hours, not {MaintenanceWindowHours}.");
        }

        if (string.IsNullOrWhiteSpace(MaintenanceWindowCron))
        {
            errors.Add("The maintenance window needs a start (a cron expression).");
        }

        if (MaxHoldDays is < 1 or > 365)
        {
            errors.Add($"Holds may last between 1 and 365 days, not {MaxHoldDays}.");
        }

        return errors;
    }

    private static Dictionary<Severity, int> Grace(int critical, int high) =>
        new() { [Severity.Critical] = critical, [Severity.High] = high };
}
