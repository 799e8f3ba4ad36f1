using System.Diagnostics.CodeAnalysis;

namespace Portal.Core.Registry;

/// <summary>
/// A Docker image as JFrog Xray names it in reports, violations and webhooks. Accepted forms:
/// <list type="bullet">
/// <item>storage paths "docker-local/aaw/jupyterlab-cpu/v1/" (repository key, image path, tag folder), optionally
/// prefixed by the Artifactory server id ("default/docker-local/...") as webhooks do;</item>
/// <item>paths into the tag folder: ".../v1/manifest.json", ".../v1/list.manifest.json", and Xray impact paths that
/// run through a layer blob, ".../v1/sha256__&lt;hex&gt;.tar.gz/3.12:openssl:1.1.1k-r0";</item>
/// <item>component ids "docker://aaw/jupyterlab-cpu:v1" and bare "jupyterlab-cpu:v1" (Xray's summary API), which
/// carry no repository key: <see cref="RepositoryKey"/> is then empty.</item>
/// </list>
/// </summary>
public sealed record ArtifactoryImagePath(string? ServerId, string RepositoryKey, string Repository, string Tag)
{
    /// <summary>The server id Xray puts in front of paths unless an installation renamed it.</summary>
    public const string DefaultServerId = "default";

    public const string ComponentScheme = "docker://";

    private static readonly string[] ManifestFileNames = ["manifest.json", "list.manifest.json"];

    /// <summary>False for a component id, which names the image but not the Artifactory repository holding it.</summary>
    public bool HasRepositoryKey => RepositoryKey.Length > 0;

    public static bool TryParse(
        [NotNullWhen(true)] string? path,
        [NotNullWhen(true)] out ArtifactoryImagePath? result,
        [NotNullWhen(false)] out string? error) =>
        TryParse(path, DefaultServerId, out result, out error);

    /// <param name="path">A path or component id from Xray.</param>
    /// <param name="serverId">
    /// The Artifactory server id Xray prefixes paths with. A path is read as server-id-prefixed only when it starts
    /// with this segment and is long enough to have one, because nothing else tells "default/" from a repository key.
    /// </param>
    /// <param name="result">The parsed path, when valid.</param>
    /// <param name="error">Why the path was rejected, otherwise null.</param>
    public static bool TryParse(
        [NotNullWhen(true)] string? path,
        string? serverId,
        [NotNullWhen(true)] out ArtifactoryImagePath? result,
        [NotNullWhen(false)] out string? error)
    {
        result = null;
        if (string.IsNullOrWhiteSpace(path))
        {
            error = "Artifactory path is empty.";
            return false;
        }

        path = path.Trim();
        if (path.StartsWith(ComponentScheme, StringComparison.OrdinalIgnoreCase))
        {
            return TryParseComponentId(path, path[ComponentScheme.Length..], out result, out error);
        }

        var scheme = path.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            error = $"'{path}' is a {path[..scheme]} component, not a Docker image.";
            return false;
        }

        if (path.Contains('\\', StringComparison.Ordinal))
        {
            error = $"Artifactory path '{path}' contains a backslash.";
            return false;
        }

        // One leading and one trailing slash are how Artifactory writes folders; more is an empty segment.
        var trimmed = path.StartsWith('/') ? path[1..] : path;
        trimmed = trimmed.EndsWith('/') ? trimmed[..^1] : trimmed;
        var segments = trimmed.Split('/').ToList();
        foreach (var segment in segments)
        {
            if (segment.Length == 0)
            {
                error = $"Artifactory path '{path}' has an empty segment.";
                return false;
            }

            if (segment is "." or "..")
            {
                error = $"Artifactory path '{path}' contains '{segment}' (path traversal).";
                return false;
            }
        }

        // Inside the tag folder Artifactory keeps manifest.json and the blobs as sha256__<hex> files; Xray impact
        // paths continue into a blob (a layer) down to the package. The image ends at the tag folder.
        var blob = segments.FindIndex(s => s.StartsWith("sha256__", StringComparison.Ordinal));
        if (blob >= 0)
        {
            segments.RemoveRange(blob, segments.Count - blob);
        }
        else if (ManifestFileNames.Contains(segments[^1]))
        {
            segments.RemoveAt(segments.Count - 1);
        }
        else if (segments.Count == 1 && segments[0].Contains(':', StringComparison.Ordinal))
        {
            // A bare component id such as "artifact1:1.0".
            return TryParseComponentId(path, path, out result, out error);
        }

        string? foundServerId = null;
        if (serverId is not null && segments.Count >= 4 && segments[0] == serverId)
        {
            foundServerId = serverId;
            segments.RemoveAt(0);
        }

        if (segments.Count < 3)
        {
            error = $"Artifactory path '{path}' needs a repository key, an image name and a tag folder.";
            return false;
        }

        var repositoryKey = segments[0];
        var repository = string.Join('/', segments.Skip(1).Take(segments.Count - 2));
        var tag = segments[^1];
        error = ValidateRepositoryKey(repositoryKey)
            ?? ImageReference.ValidateRepository(repository)
            ?? ImageReference.ValidateTag(tag);
        if (error is not null)
        {
            error = $"Artifactory path '{path}': {error}";
            return false;
        }

        result = new ArtifactoryImagePath(foundServerId, repositoryKey, repository, tag);
        return true;
    }

    /// <summary>
    /// The reference a Docker client would pull. Artifactory serves a Docker repository either with its key as the
    /// first path segment (the "repository path" method: host/repoKey/image:tag) or on its own subdomain or port
    /// (host/image:tag); <paramref name="repositoryKeyInPath"/> says which the registry uses.
    /// </summary>
    public ImageReference ToReference(string registryHost, bool repositoryKeyInPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(registryHost);
        if (repositoryKeyInPath && !HasRepositoryKey)
        {
            throw new InvalidOperationException(
                $"'{Repository}:{Tag}' came from a component id, which has no repository key to put in the path.");
        }

        // Accept a configured URL as well as a bare host, since registry settings hold URLs.
        var host = registryHost.Contains("://", StringComparison.Ordinal)
            ? new Uri(registryHost).Authority
            : registryHost.TrimEnd('/');
        var repository = repositoryKeyInPath ? $"{RepositoryKey}/{Repository}" : Repository;
        return new ImageReference(host, repository, Tag, null);
    }

    private static bool TryParseComponentId(
        string original,
        string nameAndTag,
        [NotNullWhen(true)] out ArtifactoryImagePath? result,
        [NotNullWhen(false)] out string? error)
    {
        result = null;
        var colon = nameAndTag.LastIndexOf(':');
        if (colon < 0 || colon < nameAndTag.LastIndexOf('/'))
        {
            error = $"Component id '{original}' has no tag (expected name:tag).";
            return false;
        }

        var repository = nameAndTag[..colon];
        var tag = nameAndTag[(colon + 1)..];
        error = ImageReference.ValidateRepository(repository) ?? ImageReference.ValidateTag(tag);
        if (error is not null)
        {
            error = $"Component id '{original}': {error}";
            return false;
        }

        result = new ArtifactoryImagePath(null, string.Empty, repository, tag);
        return true;
    }

    // Artifactory repository keys: letters, digits, '-', '_' and '.', at most 64 characters.
    private static string? ValidateRepositoryKey(string key) =>
        key.Length <= 64 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? null
            : $"repository key '{key}' may contain only letters, digits, '-', '_' and '.' (at most 64).";
}
