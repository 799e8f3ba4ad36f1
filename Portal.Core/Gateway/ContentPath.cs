using System.Text.RegularExpressions;

namespace Portal.Core.Gateway;

/// <summary>
/// A path inside a remote, as the gateway accepts it: relative, made of plain segments, never leaving the remote's
/// upstream base. Parsing works on the raw (still percent-encoded) request path so that an encoded traversal
/// ("%2e%2e", "%2f", "%5c"), a double encoding ("%252e") or a NUL is seen and refused rather than decoded into
/// something the upstream would resolve. Absolute URLs ("http://other/x" gives an "http:" segment and an empty one)
/// are refused too: the gateway is never an open proxy.
/// </summary>
public sealed partial class ContentPath : IEquatable<ContentPath>
{
    public const int MaxLength = 1_024;
    public const int MaxSegments = 64;

    /// <summary>PyPI remotes: paths under this first segment are fetched from the remote's files URL.</summary>
    public const string FilesPrefix = "+files";

    private ContentPath(IReadOnlyList<string> segments)
    {
        Segments = segments;
        Value = string.Join('/', segments);
        Escaped = string.Join('/', segments.Select(Uri.EscapeDataString));
    }

    /// <summary>The decoded segments.</summary>
    public IReadOnlyList<string> Segments { get; }

    /// <summary>The decoded path, segments joined by "/": how the portal stores and shows it.</summary>
    public string Value { get; }

    /// <summary>The path with each segment percent-encoded: how it is appended to the upstream URL.</summary>
    public string Escaped { get; }

    /// <summary>The last segment: the file name, whose extension scanners and content types look at.</summary>
    public string FileName => Segments[^1];

    public bool IsFilesPath => Segments.Count > 1 && Segments[0] == FilesPrefix;

    /// <summary>For a "+files/..." path: the escaped rest, relative to the files URL.</summary>
    public string FilesRelative => string.Join('/', Segments.Skip(1).Select(Uri.EscapeDataString));

    public static ContentPath Parse(string raw) =>
        TryParse(raw, out var path, out var error) ? path : throw new FormatException(error);

    /// <param name="raw">The path after "/content/{remote}/", still percent-encoded, without query or fragment.</param>
    public static bool TryParse(string? raw, out ContentPath path, out string error)
    {
        path = null!;
        if (string.IsNullOrEmpty(raw))
        {
            error = "A path inside the remote is required.";
            return false;
        }

        if (raw.Length > MaxLength * 3)
        {
            error = $"The path is longer than {MaxLength} characters.";
            return false;
        }

        var rawSegments = raw.Split('/');
        if (rawSegments.Length > MaxSegments)
        {
            error = $"The path has more than {MaxSegments} segments.";
            return false;
        }

        var segments = new List<string>(rawSegments.Length);
        for (var i = 0; i < rawSegments.Length; i++)
        {
            var rawSegment = rawSegments[i];
            // A trailing slash names a directory page (PyPI's /simple/requests/): kept as an empty last segment.
            if (rawSegment.Length == 0 && i == rawSegments.Length - 1 && i > 0)
            {
                segments.Add(string.Empty);
                continue;
            }

            if (SegmentError(rawSegment, first: i == 0) is { } segmentError)
            {
                error = segmentError;
                return false;
            }

            segments.Add(Uri.UnescapeDataString(rawSegment));
        }

        var candidate = new ContentPath(segments);
        if (candidate.Value.Length > MaxLength)
        {
            error = $"The path is longer than {MaxLength} characters.";
            return false;
        }

        path = candidate;
        error = string.Empty;
        return true;
    }

    private static string? SegmentError(string raw, bool first)
    {
        if (raw.Length == 0)
        {
            return "The path has an empty segment ('//' or a leading '/'); absolute URLs and other hosts are refused.";
        }

        for (var at = raw.IndexOf('%', StringComparison.Ordinal); at >= 0; at = raw.IndexOf('%', at + 1))
        {
            if (at + 2 >= raw.Length || !Uri.IsHexDigit(raw[at + 1]) || !Uri.IsHexDigit(raw[at + 2]))
            {
                return "The path is not valid percent-encoding ('%' must be followed by two hex digits).";
            }
        }

        string decoded;
        try
        {
            decoded = Uri.UnescapeDataString(raw);
        }
        catch (UriFormatException)
        {
            return "The path is not valid percent-encoding.";
        }

        if (decoded is "." or "..")
        {
            return "The path contains '.' or '..' segments (also when percent-encoded); paths may not leave the remote.";
        }

        foreach (var c in decoded)
        {
            if (c is '/' or '\\')
            {
                return "The path contains an encoded '/' or a '\\'; paths may not leave the remote.";
            }

            if (char.IsControl(c))
            {
                return "The path contains a control character.";
            }
        }

        // "%252e%252e" decodes to "%2e%2e": an upstream that decodes again would see "..".
        if (DoubleEncoded().IsMatch(decoded))
        {
            return "The path is percent-encoded twice; paths may not leave the remote.";
        }

        if (first && decoded.Contains(':', StringComparison.Ordinal))
        {
            return "The path starts like an absolute URL; the gateway only fetches from its configured remotes.";
        }

        return null;
    }

    public bool Equals(ContentPath? other) => other is not null && other.Value == Value;

    public override bool Equals(object? obj) => Equals(obj as ContentPath);

    public override int GetHashCode() => Value.GetHashCode(StringComparison.Ordinal);

    public override string ToString() => Value;

    [GeneratedRegex("%[0-9A-Fa-f]{2}")]
    private static partial Regex DoubleEncoded();
}
