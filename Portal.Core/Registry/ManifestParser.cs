using System.Text.Json;

namespace Portal.Core.Registry;

/// <summary>
/// Reads Docker v2 schema 2 and OCI image manifests and indexes (manifest lists). Schema 1 is recognised and
/// reported as unsupported rather than failing, because old registries still serve it and inventory must go on.
/// </summary>
public static class ManifestParser
{
    public const string Schema1Reason = "Docker schema 1 manifests are not supported";

    // Content types that carry no format information; some registries and proxies send these for manifests.
    private static readonly string[] GenericContentTypes =
        ["application/json", "text/plain", "application/octet-stream", "binary/octet-stream"];

    private static readonly string[] ManifestTypes =
    [
        MediaTypes.OciIndex,
        MediaTypes.OciManifest,
        MediaTypes.DockerManifestList,
        MediaTypes.DockerManifest,
        MediaTypes.DockerManifestV1,
        MediaTypes.DockerManifestV1Signed,
        MediaTypes.OciArtifactManifest,
    ];

    /// <param name="json">The manifest bytes exactly as the registry served them.</param>
    /// <param name="contentType">
    /// The Content-Type the registry sent. It decides the format when it names a manifest type; otherwise
    /// (absent, generic, or unknown) the document's own "mediaType" field does, and failing that its shape.
    /// </param>
    public static ParsedManifest Parse(ReadOnlySpan<byte> json, string? contentType)
    {
        var declared = NormalizeContentType(contentType);
        using var document = JsonFields.ParseDocument(json, "Manifest");
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new ManifestFormatException($"Manifest must be a JSON object, not {JsonFields.Describe(root)}.");
        }

        var schemaVersion = ReadSchemaVersion(root);
        var mediaTypeField = JsonFields.OptionalString(root, "mediaType", "mediaType");
        var knownDeclared = ManifestTypes.Contains(declared) ? declared : null;

        // Schema 1 documents say so either way: by media type, or by schemaVersion 1 behind a generic type.
        var claimed = knownDeclared ?? mediaTypeField;
        if (schemaVersion == 1 || MediaTypes.IsSchema1(claimed))
        {
            return ParsedManifest.Unsupported(
                MediaTypes.IsSchema1(claimed) ? claimed! : MediaTypes.DockerManifestV1, Schema1Reason);
        }

        var mediaType = claimed ?? InferFromShape(root);

        if (schemaVersion is null)
        {
            throw new ManifestFormatException("schemaVersion is required.");
        }

        if (schemaVersion != 2)
        {
            return ParsedManifest.Unsupported(mediaType, $"Manifest schemaVersion {schemaVersion} is not supported");
        }

