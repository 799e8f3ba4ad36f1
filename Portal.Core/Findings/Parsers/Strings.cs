namespace Portal.Core.Findings.Parsers;

internal static class Strings
{
    /// <summary>Go encoders write "" for an absent string; the normalized model says absent with null.</summary>
    public static string? OrNull(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
