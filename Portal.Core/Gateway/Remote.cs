using System.Text.RegularExpressions;

namespace Portal.Core.Gateway;

/// <summary>What a remote's upstream serves: any files, or a PyPI index whose Simple API pages are rewritten.</summary>
public enum RemoteKind
{
    Generic,
    PyPi,
}

/// <summary>When the gateway fetches and whether it keeps what it scanned.</summary>
public enum RemotePolicy
{
    /// <summary>Files are fetched and scanned ahead of use by a sync (and on demand for anything not synced yet).</summary>
    Immediate,

    /// <summary>Files are fetched and scanned on first request and kept.</summary>
    OnDemand,

    /// <summary>Files are fetched and scanned on every request and never kept; only the verdict is remembered.</summary>
    Streamed,
}

/// <summary>Who may read through a remote.</summary>
public enum RemoteReadAccess
{
    Anonymous,

    /// <summary>HTTP basic with an API key (gateway:read scope) as the password, as pip sends https://token:KEY@host/.</summary>
    ApiKey,
}

/// <summary>The fields of a remote as an admin enters them; <see cref="Validate"/> says what is wrong.</summary>
public sealed record RemoteDefinition(
    string Name,
    string UpstreamUrl,
    RemoteKind Kind,
    RemotePolicy Policy,
    long MaxFileBytes,
    IReadOnlyList<string> AllowedPathPatterns,
    RemoteReadAccess ReadAccess,
    string? FilesUrl = null)
{
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Name) || !Remote.NamePattern().IsMatch(Name.Trim()))
        {
            errors.Add("The name must be 1-40 lower-case letters, digits or dashes, starting with a letter or digit (it is part of the address: /content/NAME/).");
        }

        if (Remote.ParseUpstream(UpstreamUrl, out var upstreamError) is null)
        {
            errors.Add($"Upstream URL: {upstreamError}");
        }

        if (!string.IsNullOrWhiteSpace(FilesUrl))
        {
            if (Kind != RemoteKind.PyPi)
            {
                errors.Add("A files URL only applies to PyPI remotes (the host their index pages link files on).");
            }
            else if (Remote.ParseUpstream(FilesUrl, out var filesError) is null)
            {
                errors.Add($"Files URL: {filesError}");
            }
        }

        if (MaxFileBytes is < 1 or > Remote.MaxFileBytesLimit)
        {
            errors.Add($"The size limit must be between 1 byte and {Remote.MaxFileBytesLimit / (1024 * 1024 * 1024)} GiB.");
        }

        if (AllowedPathPatterns.Count > Remote.MaxPatterns)
        {
            errors.Add($"At most {Remote.MaxPatterns} path patterns.");
        }

        foreach (var pattern in AllowedPathPatterns)
        {
            if (PathPattern.Validate(pattern) is { } patternError)
            {
                errors.Add(patternError);
            }
        }

        if (!Enum.IsDefined(Kind) || !Enum.IsDefined(Policy) || !Enum.IsDefined(ReadAccess))
        {
            errors.Add("Kind, policy and read access must be one of the listed values.");
        }

        return errors;
    }
}

/// <summary>
/// A configured upstream the content gateway fetches from (DESIGN: Remote). The gateway never fetches from anywhere
/// else: a request names a remote and a relative path, and the URL is always the upstream base plus that path.
/// </summary>
public sealed partial class Remote
{
    public const int MaxNameLength = 40;
    public const int MaxUrlLength = 2_000;
    public const int MaxPatterns = 50;
    public const long MaxFileBytesLimit = 16L * 1024 * 1024 * 1024;

    private Remote()
    {
        Name = string.Empty;
        UpstreamUrl = string.Empty;
        AllowedPathPatterns = [];
        CreatedBy = string.Empty;
    }

    public long Id { get; private set; }

    /// <summary>Lower-case letters, digits and dashes; the first segment after /content/.</summary>
    public string Name { get; private set; }

    /// <summary>Absolute http(s) URL ending in "/", e.g. "https://pypi.org/".</summary>
    public string UpstreamUrl { get; private set; }

    /// <summary>PyPI only: where the index's file links point when that is another host (https://files.pythonhosted.org/).</summary>
    public string? FilesUrl { get; private set; }

    public RemoteKind Kind { get; private set; }
    public RemotePolicy Policy { get; private set; }

    /// <summary>A file larger than this is neither fetched nor kept.</summary>
    public long MaxFileBytes { get; private set; }

    /// <summary>Globs over the relative path ("packages/**", "*.whl"); empty allows every path.</summary>
    public List<string> AllowedPathPatterns { get; private set; }

    public RemoteReadAccess ReadAccess { get; private set; }

    public string CreatedBy { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    public Uri UpstreamBase => new(UpstreamUrl, UriKind.Absolute);

    public Uri? FilesBase => FilesUrl is null ? null : new Uri(FilesUrl, UriKind.Absolute);

    public static Remote Create(RemoteDefinition definition, string actor, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var remote = new Remote { CreatedBy = actor, CreatedAt = now };
        remote.Update(definition, now);
        return remote;
    }

    /// <exception cref="ArgumentException">The definition is not valid (see <see cref="RemoteDefinition.Validate"/>).</exception>
    public void Update(RemoteDefinition definition, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var errors = definition.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(definition));
        }

        Name = definition.Name.Trim();
        UpstreamUrl = ParseUpstream(definition.UpstreamUrl, out _)!.AbsoluteUri;
        FilesUrl = string.IsNullOrWhiteSpace(definition.FilesUrl) ? null : ParseUpstream(definition.FilesUrl, out _)!.AbsoluteUri;
        Kind = definition.Kind;
        Policy = definition.Policy;
        MaxFileBytes = definition.MaxFileBytes;
        AllowedPathPatterns = definition.AllowedPathPatterns.Select(p => p.Trim()).Where(p => p.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        ReadAccess = definition.ReadAccess;
        UpdatedAt = now;
    }

    public RemoteDefinition ToDefinition() =>
        new(Name, UpstreamUrl, Kind, Policy, MaxFileBytes, AllowedPathPatterns, ReadAccess, FilesUrl);

    /// <summary>True when <paramref name="path"/> matches one of the allowed patterns, or there are none.</summary>
    public bool Allows(ContentPath path) =>
        AllowedPathPatterns.Count == 0 || AllowedPathPatterns.Any(p => PathPattern.Matches(p, path.Value));

    /// <summary>The upstream URL of <paramref name="path"/>: always under the upstream base (or the files base for "+files/").</summary>
    public Uri UpstreamUriOf(ContentPath path)
    {
        if (path.IsFilesPath)
        {
            var files = FilesBase ?? throw new InvalidOperationException($"Remote '{Name}' has no files URL.");
            return new Uri(files, path.FilesRelative);
        }

        return new Uri(UpstreamBase, path.Value);
    }

    /// <summary>An absolute http or https URL without credentials, query or fragment, normalised to end in "/".</summary>
    public static Uri? ParseUpstream(string? value, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(value) || value.Trim().Length > MaxUrlLength)
        {
            error = "an absolute http or https URL is required.";
            return null;
        }

        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            error = $"'{value}' is not an absolute http or https URL.";
            return null;
        }

        if (!string.IsNullOrEmpty(uri.UserInfo) || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            error = "the URL must not contain credentials, a query or a fragment.";
            return null;
        }

        return uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,39}$")]
    internal static partial Regex NamePattern();
}
