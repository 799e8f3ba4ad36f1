namespace Portal.Core.Registry;

/// <summary>Media types of the Docker and OCI manifest and config formats the portal understands.</summary>
public static class MediaTypes
{
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string DockerManifestV1 = "application/vnd.docker.distribution.manifest.v1+json";
    public const string DockerManifestV1Signed = "application/vnd.docker.distribution.manifest.v1+prettyjws";
    public const string DockerConfig = "application/vnd.docker.container.image.v1+json";
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";
    public const string OciConfig = "application/vnd.oci.image.config.v1+json";

    /// <summary>The OCI "empty" blob ({}), used as config and layer by artifacts that have none.</summary>
    public const string OciEmpty = "application/vnd.oci.empty.v1+json";

    /// <summary>A short-lived OCI 1.1 draft format, dropped before release; some registries still hold them.</summary>
    public const string OciArtifactManifest = "application/vnd.oci.artifact.manifest.v1+json";

    /// <summary>
    /// Everything a client should put in Accept when fetching a manifest. Registries fall back to converting
    /// to (or serving) schema 1 when the client does not list the newer types, so all of them are listed,
    /// with the schema 1 types last as the least preferred.
    /// </summary>
    public static IReadOnlyList<string> ManifestAcceptTypes { get; } =
    [
        OciIndex,
        OciManifest,
        DockerManifestList,
        DockerManifest,
        DockerManifestV1Signed,
        DockerManifestV1,
    ];

    public static bool IsIndex(string? mediaType) => mediaType is OciIndex or DockerManifestList;

    public static bool IsImageManifest(string? mediaType) => mediaType is OciManifest or DockerManifest;

    public static bool IsSchema1(string? mediaType) => mediaType is DockerManifestV1 or DockerManifestV1Signed;

    public static bool IsImageConfig(string? mediaType) => mediaType is OciConfig or DockerConfig;
}
