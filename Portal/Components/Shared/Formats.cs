using System.Globalization;

namespace Portal.Components.Shared;

/// <summary>How sizes and times read on every page.</summary>
public static class Formats
{
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB"];

    public static string Size(long bytes)
    {
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0 ? $"{bytes} B" : value.ToString(value < 10 ? "0.0" : "0", CultureInfo.InvariantCulture) + " " + Units[unit];
    }

    public static string Time(DateTimeOffset? time) =>
        time is null ? "—" : time.Value.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";

    /// <summary>A period as people say it: "day", "12 hours", "30 minutes", "2 days".</summary>
    public static string Duration(TimeSpan period) => period switch
    {
        { TotalDays: 1 } => "day",
        { TotalDays: >= 1 } when period.TotalDays % 1 == 0 => $"{period.TotalDays:0} days",
        { TotalHours: 1 } => "hour",
        { TotalHours: >= 1 } when period.TotalHours % 1 == 0 => $"{period.TotalHours:0} hours",
        { TotalMinutes: 1 } => "minute",
        { TotalMinutes: >= 1 } when period.TotalMinutes % 1 == 0 => $"{period.TotalMinutes:0} minutes",
        _ => period.ToString("c", CultureInfo.InvariantCulture),
    };
}
