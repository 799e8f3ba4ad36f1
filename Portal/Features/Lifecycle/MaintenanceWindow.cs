using Portal.Core.Lifecycle;
using Quartz;

namespace Portal.Features.Lifecycle;

/// <summary>
/// The policy's weekly maintenance window: it opens at each fire time of its Quartz cron expression (UTC) and lasts
/// the policy's number of hours. Stops, migrations and deletions run only inside it, unless an admin executes now.
/// </summary>
public sealed record MaintenanceWindow(DateTimeOffset Opens, DateTimeOffset Closes)
{
    /// <summary>The window open at <paramref name="now"/>, or null when none is.</summary>
    public static MaintenanceWindow? At(LifecyclePolicy policy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var length = TimeSpan.FromHours(policy.MaintenanceWindowHours);
        // The first opening strictly after (now - length) is the only one whose window can still be open at now (a window
        // includes its opening and excludes its closing).
        var opens = Cron(policy).GetNextValidTimeAfter(now - length);
        return opens is { } start && start <= now ? new MaintenanceWindow(start, start + length) : null;
    }

    /// <summary>The next windows to open after <paramref name="now"/>.</summary>
    public static IReadOnlyList<MaintenanceWindow> Next(LifecyclePolicy policy, DateTimeOffset now, int count)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var cron = Cron(policy);
        var length = TimeSpan.FromHours(policy.MaintenanceWindowHours);
        var windows = new List<MaintenanceWindow>(count);
        for (var after = now; windows.Count < count && cron.GetNextValidTimeAfter(after) is { } opens; after = opens)
        {
            windows.Add(new MaintenanceWindow(opens, opens + length));
        }

        return windows;
    }

    /// <summary>
    /// Whether <paramref name="expression"/> is a Quartz cron expression that still opens a window (one pinned to a past
    /// year would silently stop every stop, migration and deletion); the error says what is wrong.
    /// </summary>
    public static bool IsValidCron(string? expression, out string? error)
    {
        try
        {
            var cron = new CronExpression(expression ?? "", TimeZoneInfo.Utc);
            error = cron.GetNextValidTimeAfter(DateTimeOffset.UtcNow) is null
                ? "The maintenance window's start never comes again; stops, migrations and deletions would never run."
                : null;
            return error is null;
        }
        catch (FormatException ex)
        {
            error = $"The maintenance window's start is not a valid cron expression: {ex.Message}";
            return false;
        }
    }

    private static CronExpression Cron(LifecyclePolicy policy) =>
        new(policy.MaintenanceWindowCron, TimeZoneInfo.Utc);
}
