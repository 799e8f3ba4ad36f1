namespace Portal.Tests.TestInfrastructure.Registry;

/// <summary>Which family of media types an image is pushed with; registries and clients treat the two differently.</summary>
public enum MediaTypeStyle
{
    /// <summary>OCI image spec: <c>application/vnd.oci.image.*</c>.</summary>
    Oci,

    /// <summary>Docker image manifest v2 schema 2: <c>application/vnd.docker.*</c>.</summary>
    Docker,
}

/// <summary>
/// What an image pushed by <see cref="RegistryImagePusher"/> looks like: platform, creation time, labels and layers.
/// Everything has a sensible default, so <c>new ImageSpec()</c> is a small linux/amd64 OCI image.
/// </summary>
public sealed record ImageSpec
{
    public MediaTypeStyle Style { get; init; } = MediaTypeStyle.Oci;

    public string Os { get; init; } = "linux";

    public string Architecture { get; init; } = "amd64";

    /// <summary>CPU variant, e.g. <c>v8</c> for arm64 or <c>v7</c> for arm; omitted from the config when null.</summary>
    public string? Variant { get; init; }

    /// <summary>The config's <c>created</c> time; null means "now" (rounded to whole seconds, as builders write it).</summary>
    public DateTimeOffset? Created { get; init; }

    /// <summary>The config's <c>config.Labels</c> (what <c>LABEL</c> in a Dockerfile produces).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Annotations on the manifest itself. OCI manifests only: Docker schema 2 has no such field.</summary>
    public IReadOnlyDictionary<string, string>? ManifestAnnotations { get; init; }

    /// <summary>How many layers; each is a small real gzip'd tar holding one text file.</summary>
    public int LayerCount { get; init; } = 1;

    /// <summary>Layers built by the test (see <see cref="LayerTar"/>), used instead of the generated ones when set.</summary>
    public IReadOnlyList<BuiltLayer>? Layers { get; init; }

    /// <summary>
    /// Extra incompressible bytes in every layer, for tests about image size. Deterministic for a given
    /// <see cref="Content"/>, so equal specs still give equal digests.
    /// </summary>
    public int LayerPaddingBytes { get; init; }

    /// <summary>
    /// Text written into the layers (and so into every digest). Null means a fresh value per push, so two pushes
    /// never share a digest by accident; set it to get the same digests from the same spec.
    /// </summary>
    public string? Content { get; init; }

    /// <summary>"os/architecture[/variant]", as registries and <c>docker --platform</c> write it.</summary>
    public string Platform => Variant is null ? $"{Os}/{Architecture}" : $"{Os}/{Architecture}/{Variant}";

    /// <summary>This spec moved to another platform given as "os/architecture[/variant]" (e.g. "linux/arm64/v8").</summary>
    public ImageSpec WithPlatform(string platform)
    {
        var parts = platform.Split('/');
        if (parts.Length is < 2 or > 3 || parts.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException($"Expected 'os/architecture[/variant]', got '{platform}'.", nameof(platform));
        }

        return this with { Os = parts[0], Architecture = parts[1], Variant = parts.Length == 3 ? parts[2] : null };
    }
}

/// <summary>One manifest (image, index or list) exactly as it was pushed, so tests can compare bytes and digests.</summary>
public sealed record PushedManifest(
    string Repository,
    string Digest,
    string MediaType,
    ReadOnlyMemory<byte> Bytes,
    string? ConfigDigest,
    IReadOnlyList<string> LayerDigests,
    IReadOnlyList<string> ChildDigests);

/// <summary>The result of <see cref="RegistryImagePusher.PushMultiArchAsync"/>: the index (or list) and one image per platform.</summary>
public sealed record MultiArchImage(string Digest, string MediaType, IReadOnlyList<PlatformImage> Children);

/// <summary>One platform's image inside a multi-arch index; <see cref="Platform"/> is "os/architecture[/variant]".</summary>
public sealed record PlatformImage(string Platform, string Digest);

/// <summary>One tag pushed by <see cref="RegistryImagePusher.PushManyAsync(int, int, int, CancellationToken)"/>.</summary>
public sealed record PushedTag(string Repository, string Tag, string Digest);

/// <summary>User name and password for a registry (basic auth) or for its token server.</summary>
public sealed record RegistryCredentials(string Username, string Password);

/// <summary>The media type strings the pusher writes, spelled once.</summary>
public static class RegistryMediaTypes
{
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";
    public const string OciConfig = "application/vnd.oci.image.config.v1+json";
    public const string OciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";

    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string DockerConfig = "application/vnd.docker.container.image.v1+json";
    public const string DockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    /// <summary>
    /// An Accept header value naming every manifest type. Registry 2.8 refuses to return an OCI manifest or index to
    /// a client that does not accept it ("OCI manifest found, but accept header does not support OCI manifests").
    /// </summary>
    public const string AllManifests = OciManifest + ", " + OciIndex + ", " + DockerManifest + ", " + DockerManifestList;

    public static string Manifest(MediaTypeStyle style) => style == MediaTypeStyle.Oci ? OciManifest : DockerManifest;

    public static string Index(MediaTypeStyle style) => style == MediaTypeStyle.Oci ? OciIndex : DockerManifestList;

    public static string Config(MediaTypeStyle style) => style == MediaTypeStyle.Oci ? OciConfig : DockerConfig;

    public static string LayerGzip(MediaTypeStyle style) => style == MediaTypeStyle.Oci ? OciLayerGzip : DockerLayerGzip;
}
