using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Portal.Tests.TestInfrastructure.Registry;

/// <summary>Content digests as registries compute them: "sha256:" and the lowercase hex SHA-256 of the exact bytes.</summary>
public static class RegistryDigest
{
    public static string Of(ReadOnlySpan<byte> content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));
}

/// <summary>A blob ready to upload, with the descriptor fields a manifest needs.</summary>
public sealed record ImageBlob(byte[] Bytes, string MediaType)
{
    public string Digest { get; } = RegistryDigest.Of(Bytes);

    public long Size => Bytes.LongLength;
}

/// <summary>
/// Builds the bytes of images: real gzip'd tar layers, config JSON and manifests, in OCI or Docker media types.
/// Pure functions of their input (no clock unless <see cref="ImageSpec.Created"/> is null), so equal specs give
/// equal digests.
/// </summary>
public static class ImageBlobs
{
    // Fixed so the tar bytes, and with them every digest, depend only on the content.
    private static readonly DateTimeOffset LayerFileTime = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A gzip'd tar with one text file (plus optional padding); returns the blob and its diff_id.</summary>
    public static (ImageBlob Layer, string DiffId) Layer(MediaTypeStyle style, string content, int index, int paddingBytes = 0)
    {
        using var tar = new MemoryStream();
        // Ustar rather than PAX: PAX entries get access/change times of "now" added, which would make digests differ.
        using (var writer = new TarWriter(tar, TarEntryFormat.Ustar, leaveOpen: true))
        {
            writer.WriteEntry(File($"portal-test/layer-{index}.txt", Encoding.UTF8.GetBytes($"{content}\nlayer {index}\n")));
            if (paddingBytes > 0)
            {
                writer.WriteEntry(File($"portal-test/padding-{index}.bin", Padding($"{content}/{index}", paddingBytes)));
            }
        }

        var uncompressed = tar.ToArray();
        using var gzip = new MemoryStream();
        using (var compressor = new GZipStream(gzip, CompressionLevel.Fastest, leaveOpen: true))
        {
            compressor.Write(uncompressed);
        }

        return (new ImageBlob(gzip.ToArray(), RegistryMediaTypes.LayerGzip(style)), RegistryDigest.Of(uncompressed));
    }

    /// <summary>The image config: created, architecture, os, variant, config.Labels, rootfs.diff_ids and history.</summary>
    public static ImageBlob Config(ImageSpec spec, DateTimeOffset created, IReadOnlyList<string> diffIds)
    {
        var json = Json(writer =>
        {
            writer.WriteString("created", created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", System.Globalization.CultureInfo.InvariantCulture));
            writer.WriteString("architecture", spec.Architecture);
            if (spec.Variant is not null)
            {
                writer.WriteString("variant", spec.Variant);
            }

            writer.WriteString("os", spec.Os);
            writer.WriteStartObject("config");
            WriteStringMap(writer, "Labels", spec.Labels);
            writer.WriteEndObject();
            writer.WriteStartObject("rootfs");
            writer.WriteString("type", "layers");
            writer.WriteStartArray("diff_ids");
            foreach (var diffId in diffIds)
            {
                writer.WriteStringValue(diffId);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteStartArray("history");
            for (var i = 0; i < diffIds.Count; i++)
            {
                writer.WriteStartObject();
                writer.WriteString("created", created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
                writer.WriteString("created_by", $"portal test layer {i}");
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        });
        return new ImageBlob(json, RegistryMediaTypes.Config(spec.Style));
    }

    /// <summary>An image manifest (OCI or Docker schema 2) referencing the config and layers.</summary>
    public static byte[] Manifest(MediaTypeStyle style, ImageBlob config, IReadOnlyList<ImageBlob> layers,
        IReadOnlyDictionary<string, string>? annotations = null)
    {
        if (annotations is not null && style == MediaTypeStyle.Docker)
        {
            throw new ArgumentException("Docker schema 2 manifests have no annotations; use MediaTypeStyle.Oci.", nameof(annotations));
        }

        return Json(writer =>
        {
            writer.WriteNumber("schemaVersion", 2);
            writer.WriteString("mediaType", RegistryMediaTypes.Manifest(style));
            writer.WritePropertyName("config");
            WriteDescriptor(writer, config.MediaType, config.Digest, config.Size);
            writer.WriteStartArray("layers");
            foreach (var layer in layers)
            {
                WriteDescriptor(writer, layer.MediaType, layer.Digest, layer.Size);
            }

            writer.WriteEndArray();
            if (annotations is not null)
            {
                WriteStringMap(writer, "annotations", annotations);
            }
        });
    }

    /// <summary>An OCI index or Docker manifest list with a <c>platform</c> object per child.</summary>
    public static byte[] Index(MediaTypeStyle style, IReadOnlyList<(PushedManifest Manifest, ImageSpec Spec)> children) =>
        Json(writer =>
        {
            writer.WriteNumber("schemaVersion", 2);
            writer.WriteString("mediaType", RegistryMediaTypes.Index(style));
            writer.WriteStartArray("manifests");
            foreach (var (manifest, spec) in children)
            {
                WriteDescriptor(writer, manifest.MediaType, manifest.Digest, manifest.Bytes.Length, platform: w =>
                {
                    w.WriteString("architecture", spec.Architecture);
                    w.WriteString("os", spec.Os);
                    if (spec.Variant is not null)
                    {
                        w.WriteString("variant", spec.Variant);
                    }
                });
            }

            writer.WriteEndArray();
        });

    private static UstarTarEntry File(string name, byte[] content) =>
        new(TarEntryType.RegularFile, name)
        {
            DataStream = new MemoryStream(content),
            ModificationTime = LayerFileTime,
            Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
        };

    // Hash-chained bytes: incompressible (so the layer really has that size) yet reproducible from the seed.
    private static byte[] Padding(string seed, int length)
    {
        var result = new byte[length];
        var block = SHA256.HashData(Encoding.UTF8.GetBytes(seed));
        for (var offset = 0; offset < length; offset += block.Length)
        {
            block.AsSpan(0, Math.Min(block.Length, length - offset)).CopyTo(result.AsSpan(offset));
            block = SHA256.HashData(block);
        }

        return result;
    }

    private static void WriteDescriptor(Utf8JsonWriter writer, string mediaType, string digest, long size,
        Action<Utf8JsonWriter>? platform = null)
    {
        writer.WriteStartObject();
        writer.WriteString("mediaType", mediaType);
        writer.WriteString("digest", digest);
        writer.WriteNumber("size", size);
        if (platform is not null)
        {
            writer.WriteStartObject("platform");
            platform(writer);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static void WriteStringMap(Utf8JsonWriter writer, string name, IReadOnlyDictionary<string, string> map)
    {
        writer.WriteStartObject(name);
        foreach (var (key, value) in map.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            writer.WriteString(key, value);
        }

        writer.WriteEndObject();
    }

    private static byte[] Json(Action<Utf8JsonWriter> writeProperties)
    {
        using var buffer = new MemoryStream();
        // Relaxed escaping writes "+json" as is; the default encoder would write "\u002Bjson", valid but unlike any registry.
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writeProperties(writer);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
