namespace Portal.Core.Registry;

/// <summary>The platform an index entry runs on, e.g. linux/arm64/v8.</summary>
public sealed record Platform(string Os, string Architecture, string? Variant)
{
    /// <summary>
    /// buildx and BuildKit list attestation and provenance manifests in the index as "unknown/unknown";
    /// they are not runnable images.
    /// </summary>
    public bool IsUnknown => Os == "unknown" && Architecture == "unknown";

    public override string ToString() =>
        string.IsNullOrEmpty(Variant) ? $"{Os}/{Architecture}" : $"{Os}/{Architecture}/{Variant}";
}
