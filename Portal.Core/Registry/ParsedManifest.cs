using System.Collections.ObjectModel;

namespace Portal.Core.Registry;

/// <summary>What the portal needs from a manifest, independent of the Docker or OCI spelling.</summary>
public sealed record ParsedManifest(
    ManifestKind Kind,
    string MediaType,
    Descriptor? Config,
    IReadOnlyList<Descriptor> Layers,
    IReadOnlyList<Descriptor> Manifests,
    string? UnsupportedReason)
{
    /// <summary>Sum of the (compressed) layer sizes: what a pull transfers, and what the UI shows as size.</summary>
    public long TotalLayerSize => Layers.Sum(layer => layer.Size);

    /// <summary>
    /// Set when an image manifest carries an artifact (signature, SBOM, attestation, Helm chart) rather than a
    /// container image: the "artifactType" field, or else a config media type that is not an image config
    /// (the spec's fallback for artifacts made before artifactType existed). Callers skip these.
    /// </summary>
    public string? ArtifactType { get; init; }

    /// <summary>The manifest this one refers to (OCI 1.1 referrers), e.g. the image a signature signs.</summary>
    public Descriptor? Subject { get; init; }

    public IReadOnlyDictionary<string, string> Annotations { get; init; } = EmptyAnnotations;

    /// <summary>True for a container image manifest; false for artifacts, indexes and unsupported formats.</summary>
    public bool IsContainerImage => Kind == ManifestKind.Image && ArtifactType is null;

    /// <summary>Index entries that are runnable platform images (attestations and other attachments left out).</summary>
    public IEnumerable<Descriptor> PlatformManifests => Manifests.Where(m => !m.IsAttachment);

    internal static IReadOnlyDictionary<string, string> EmptyAnnotations => ReadOnlyDictionary<string, string>.Empty;

    public static ParsedManifest Unsupported(string mediaType, string reason) =>
        new(ManifestKind.Unsupported, mediaType, null, [], [], reason);
}
