using Portal.Core.Registry;

namespace Portal.Core.Workloads;

/// <summary>
/// A container's image as the portal stores it: the reference as written, its normalized parts when it parses, and
/// the manifest digest that actually runs when it is known.
/// </summary>
public sealed record ContainerImage(string Reference, string? Registry, string? Repository, string? Tag, string? Digest)
{
    /// <summary>
    /// Resolves a container's image from its spec reference and the <c>imageID</c> its status reports. Runtimes write
    /// <c>imageID</c> differently: Docker as <c>docker-pullable://repo@sha256:...</c> (a repository digest) or
    /// <c>docker://sha256:...</c> (the local image id, which is a config digest and names no manifest); containerd and
    /// CRI-O as <c>repo@sha256:...</c>. Only a repository digest is taken; otherwise a digest-pinned spec reference
    /// gives the digest. Unparseable references (redacted ones, say) are kept as written, unresolved.
    /// </summary>
    public static ContainerImage Resolve(string image, string? imageId)
    {
        ArgumentNullException.ThrowIfNull(image);
        var reference = ImageReference.TryParse(image.Trim(), out var parsed, out _) ? parsed : null;
        var digest = RepositoryDigestOf(imageId) ?? reference?.Digest;
        return new ContainerImage(
            reference?.ToString() ?? image,
            reference?.Registry,
            reference?.Repository,
            reference?.Tag,
            digest?.ToString());
    }

    private static Digest? RepositoryDigestOf(string? imageId)
    {
        if (string.IsNullOrWhiteSpace(imageId))
        {
            return null;
        }

        var value = imageId.Trim();
        var scheme = value.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            // docker:// carries the local image id (a config digest), not something a registry serves by that digest.
            if (value.StartsWith("docker://", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            value = value[(scheme + 3)..];
        }

        // A bare "sha256:..." is an image id too; only "name@digest" names a manifest in a repository.
        return value.Contains('@', StringComparison.Ordinal) && ImageReference.TryParse(value, out var pulled, out _)
            ? pulled.Digest
            : null;
    }
}
