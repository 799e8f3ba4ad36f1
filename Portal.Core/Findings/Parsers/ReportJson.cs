using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Portal.Core.Findings.Parsers;

/// <summary>
/// Deserializes report bodies into the per-format DTOs and turns System.Text.Json's errors into messages an operator
/// can act on: what is wrong, the JSON path, and (for JSON bodies) the line and column.
/// </summary>
internal static partial class ReportJson
{
    /// <summary>
    /// Strict on purpose: a member the DTOs do not model means the report is not the format we think it is (or the
    /// format changed), and guessing could silently lose findings. Required members and non-nullable properties are
    /// enforced, and a member given twice is an error rather than "last one wins".
    /// </summary>
    internal static readonly JsonSerializerOptions Options = new()
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        AllowDuplicateProperties = false,
        NumberHandling = JsonNumberHandling.Strict,
        MaxDepth = 64,
    };

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64, AllowDuplicateProperties = false };

    /// <param name="json">The body (or a YAML document converted to JSON).</param>
    /// <param name="what">How messages name the document, e.g. "Trivy report".</param>
    /// <param name="fromYaml">
    /// True when <paramref name="json"/> was converted from YAML: its line numbers would point into the converted text,
    /// so messages give only the path.
    /// </param>
    public static T Deserialize<T>(ReadOnlySpan<byte> json, string what, bool fromYaml = false)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, Options)
                ?? throw new ScanReportFormatException($"{what}: the body is JSON null, not a report.");
        }
        catch (JsonException ex)
        {
            throw new ScanReportFormatException($"{what}: {Describe(ex, json, fromYaml)}", ex);
        }
    }

    /// <summary>Parses a body whose shape must be looked at before choosing a DTO (Kubernetes lists, Harbor wrappers).</summary>
    public static JsonDocument ParseDocument(ReadOnlySpan<byte> json, string what, bool fromYaml = false)
    {
        try
        {
            return JsonDocument.Parse(json.ToArray(), DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new ScanReportFormatException($"{what}: {Describe(ex, json, fromYaml)}", ex);
        }
    }

    /// <summary>Deserializes part of a parsed document; <paramref name="path"/> is where it sits in the body.</summary>
    public static T Deserialize<T>(JsonElement element, string what, string path)
        where T : class
    {
        try
        {
            return element.Deserialize<T>(Options)
                ?? throw new ScanReportFormatException($"{what}: {path} is null.");
        }
        catch (JsonException ex)
        {
            throw new ScanReportFormatException($"{what}: {Describe(ex, [], fromYaml: true, path)}", ex);
        }
    }

    /// <summary>Rewrites a JsonException as "problem at path (line, column)".</summary>
    internal static string Describe(JsonException ex, ReadOnlySpan<byte> json, bool fromYaml, string? pathPrefix = null)
    {
        var path = string.IsNullOrEmpty(ex.Path) ? "$" : ex.Path;
        if (pathPrefix is not null)
        {
            path = pathPrefix + path[1..];
        }

        var where = fromYaml || ex.LineNumber is null || ex.BytePositionInLine is null
            ? string.Empty
            : string.Create(CultureInfo.InvariantCulture, $" (line {ex.LineNumber + 1}, column {ex.BytePositionInLine + 1})");
        var message = ex.Message;

        if (UnmappedMember().Match(message) is { Success: true } unmapped)
        {
            var parent = ParentPath(path);
            return $"unknown field '{unmapped.Groups["name"].Value}' at {parent}{where}. The portal reads only the fields "
                + "this format documents, so an unknown one means a different format or version.";
        }

        if (MissingRequired().Match(message) is { Success: true } missing)
        {
            var names = missing.Groups["names"].Value.TrimEnd('.');
            return $"missing required field {names} at {path}{where}.";
        }

        if (DuplicateMember().Match(message) is { Success: true } duplicate)
        {
            return $"field '{duplicate.Groups["name"].Value}' appears twice at {ParentPath(path)}{where}.";
        }

        if (message.StartsWith("Duplicate properties not allowed", StringComparison.Ordinal))
        {
            return $"field '{LastSegment(path)}' appears twice at {ParentPath(path)}{where}.";
        }

        if (NullNotAllowed().IsMatch(message))
        {
            return $"{path} must not be null{where}.";
        }

        if (CannotConvert().Match(message) is { Success: true } convert)
        {
            var expected = DescribeType(convert.Groups["type"].Value);
            var found = DescribeFound(ex, json, fromYaml);
            if (found == "a string" && expected.StartsWith("a date", StringComparison.Ordinal))
            {
                // The value was a string, just not a time: saying "not a string" would be wrong.
                found = null;
            }

            return found is null
                ? $"{path} must be {expected}{where}."
                : $"{path} must be {expected}, not {found}{where}.";
        }

        // The serializer wraps the reader's syntax errors; JsonDocument throws them as they are.
        var syntaxError = IsSyntaxError(ex) ? ex : ex.InnerException is { } inner && IsSyntaxError(inner) ? inner : null;
        if (syntaxError is not null)
        {
            var reason = StripPosition(syntaxError.Message);
            if (reason.Contains("end of data", StringComparison.Ordinal)
                || reason.Contains("Expected depth to be zero", StringComparison.Ordinal))
            {
                return $"the JSON ends too early (truncated?) at {path}{where}: {reason}";
            }

            if (reason.Contains("does not contain any JSON tokens", StringComparison.Ordinal))
            {
                return "the body contains no JSON.";
            }

            return $"not valid JSON at {path}{where}: {reason}";
        }

        // Messages thrown by our own converters already name the problem; others keep System.Text.Json's wording.
        return $"{StripPosition(message)} at {path}{where}.";
    }

    private static bool IsSyntaxError(Exception ex) => ex.GetType().Name == "JsonReaderException";

    private static string ParentPath(string path)
    {
        // "$.Results[0].Foo" -> "$.Results[0]"; "$['a.b']" stays readable enough either way.
        var dot = path.LastIndexOf('.');
        return dot > 0 && path.IndexOf('[', dot) < 0 ? path[..dot] : path;
    }

    private static string LastSegment(string path)
    {
        var dot = path.LastIndexOf('.');
        return dot >= 0 ? path[(dot + 1)..] : path;
    }

    private static string StripPosition(string message)
    {
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = message.IndexOf(" LineNumber: ", StringComparison.Ordinal);
        }

        return (cut >= 0 ? message[..cut] : message).TrimEnd();
    }

    private static string DescribeType(string typeName)
    {
        if (typeName.Contains("List`1", StringComparison.Ordinal) || typeName.EndsWith("[]", StringComparison.Ordinal))
        {
            return "an array";
        }

        if (typeName.Contains("Dictionary`2", StringComparison.Ordinal))
        {
            return "an object";
        }

        var bare = typeName.Replace("System.Nullable`1[", string.Empty, StringComparison.Ordinal).TrimEnd(']');
        return bare switch
        {
            "System.String" => "a string",
            "System.Int32" or "System.Int64" => "a whole number",
            "System.Double" or "System.Decimal" or "System.Single" => "a number",
            "System.Boolean" => "true or false",
            "System.Text.Json.JsonElement" => "a JSON value",
            "System.DateTimeOffset" or "System.DateTime" => "a date and time (RFC 3339)",
            _ => "an object",
        };
    }

    private static string? DescribeFound(JsonException ex, ReadOnlySpan<byte> json, bool fromYaml)
    {
        // The reader says which token it found for scalar mismatches ...
        if (ex.InnerException is InvalidOperationException inner
            && TokenType().Match(inner.Message) is { Success: true } token)
        {
            return token.Groups["token"].Value switch
            {
                "String" => "a string",
                "Number" => "a number",
                "True" or "False" => "a boolean",
                "Null" => "null",
                "StartObject" => "an object",
                "StartArray" => "an array",
                var other => other,
            };
        }

        // ... but not for containers and strings; the reported position is then just past the opening bracket, or
        // past the end of the value.
        if (fromYaml || ex.LineNumber is not { } line || ex.BytePositionInLine is not { } column)
        {
            return null;
        }

        var offset = OffsetOf(json, line, column) - 1;
        return offset >= 0 && offset < json.Length
            ? json[(int)offset] switch
            {
                (byte)'{' => "an object",
                (byte)'[' => "an array",
                (byte)'"' => "a string",
                >= (byte)'0' and <= (byte)'9' => "a number",
                (byte)'e' => "a boolean",
                (byte)'l' => "null",
                _ => null,
            }
            : null;
    }

    private static long OffsetOf(ReadOnlySpan<byte> json, long line, long column)
    {
        long offset = 0;
        for (var remaining = line; remaining > 0; remaining--)
        {
            var newline = json[(int)offset..].IndexOf((byte)'\n');
            if (newline < 0)
            {
                return -1;
            }

            offset += newline + 1;
        }

        return offset + column;
    }

    [GeneratedRegex(@"^The JSON property '(?<name>.*)' could not be mapped to any \.NET member", RegexOptions.CultureInvariant)]
    private static partial Regex UnmappedMember();

    [GeneratedRegex(@"was missing required properties including: (?<names>.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex MissingRequired();

    [GeneratedRegex(@"^Duplicate property '(?<name>.*)' encountered", RegexOptions.CultureInvariant)]
    private static partial Regex DuplicateMember();

    [GeneratedRegex(@"doesn't allow setting null values", RegexOptions.CultureInvariant)]
    private static partial Regex NullNotAllowed();

    [GeneratedRegex(@"^The JSON value could not be converted to (?<type>\S+)\. ", RegexOptions.CultureInvariant)]
    private static partial Regex CannotConvert();

    [GeneratedRegex(@"token type '(?<token>\w+)'", RegexOptions.CultureInvariant)]
    private static partial Regex TokenType();
}
