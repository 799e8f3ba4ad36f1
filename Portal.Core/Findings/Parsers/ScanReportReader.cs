using System.Globalization;
using System.Text.Json;

namespace Portal.Core.Findings.Parsers;

/// <summary>
/// Reads a vulnerability scan report in any format the portal accepts into one normalized <see cref="ScanReport"/>.
/// The format is detected from the body unless the caller states it. Anything wrong with the body (too large, not
/// JSON or YAML, truncated, another format or version, an unknown field, a missing one) raises a
/// <see cref="ScanReportFormatException"/> whose message names the problem and where it is; nothing is returned, so
/// nothing partial can be stored.
/// </summary>
public static class ScanReportReader
{
    /// <summary>The formats a report can arrive in; the portal's own malware scans are never read from outside.</summary>
    public static IReadOnlyList<ReportFormat> ReadableFormats { get; } =
        [.. Enum.GetValues<ReportFormat>().Where(IsReadable)];

    public static bool IsReadable(ReportFormat format) => Enum.IsDefined(format) && format != ReportFormat.MalwareScan;

    private static readonly byte[] Utf8Bom = [0xEF, 0xBB, 0xBF];

    /// <param name="body">The report bytes exactly as received.</param>
    /// <param name="stated">The format the sender declared (an upload's choice, a webhook's route), or null to detect it.</param>
    /// <param name="options">Size limit and site settings.</param>
    public static ScanReport Read(ReadOnlySpan<byte> body, ReportFormat? stated, ScanReportReaderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (stated is { } claimed && !IsReadable(claimed))
        {
            throw new ScanReportFormatException(
                $"'{claimed}' is not a format the portal reads. Formats: {string.Join(", ", ReadableFormats)}.");
        }

        if (body.Length > options.MaxBodyBytes)
        {
            throw TooLarge(options);
        }

        body = Content(body);
        if (!IsJson(body))
        {
            return ReadYaml(body, stated);
        }

        var shape = ReportFormatDetector.Inspect(body);
        if (stated is not { } format)
        {
            return Parse(ReportFormatDetector.Detect(shape, body), body, shape, options);
        }

        try
        {
            return Parse(format, body, shape, options);
        }
        catch (ScanReportFormatException ex) when (TryDetect(shape, body) is { } detected && detected != format)
        {
            throw new ScanReportFormatException($"{ex.Message} The body looks like {Describe(detected)}, not {Describe(format)}.", ex);
        }
    }

