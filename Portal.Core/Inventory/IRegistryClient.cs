using Portal.Core.Registry;

namespace Portal.Core.Inventory;

/// <summary>What the inventory needs from an OCI Distribution registry.</summary>
public interface IRegistryClient
{
    /// <summary>GET /v2/: reachable, and the credentials (if any) are accepted.</summary>
    Task PingAsync(CancellationToken cancellationToken);

    /// <summary>Every repository in the catalog, following Link-header pages.</summary>
    Task<IReadOnlyList<string>> ListRepositoriesAsync(CancellationToken cancellationToken);

    /// <summary>Every tag of a repository, following Link-header pages; empty when the repository has none.</summary>
    Task<IReadOnlyList<string>> ListTagsAsync(string repository, CancellationToken cancellationToken);

    /// <summary>HEAD on a manifest: its digest without downloading it; null when the registry does not know it.</summary>
    Task<Digest?> HeadManifestAsync(string repository, string reference, CancellationToken cancellationToken);

    /// <summary>GET a manifest by tag or digest, parsed, with the digest of the exact bytes received.</summary>
    Task<FetchedManifest> GetManifestAsync(string repository, string reference, CancellationToken cancellationToken);

    /// <summary>GET an image's config blob: created time, labels, platform.</summary>
    Task<ImageConfig> GetConfigAsync(string repository, Digest digest, CancellationToken cancellationToken);

    /// <summary>
    /// GET a blob (an image layer) as a stream, without holding it in memory. The bytes are not checked here: whoever
    /// reads them hashes them and compares with <paramref name="digest"/> at the end.
    /// </summary>
    Task<Stream> OpenBlobAsync(string repository, Digest digest, CancellationToken cancellationToken);

    /// <summary>
    /// DELETE a manifest by digest (the image and every tag on it) or by tag (the tag alone, where the registry
    /// supports it). Deleting what is already gone is not an error: the answer says so.
    /// </summary>
    Task<ManifestDeletion> DeleteManifestAsync(string repository, string reference, CancellationToken cancellationToken);
}

public enum ManifestDeletion
{
    Deleted,

    /// <summary>The registry did not know it (already deleted, or never there).</summary>
    NotFound,

    /// <summary>The registry does not delete this way (Distribution 2.x cannot delete a tag alone; deletes may be switched off).</summary>
    Unsupported,
}

public sealed record FetchedManifest(Digest Digest, ParsedManifest Manifest);

/// <summary>Where a registry is and how to talk to it, with the secret already unprotected.</summary>
public sealed record RegistryEndpoint(Uri Url, string? Username, string? Secret, bool AllowInsecure, int MaxConcurrency);

public interface IRegistryClientFactory
{
    IRegistryClient Create(RegistryEndpoint endpoint);
}

/// <summary>The registry answered, but not with what the portal can use; the message says what went wrong.</summary>
public class RegistryException(string message, int? statusCode = null, Exception? inner = null) : Exception(message, inner)
{
    public int? StatusCode { get; } = statusCode;
}

/// <summary>The registry refused the credentials, or wants credentials and none were configured.</summary>
public sealed class RegistryAuthenticationException(string message, int statusCode) : RegistryException(message, statusCode);
