using System.Globalization;
using Portal.Core.Findings;
using Portal.Core.Inventory;

namespace Portal.Core.Lifecycle;

/// <summary>One setting that differs between two versions of the lifecycle policy, with both values as people read them.</summary>
public sealed record PolicyChange(string Setting, string Before, string After);

/// <summary>What changed from one version of the lifecycle policy to another, setting by setting.</summary>
public static class PolicyChanges
{
    /// <summary>The classes as people read them: the classified ones first, Unclassified last.</summary>
    public static IReadOnlyList<ImageClass> ClassOrder { get; } =
        [.. Enum.GetValues<ImageClass>().OrderBy(c => c == ImageClass.Unclassified)];

    /// <summary>The severities, worst first.</summary>
    public static IReadOnlyList<Severity> SeverityOrder { get; } = [.. Enum.GetValues<Severity>().Reverse()];

    /// <summary>
    /// The settings whose values differ, in the order the policy editor shows them. A class or action kind a version
    /// does not name counts with its default, as the decision engine reads it.
    /// </summary>
    public static IReadOnlyList<PolicyChange> Between(LifecyclePolicy before, LifecyclePolicy after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var old = Settings(before).ToDictionary(s => s.Setting, s => s.Value, StringComparer.Ordinal);
        return
        [
            .. Settings(after)
                .Where(s => old.GetValueOrDefault(s.Setting) != s.Value)
                .Select(s => new PolicyChange(s.Setting, old.GetValueOrDefault(s.Setting) ?? "(not set)", s.Value)),
        ];
    }

    /// <summary>Every setting of <paramref name="policy"/> with its value, flattened and worded for reading.</summary>
    public static IEnumerable<(string Setting, string Value)> Settings(LifecyclePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        foreach (var imageClass in ClassOrder)
        {
            var rules = policy.For(imageClass);
            foreach (var severity in SeverityOrder)
            {
                yield return ($"{imageClass}: {severity} grace days",
                    rules.GraceDays.TryGetValue(severity, out var days) ? Days(days) : "does not block");
            }

            yield return ($"{imageClass}: EOL stops workloads", YesNo(rules.StopsWorkloads));
            yield return ($"{imageClass}: keep newest tags", Number(rules.KeepNewestTags));
            yield return ($"{imageClass}: delete unused after", rules.DeleteUnusedAfterDays is { } after ? Days(after) : "never");
        }

        yield return ("Reminder days before EOL", string.Join(", ", policy.ReminderDays.Select(Number)));
        yield return ("Malware grace days", Days(policy.MalwareGraceDays));
        foreach (var kind in Enum.GetValues<ActionKind>())
        {
            yield return ($"{kind}: execution mode", policy.ModeOf(kind).ToString());
        }

        yield return ("Migrate without the owner's choice", YesNo(policy.MigrateWithoutChoice));
        yield return ("Maintenance window start (cron, UTC)", policy.MaintenanceWindowCron);
        yield return ("Maintenance window length", $"{Number(policy.MaintenanceWindowHours)} h");
        yield return ("Longest hold", Days(policy.MaxHoldDays));
    }

    private static string Days(int days) => days == 1 ? "1 day" : $"{Number(days)} days";

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string YesNo(bool value) => value ? "yes" : "no";
}