    /// <summary>Reads the whole stream (up to the size limit) and then the report. Synchronous I/O; see <see cref="ReadAsync"/>.</summary>
    public static ScanReport Read(Stream body, ReportFormat? stated, ScanReportReaderOptions options)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(options);
        CheckLength(body, options);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = body.Read(chunk, 0, chunk.Length)) > 0)
        {
            Append(buffer, chunk.AsSpan(0, read), options);
        }

        return Read(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), stated, options);
    }

    /// <summary>Reads the whole stream (up to the size limit) without blocking, as request bodies must be read.</summary>
    public static async Task<ScanReport> ReadAsync(
        Stream body, ReportFormat? stated, ScanReportReaderOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(options);
        CheckLength(body, options);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            Append(buffer, chunk.AsSpan(0, read), options);
        }

        return Read(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), stated, options);
    }

    /// <summary>Which format a body is in, without reading the rest of it (for showing a choice before an upload).</summary>
    public static ReportFormat Detect(ReadOnlySpan<byte> body)
    {
        body = Content(body);
        if (!IsJson(body))
        {
            // Only Trivy Operator reports come as YAML; reading them is the only sure way to tell.
            return ReadYaml(body, stated: null).Format;
        }

        return ReportFormatDetector.Detect(ReportFormatDetector.Inspect(body), body);
    }

    private static ScanReport Parse(ReportFormat format, ReadOnlySpan<byte> json, ReportFormatDetector.Shape shape, ScanReportReaderOptions options) =>
        format switch
        {
            ReportFormat.Trivy => TrivyReportParser.Parse(json),
            ReportFormat.TrivyOperator => TrivyOperatorReportParser.Parse([json.ToArray()], fromYaml: false),
            ReportFormat.XrayWebhook => XrayWebhookParser.Parse(json, options),
            ReportFormat.XrayViolations => XrayViolationsParser.Parse(json, shape.Members, options),
            ReportFormat.XraySummary => XraySummaryParser.Parse(json, options),
            ReportFormat.Harbor => HarborReportParser.Parse(json),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Not a report format."),
        };

    private static ScanReport ReadYaml(ReadOnlySpan<byte> body, ReportFormat? stated)
    {
        if (body.IsEmpty)
        {
            throw new ScanReportFormatException("The report body is empty.");
        }

        if (stated is { } format && format != ReportFormat.TrivyOperator)
        {
            throw new ScanReportFormatException(
                $"The report was stated to be {Describe(format)}, which is JSON, but the body does not start with '{{' "
                + $"(it starts with '{Start(body)}').");
        }

        var documents = YamlDocuments.ToJson(body, TrivyOperatorReportParser.What);
        for (var d = 0; d < documents.Count; d++)
        {
            using var document = JsonDocument.Parse(documents[d]);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            // Say plainly that YAML means Trivy Operator, rather than complain about a Pod's missing "report".
            var kind = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("kind", out var k) && k.ValueKind == JsonValueKind.String
                ? k.GetString()
                : null;
            var apiVersion = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("apiVersion", out var v) && v.ValueKind == JsonValueKind.String
                ? v.GetString()
                : null;
            if (!TrivyOperatorReportParser.IsOperatorKind(apiVersion, kind))
            {
                var what = root.ValueKind != JsonValueKind.Object ? "is not a mapping"
                    : kind is null ? "has no kind"
                    : $"is a {kind}{(apiVersion is null ? string.Empty : $" ({apiVersion})")}";
                throw new ScanReportFormatException(
                    $"The body is not JSON, so it was read as YAML, which the portal accepts only for Trivy Operator "
                    + $"VulnerabilityReports; {(documents.Count > 1 ? $"document {d + 1}" : "the document")} {what}.");
            }
        }

        return TrivyOperatorReportParser.Parse(documents, fromYaml: true);
    }

    private static ReportFormat? TryDetect(ReportFormatDetector.Shape shape, ReadOnlySpan<byte> json)
    {
        try
        {
            return ReportFormatDetector.Detect(shape, json);
        }
        catch (ScanReportFormatException)
        {
            return null;
        }
    }

    // Without a UTF-8 byte order mark and surrounding whitespace, which JSON and YAML both allow but the JSON reader does not.
    private static ReadOnlySpan<byte> Content(ReadOnlySpan<byte> body)
    {
        if (body.StartsWith(Utf8Bom))
        {
            body = body[Utf8Bom.Length..];
        }

        return body.Trim(" \t\r\n"u8);
    }

    private static bool IsJson(ReadOnlySpan<byte> body) => !body.IsEmpty && body[0] is (byte)'{' or (byte)'[';

    private static string Start(ReadOnlySpan<byte> body)
    {
        var text = System.Text.Encoding.UTF8.GetString(body[..Math.Min(body.Length, 20)]);
        return text.Split('\n')[0];
    }

    private static void CheckLength(Stream body, ScanReportReaderOptions options)
    {
        if (body.CanSeek && body.Length - body.Position > options.MaxBodyBytes)
        {
            throw TooLarge(options);
        }
    }

    private static void Append(MemoryStream buffer, ReadOnlySpan<byte> chunk, ScanReportReaderOptions options)
    {
        if (buffer.Length + chunk.Length > options.MaxBodyBytes)
        {
            throw TooLarge(options);
        }

        buffer.Write(chunk);
    }

    private static ScanReportFormatException TooLarge(ScanReportReaderOptions options)
    {
        var limit = options.MaxBodyBytes;
        var mebibytes = limit % (1024 * 1024) == 0
            ? string.Create(CultureInfo.InvariantCulture, $" ({limit / (1024 * 1024)} MiB)")
            : string.Empty;
        return new ScanReportFormatException(string.Create(
            CultureInfo.InvariantCulture,
            $"The report is larger than the configured size limit of {limit:N0} bytes{mebibytes} "
            + $"({ScanReportReaderOptions.SectionName}:{nameof(ScanReportReaderOptions.MaxBodyBytes)})."));
    }

    private static string Describe(ReportFormat format) => format switch
    {
        ReportFormat.Trivy => "a Trivy JSON report",
        ReportFormat.TrivyOperator => "a Trivy Operator VulnerabilityReport",
        ReportFormat.XrayWebhook => "an Xray webhook payload",
        ReportFormat.XrayViolations => "an Xray violations response",
        ReportFormat.XraySummary => "an Xray artifact summary",
        ReportFormat.Harbor => "a Harbor vulnerability report",
        _ => format.ToString(),
    };
}