        return mediaType switch
        {
            MediaTypes.OciIndex or MediaTypes.DockerManifestList => ParseIndex(root, mediaType),
            MediaTypes.OciManifest or MediaTypes.DockerManifest => ParseImage(root, mediaType),
            MediaTypes.OciArtifactManifest => ParsedManifest.Unsupported(
                mediaType, "OCI artifact manifests (a withdrawn OCI 1.1 draft format) are not supported"),
            _ => ParsedManifest.Unsupported(mediaType, $"Manifest media type '{mediaType}' is not supported"),
        };
    }

    private static string? NormalizeContentType(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return null;
        }

        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        var bare = (semicolon >= 0 ? contentType[..semicolon] : contentType).Trim().ToLowerInvariant();
        return GenericContentTypes.Contains(bare) || bare.Length == 0 ? null : bare;
    }

    private static int? ReadSchemaVersion(JsonElement root)
    {
        if (JsonFields.Optional(root, "schemaVersion") is not { } value)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var version)
            ? version
            : throw new ManifestFormatException(
                $"schemaVersion must be a whole number, not {JsonFields.Describe(value)}.");
    }

    // The OCI spec lets mediaType be omitted; the shape then tells index from image manifest.
    private static string InferFromShape(JsonElement root)
    {
        var hasManifests = root.TryGetProperty("manifests", out _);
        var hasConfig = root.TryGetProperty("config", out _) || root.TryGetProperty("layers", out _);
        return (hasManifests, hasConfig) switch
        {
            (true, true) => throw new ManifestFormatException(
                "Manifest has no mediaType and both 'manifests' and 'config'/'layers', so its kind is ambiguous."),
            (true, false) => MediaTypes.OciIndex,
            (false, true) => MediaTypes.OciManifest,
            _ => throw new ManifestFormatException(
                "Manifest has no mediaType and neither 'manifests' nor 'config'/'layers', so its kind is unknown."),
        };
    }

    private static ParsedManifest ParseImage(JsonElement root, string mediaType)
    {
        var config = ReadDescriptor(JsonFields.RequiredObject(root, "config", "config"), "config");
        var layers = ReadDescriptors(JsonFields.RequiredArray(root, "layers", "layers"), "layers");

        // Artifacts made before artifactType existed are recognised by a config that is not an image config.
        var artifactType = JsonFields.OptionalString(root, "artifactType", "artifactType")
            ?? (MediaTypes.IsImageConfig(config.MediaType) ? null : config.MediaType);

        return new ParsedManifest(ManifestKind.Image, mediaType, config, layers, [], null)
        {
            ArtifactType = artifactType,
            Subject = ReadOptionalDescriptor(root, "subject"),
            Annotations = JsonFields.StringMap(root, "annotations", "annotations"),
        };
    }

    private static ParsedManifest ParseIndex(JsonElement root, string mediaType)
    {
        var manifests = ReadDescriptors(JsonFields.RequiredArray(root, "manifests", "manifests"), "manifests");
        return new ParsedManifest(ManifestKind.Index, mediaType, null, [], manifests, null)
        {
            ArtifactType = JsonFields.OptionalString(root, "artifactType", "artifactType"),
            Subject = ReadOptionalDescriptor(root, "subject"),
            Annotations = JsonFields.StringMap(root, "annotations", "annotations"),
        };
    }

    private static Descriptor? ReadOptionalDescriptor(JsonElement parent, string name) =>
        JsonFields.Optional(parent, name) is { } value ? ReadDescriptor(JsonFields.ExpectObject(value, name), name) : null;

    private static Descriptor[] ReadDescriptors(JsonElement array, string path)
    {
        var descriptors = new Descriptor[array.GetArrayLength()];
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            var itemPath = $"{path}[{i}]";
            descriptors[i++] = ReadDescriptor(JsonFields.ExpectObject(item, itemPath), itemPath);
        }

        return descriptors;
    }

    private static Descriptor ReadDescriptor(JsonElement element, string path)
    {
        var mediaType = JsonFields.RequiredString(element, "mediaType", $"{path}.mediaType");
        if (mediaType.Length == 0)
        {
            throw new ManifestFormatException($"{path}.mediaType must not be empty.");
        }

        var digestText = JsonFields.RequiredString(element, "digest", $"{path}.digest");
        if (!Digest.TryParse(digestText, out var digest, out var digestError))
        {
            throw new ManifestFormatException($"{path}.digest is invalid: {digestError}");
        }

        var size = JsonFields.RequiredInt64(element, "size", $"{path}.size");
        if (size < 0)
        {
            throw new ManifestFormatException($"{path}.size must not be negative, but is {size}.");
        }

        return new Descriptor(
            mediaType,
            digest,
            size,
            ReadPlatform(element, $"{path}.platform"),
            JsonFields.StringMap(element, "annotations", $"{path}.annotations"))
        {
            ArtifactType = JsonFields.OptionalString(element, "artifactType", $"{path}.artifactType"),
        };
    }

    private static Platform? ReadPlatform(JsonElement descriptor, string path)
    {
        if (JsonFields.Optional(descriptor, "platform") is not { } value)
        {
            return null;
        }

        JsonFields.ExpectObject(value, path);
        return new Platform(
            JsonFields.RequiredString(value, "os", $"{path}.os"),
            JsonFields.RequiredString(value, "architecture", $"{path}.architecture"),
            JsonFields.OptionalString(value, "variant", $"{path}.variant"));
    }
}
