using System.Globalization;

namespace Portal.Core.Findings.Parsers;

internal static class Timestamps
{
    /// <summary>An RFC 3339 time as the formats write it (Go writes up to nine fractional digits); empty is absent.</summary>
    public static DateTimeOffset? Parse(string? value, string path, string what)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : throw new ScanReportFormatException($"{what}: {path} '{value}' is not a date and time (RFC 3339).");
    }
}
