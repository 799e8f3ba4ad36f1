namespace Portal.Core.Registry;

public enum ManifestKind
{
    /// <summary>A single-platform image manifest (Docker v2 schema 2 or OCI), or an artifact in one.</summary>
    Image,

    /// <summary>A multi-platform index (OCI image index or Docker manifest list).</summary>
    Index,

    /// <summary>A format the portal recognises but does not handle, such as Docker schema 1.</summary>
    Unsupported,
}
