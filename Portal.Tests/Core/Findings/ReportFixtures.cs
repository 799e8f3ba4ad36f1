using System.Text;
using Portal.Core.Findings;
using Portal.Core.Findings.Parsers;

namespace Portal.Tests.Core.Findings;

/// <summary>The scanner reports copied under Portal.Tests/Fixtures (see shared PROVENANCE) and ways to read them.</summary>
internal static class ReportFixtures
{
    public static string PathOf(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);

    public static byte[] Bytes(params string[] parts) => File.ReadAllBytes(PathOf(parts));

    public static ScanReport Read(byte[] body, ReportFormat? stated = null, ScanReportReaderOptions? options = null) =>
        ScanReportReader.Read(body, stated, options ?? new ScanReportReaderOptions());

    public static ScanReport Read(string body, ReportFormat? stated = null) => Read(Encoding.UTF8.GetBytes(body), stated);

    public static ScanReport ReadFile(params string[] parts) => Read(Bytes(parts));

    public static string Rejects(byte[] body, ReportFormat? stated = null, ScanReportReaderOptions? options = null) =>
        Should.Throw<ScanReportFormatException>(() => Read(body, stated, options)).Message;

    public static string Rejects(string body, ReportFormat? stated = null) => Rejects(Encoding.UTF8.GetBytes(body), stated);

    /// <summary>Every finding of a report, whatever artifact it belongs to.</summary>
    public static IReadOnlyList<ReportedFinding> Findings(this ScanReport report) =>
        report.Artifacts.SelectMany(a => a.Findings).ToList();

    /// <summary>The fenced code blocks of a Markdown file that are marked with the given language.</summary>
    public static IReadOnlyList<string> FencedBlocks(string markdownPath, string language)
    {
        var blocks = new List<string>();
        var lines = File.ReadAllLines(markdownPath);
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim() != "```" + language)
            {
                continue;
            }

            var body = new List<string>();
            for (i++; i < lines.Length && lines[i].Trim() != "```"; i++)
            {
                body.Add(lines[i]);
            }

            blocks.Add(string.Join('\n', body));
        }

        return blocks;
    }

    /// <summary>
    /// Counts of a report in one line, so a theory can state every number of a fixture at once and a failure shows
    /// all of them side by side.
    /// </summary>
    public static string Counts(this ScanReport report)
    {
        var findings = report.Findings();
        return Counts(
            report.Artifacts.Count,
            findings.Count(f => f.Kind == FindingKind.Vulnerability),
            findings.Count(f => f.Kind == FindingKind.Secret),
            findings.Count(f => f.Kind == FindingKind.Misconfiguration),
            findings.Count(f => f.Severity == Severity.Critical),
            findings.Count(f => f.Severity == Severity.High),
            findings.Count(f => f.Severity == Severity.Medium),
            findings.Count(f => f.Severity == Severity.Low),
            findings.Count(f => f.Severity == Severity.Unknown));
    }

    public static string Counts(
        int artifacts,
        int vulnerabilities = 0,
        int secrets = 0,
        int misconfigurations = 0,
        int critical = 0,
        int high = 0,
        int medium = 0,
        int low = 0,
        int unknown = 0) =>
        $"artifacts={artifacts} vulnerabilities={vulnerabilities} secrets={secrets} misconfigurations={misconfigurations} "
        + $"critical={critical} high={high} medium={medium} low={low} unknown={unknown}";
}
