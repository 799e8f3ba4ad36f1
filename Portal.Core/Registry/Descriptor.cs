namespace Portal.Core.Registry;

/// <summary>A pointer to content by media type, digest and size (OCI descriptor).</summary>
public sealed record Descriptor(
    string MediaType,
    Digest Digest,
    long Size,
    Platform? Platform,
    IReadOnlyDictionary<string, string> Annotations)
{
    /// <summary>Annotation key BuildKit and regclient put on index entries that describe another manifest.</summary>
    public const string ReferenceTypeAnnotation = "vnd.docker.reference.type";

    /// <summary>Set on index entries (e.g. in a referrers response) that point at an artifact.</summary>
    public string? ArtifactType { get; init; }

    /// <summary>
    /// True for index entries that are not runnable images but attachments of one (build attestations,
    /// provenance, "builder" records): they carry the reference-type annotation or the unknown/unknown platform.
    /// Inventory should not count them as platforms of the image.
    /// </summary>
    public bool IsAttachment =>
        Annotations.ContainsKey(ReferenceTypeAnnotation) || Platform is { IsUnknown: true };
}
