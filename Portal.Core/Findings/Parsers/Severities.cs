namespace Portal.Core.Findings.Parsers;

/// <summary>Each scanner's severity words mapped onto <see cref="Severity"/>. An unknown word is an error, not a guess.</summary>
internal static class Severities
{
    /// <summary>Trivy and Trivy Operator: CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN (Operator also accepts NONE).</summary>
    public static Severity FromTrivy(string? value, string path, string what) => value?.ToUpperInvariant() switch
    {
        null or "" or "UNKNOWN" => Severity.Unknown,
        "LOW" => Severity.Low,
        "MEDIUM" => Severity.Medium,
        "HIGH" => Severity.High,
        "CRITICAL" => Severity.Critical,
        // "No risk" still names a real finding; it ranks with the least severe ones rather than with "not rated".
        "NONE" => Severity.Low,
        _ => throw Unknown(value, path, what, "CRITICAL, HIGH, MEDIUM, LOW or UNKNOWN"),
    };

    /// <summary>
    /// Harbor's scale: Critical, High, Medium, Low, Negligible, Unknown, and "None", which Harbor itself uses for a
    /// report with nothing in it. Negligible is "technically a problem, only theoretical", so it ranks as Low.
    /// </summary>
    public static Severity FromHarbor(string? value, string path, string what) => value switch
    {
        null or "" or "Unknown" => Severity.Unknown,
        "None" or "Negligible" or "Low" => Severity.Low,
        "Medium" => Severity.Medium,
        "High" => Severity.High,
        "Critical" => Severity.Critical,
        _ => throw Unknown(value, path, what, "Critical, High, Medium, Low, Negligible, None or Unknown"),
    };

    /// <summary>
    /// JFrog Xray: Critical, High, Medium, Low, Information, Unknown. Xray 1.x reports used Major and Minor, which
    /// Xray 2 renamed to Medium and Low; old payloads still carry them.
    /// </summary>
    public static Severity FromXray(string? value, string path, string what) => value?.ToUpperInvariant() switch
    {
        null or "" or "UNKNOWN" => Severity.Unknown,
        "INFORMATION" or "INFORMATIONAL" or "LOW" or "MINOR" => Severity.Low,
        "MEDIUM" or "MAJOR" => Severity.Medium,
        "HIGH" => Severity.High,
        "CRITICAL" => Severity.Critical,
        _ => throw Unknown(value, path, what, "Critical, High, Medium, Low, Information, Unknown (or legacy Major, Minor)"),
    };

    private static ScanReportFormatException Unknown(string value, string path, string what, string expected) =>
        new($"{what}: unknown severity '{value}' at {path} (expected {expected}).");
}
