namespace Portal.Core.Gateway.PyPi;

/// <summary>
/// Maps URLs between a remote's upstream and the gateway's public address for that remote, both ways.
/// <para>
/// Two upstream places are reachable: the remote's base URL (e.g. <c>https://pypi.org/</c>) and, optionally, the
/// host where it keeps its files (e.g. <c>https://files.pythonhosted.org/</c>). A URL under the base becomes the
/// gateway base plus the same relative path; one under the files base becomes the gateway base plus
/// <see cref="FilesPrefix"/> plus the relative path. Nothing else has a gateway URL: the gateway never offers a
/// route to a host the remote was not configured with.
/// </para>
/// </summary>
public sealed class GatewayLinkMap
{
    /// <summary>
    /// Where the files base appears under the gateway base. "+" cannot begin a normalized project name or a PyPI path
    /// segment, so it does not hide anything the upstream base serves; upstream paths that do begin with it are not
    /// mapped at all rather than made ambiguous.
    /// </summary>
    public const string FilesPrefix = "+files/";

    public GatewayLinkMap(Uri upstreamBase, Uri? filesBase, Uri gatewayBase)
    {
        UpstreamBase = AsDirectory(upstreamBase, nameof(upstreamBase));
        FilesBase = filesBase is null ? null : AsDirectory(filesBase, nameof(filesBase));
        GatewayBase = AsDirectory(gatewayBase, nameof(gatewayBase));
    }

    /// <summary>The remote's upstream base, always ending in "/".</summary>
    public Uri UpstreamBase { get; }

    /// <summary>The remote's files base, always ending in "/", or null when its files live under the upstream base.</summary>
    public Uri? FilesBase { get; }

    /// <summary>The gateway's public base for this remote, e.g. <c>http://portal:5080/content/pypi/</c>, ending in "/".</summary>
    public Uri GatewayBase { get; }

    /// <summary>
    /// The gateway URL for an absolute upstream URL, with its fragment (e.g. <c>#sha256=...</c>) kept and its query
    /// dropped; null when the URL is not under either upstream base or its path is not one the gateway would serve.
    /// </summary>
    public string? ToGateway(Uri upstreamUrl)
    {
        ArgumentNullException.ThrowIfNull(upstreamUrl);
        if (!upstreamUrl.IsAbsoluteUri)
        {
            return null;
        }

        // The upstream base first: when the files base lies inside it too, the plain path is the simpler route.
        if (PathUnder(UpstreamBase, upstreamUrl) is { } path && !path.StartsWith(FilesPrefix, StringComparison.Ordinal))
        {
            return GatewayBase.AbsoluteUri + path + upstreamUrl.Fragment;
        }

        if (FilesBase is not null && PathUnder(FilesBase, upstreamUrl) is { } filePath)
        {
            return GatewayBase.AbsoluteUri + FilesPrefix + filePath + upstreamUrl.Fragment;
        }

        return null;
    }

    /// <summary>
    /// The upstream URL for a path under the gateway base (as it appears in the request URL, still percent-encoded,
    /// without query or fragment), or null when the path would leave the upstream base (dot segments, encoded
    /// slashes) or names the files base of a remote that has none.
    /// </summary>
    public Uri? ToUpstream(string gatewayPath)
    {
        ArgumentNullException.ThrowIfNull(gatewayPath);
        var (root, path) = gatewayPath.StartsWith(FilesPrefix, StringComparison.Ordinal)
            ? (FilesBase, gatewayPath[FilesPrefix.Length..])
            : (UpstreamBase, gatewayPath);
        if (root is null || !IsPlainRelativePath(path) || path.Contains('?', StringComparison.Ordinal) || path.Contains('#', StringComparison.Ordinal))
        {
            return null;
        }

        // Concatenated, not new Uri(root, path): a relative reference such as "c:x" would otherwise be read as an
        // absolute URL of scheme "c". Parsing may normalize escapes, so the result is checked again, not compared.
        if (!Uri.TryCreate(root.AbsoluteUri + path, UriKind.Absolute, out var upstream) || PathUnder(root, upstream) is null)
        {
            return null;
        }

        return upstream;
    }

    /// <summary>The path of <paramref name="url"/> relative to <paramref name="root"/>, still percent-encoded; null when not under it.</summary>
    private static string? PathUnder(Uri root, Uri url)
    {
        if (!string.Equals(url.Scheme, root.Scheme, StringComparison.OrdinalIgnoreCase)
            || !string.Equals(url.IdnHost, root.IdnHost, StringComparison.OrdinalIgnoreCase)
            || url.Port != root.Port
            || url.UserInfo != root.UserInfo)
        {
            return null;
        }

        // Uri has already removed dot segments while resolving, so a "../" that climbed out of the base shows here
        // as a path that no longer starts with it.
        var path = url.AbsolutePath;
        if (!path.StartsWith(root.AbsolutePath, StringComparison.Ordinal))
        {
            return null;
        }

        var relative = path[root.AbsolutePath.Length..];
        return IsPlainRelativePath(relative) ? relative : null;
    }

    /// <summary>
    /// No segment that a server, after decoding, could take for "." or ".." or split in two (encoded "/" or "\"),
    /// and no empty segment ("//") inside the path: whatever the gateway later asks upstream stays under the base.
    /// </summary>
    private static bool IsPlainRelativePath(string path)
    {
        var segments = path.Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            if (segment.Length == 0)
            {
                // "" as the whole path is the base itself; "a/" ends in an empty segment that names a directory.
                if (i == segments.Length - 1)
                {
                    continue;
                }

                return false;
            }

            var decoded = Uri.UnescapeDataString(segment);
            if (decoded is "." or ".." || decoded.Contains('/', StringComparison.Ordinal) || decoded.Contains('\\', StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private static Uri AsDirectory(Uri url, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(url, parameterName);
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"'{url}' is not an absolute http or https URL.", parameterName);
        }

        if (url.Query.Length > 0 || url.Fragment.Length > 0)
        {
            throw new ArgumentException($"'{url}' must have no query and no fragment: it is a base that paths are appended to.", parameterName);
        }

        // Relative paths are appended to the base, so "https://host/pypi" has to mean the directory "/pypi/".
        return url.AbsolutePath.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");
    }
}
