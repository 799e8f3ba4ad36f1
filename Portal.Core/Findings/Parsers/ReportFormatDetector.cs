using System.Text.Json;

namespace Portal.Core.Findings.Parsers;

/// <summary>
/// Tells the report formats apart by their distinctive top-level members, reading only the top level of the body.
/// Bodies of formats the portal does not read, but that people will send (JFrog CLI output, old Xray exports, Trivy's
/// SchemaVersion 1), get a message saying what they are and what to send instead.
/// </summary>
internal static class ReportFormatDetector
{
    private const string Expected =
        "expected Trivy JSON (SchemaVersion 2), a Trivy Operator VulnerabilityReport, a Harbor vulnerability report "
        + "(version 1.1), or an Xray webhook, violations or artifact summary response";

    /// <summary>The top level of a JSON body: its kind, member names, and the few member values detection needs.</summary>
    internal sealed record Shape(
        JsonTokenType Root,
        IReadOnlyList<string> Members,
        string? ApiVersion,
        string? Kind,
        IReadOnlyList<string> FirstItemMembers,
        JsonException? Error);

    public static Shape Inspect(ReadOnlySpan<byte> json)
    {
        var members = new List<string>();
        var firstItemMembers = new List<string>();
        string? apiVersion = null, kind = null;
        var root = JsonTokenType.None;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = ReportJson.Options.MaxDepth });
        try
        {
            if (reader.Read())
            {
                root = reader.TokenType;
                if (root == JsonTokenType.StartObject)
                {
                    ReadMembers(ref reader, members, ref apiVersion, ref kind);
                }
                else if (root == JsonTokenType.StartArray && reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                {
                    string? itemApiVersion = null, itemKind = null;
                    ReadMembers(ref reader, firstItemMembers, ref itemApiVersion, ref itemKind);
                }
            }
        }
        catch (JsonException ex)
        {
            // A damaged body may still say what it is in its first members; the format's parser then names the damage.
            return new Shape(root, members, apiVersion, kind, firstItemMembers, ex);
        }

        return new Shape(root, members, apiVersion, kind, firstItemMembers, null);
    }

    private static void ReadMembers(ref Utf8JsonReader reader, List<string> members, ref string? apiVersion, ref string? kind)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            members.Add(name);
            reader.Read();
            if (reader.TokenType == JsonTokenType.String && name is "apiVersion" or "kind")
            {
                if (name == "apiVersion")
                {
                    apiVersion = reader.GetString();
                }
                else
                {
                    kind = reader.GetString();
                }
            }

            reader.Skip();
        }
    }

    /// <summary>The format of a JSON body, or an exception saying why it is none of them.</summary>
    public static ReportFormat Detect(Shape shape, ReadOnlySpan<byte> json)
    {
        switch (shape.Root)
        {
            case JsonTokenType.StartObject:
                return DetectObject(shape, json);
            case JsonTokenType.StartArray:
                throw new ScanReportFormatException(DescribeArray(shape.FirstItemMembers));
            case JsonTokenType.None:
                throw Invalid(shape, json);
            default:
                throw new ScanReportFormatException($"The body is a single JSON value, not a report object; {Expected}.");
        }
    }

    private static ReportFormat DetectObject(Shape shape, ReadOnlySpan<byte> json)
    {
        var m = shape.Members;
        if (m.Contains("SchemaVersion") || (m.Contains("Results") && (m.Contains("ArtifactName") || m.Contains("ArtifactType"))))
        {
            return ReportFormat.Trivy;
        }

        if (TrivyOperatorReportParser.IsOperatorKind(shape.ApiVersion, shape.Kind))
        {
            return ReportFormat.TrivyOperator;
        }

        if (shape.Kind is not null && shape.ApiVersion is not null)
        {
            throw new ScanReportFormatException(
                $"The body is a Kubernetes {shape.Kind} ({shape.ApiVersion}), not a Trivy Operator VulnerabilityReport "
                + $"({TrivyOperatorReportParser.ApiVersion}).");
        }

        if (m.Contains("generated_at") || (m.Contains("scanner") && m.Contains("vulnerabilities"))
            || HarborReportParser.IsMimeKeyed(m))
        {
            return ReportFormat.Harbor;
        }

        if (m.Contains("issues")
            && (m.Contains("watch_name") || m.Contains("schema_version") || m.Contains("alert_id") || m.Contains("top_severity")))
        {
            return ReportFormat.XrayWebhook;
        }

        if (XrayViolationsParser.IsViolationsList(m) || XrayViolationsParser.IsReportRows(m))
        {
            return ReportFormat.XrayViolations;
        }

        if (m.Contains("artifacts"))
        {
            return ReportFormat.XraySummary;
        }

        if (m.Contains("total_count") && m.Contains("data"))
        {
            throw new ScanReportFormatException(
                "The body is an old Xray issues export ({total_count, data}): it lists vulnerable components but names "
                + "no impacted image, so its findings cannot be tied to one. Send the artifact summary "
                + "(POST /api/v1/summary/artifact), the violations API response, or a webhook instead.");
        }

        if (m.Contains("multiScanId") || m.Contains("scansStatus") || m.Contains("securityViolations"))
        {
            throw new ScanReportFormatException(
                "The body is JFrog CLI output (`jf scan`/`jf docker scan --format simple-json`), which names the scanned "
                + "image only as the CLI saw it, not as it is stored in Artifactory. Send Xray's own responses instead: "
                + "a webhook, the violations API, or the artifact summary API.");
        }

        if (m.Contains("scan_id"))
        {
            throw new ScanReportFormatException(
                "The body is an Xray graph scan result (scan_id), as the JFrog CLI prints with --format json; it is not "
                + "tied to an image stored in Artifactory. Send a webhook, violations or artifact summary response.");
        }

        if (m.Contains("alerts"))
        {
            throw new ScanReportFormatException(
                "The body is an old Xray build scan response ({summary, alerts}); the portal reads Xray webhooks "
                + "(schema 1.1), the violations API and the artifact summary API.");
        }

        if (shape.Error is not null)
        {
            throw Invalid(shape, json);
        }

        throw new ScanReportFormatException(
            "The body is not a report the portal reads: its top-level members are "
            + (m.Count == 0 ? "none" : string.Join(", ", m.Take(12).Select(n => $"'{n}'"))) + $"; {Expected}.");
    }

    private static string DescribeArray(IReadOnlyList<string> firstItem)
    {
        if (firstItem.Contains("scan_id"))
        {
            return "The body is a JSON array of Xray graph scan results, as `jf docker scan --format json` prints; it "
                + "is not tied to an image stored in Artifactory. Send a webhook, violations or artifact summary "
                + "response, each a JSON object.";
        }

        if (firstItem.Contains("Target"))
        {
            return "The body is a JSON array of Trivy results, the SchemaVersion 1 format of Trivy before 0.20; only "
                + "SchemaVersion 2 (an object with SchemaVersion, ArtifactName and Results) is read.";
        }

        if (firstItem.Contains("kind"))
        {
            return "The body is a JSON array of Kubernetes objects; send one VulnerabilityReport or a List "
                + "(`kubectl get vulnerabilityreports -o json`), each a JSON object.";
        }

        return $"The body is a JSON array, but every report format is a JSON object; {Expected}.";
    }

    private static ScanReportFormatException Invalid(Shape shape, ReadOnlySpan<byte> json) =>
        shape.Error is { } error
            ? new ScanReportFormatException($"The body is not valid JSON: {ReportJson.Describe(error, json, fromYaml: false)}", error)
            : new ScanReportFormatException("The body is empty.");
}
