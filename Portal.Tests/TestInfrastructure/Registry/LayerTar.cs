using System.Formats.Tar;
using System.IO.Compression;
using ZstdSharp;

namespace Portal.Tests.TestInfrastructure.Registry;

/// <summary>How a layer's tar is compressed, as image builders do it.</summary>
public enum LayerCompression
{
    None,
    Gzip,
    Zstd,
}

/// <summary>A layer blob with its diff_id (the digest of the uncompressed tar, which the image config lists).</summary>
public sealed record BuiltLayer(ImageBlob Layer, string DiffId);

/// <summary>Builds image layers from chosen files: a real tar, compressed with gzip or zstd or not at all.</summary>
public static class LayerTar
{
    private static readonly DateTimeOffset FileTime = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <param name="compression">gzip, zstd or none, with the matching OCI media type.</param>
    /// <param name="files">Paths as they appear in the tar ("opt/app/x.bin") and their bytes. Directories are added for every parent.</param>
    public static BuiltLayer Build(LayerCompression compression, params (string Path, byte[] Content)[] files)
    {
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            var directories = files
                .SelectMany(f => Parents(f.Path))
                .Distinct(StringComparer.Ordinal)
                .Order(StringComparer.Ordinal);
            foreach (var directory in directories)
            {
                writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, directory + "/") { ModificationTime = FileTime });
            }

            foreach (var (path, content) in files)
            {
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, path)
                {
                    DataStream = new MemoryStream(content),
                    ModificationTime = FileTime,
                });
            }

            // A symbolic link carries no bytes of its own; scanners must not trip over it.
            writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "link-to-first") { LinkName = files[0].Path, ModificationTime = FileTime });
        }

        var uncompressed = tar.ToArray();
        var (bytes, mediaType) = compression switch
        {
            LayerCompression.Gzip => (Gzip(uncompressed), "application/vnd.oci.image.layer.v1.tar+gzip"),
            LayerCompression.Zstd => (Zstd(uncompressed), "application/vnd.oci.image.layer.v1.tar+zstd"),
            _ => (uncompressed, "application/vnd.oci.image.layer.v1.tar"),
        };
        return new BuiltLayer(new ImageBlob(bytes, mediaType), RegistryDigest.Of(uncompressed));
    }

    private static IEnumerable<string> Parents(string path)
    {
        var parts = path.Split('/');
        for (var i = 1; i < parts.Length; i++)
        {
            yield return string.Join('/', parts[..i]);
        }
    }

    private static byte[] Gzip(byte[] content)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(content);
        }

        return output.ToArray();
    }

    private static byte[] Zstd(byte[] content)
    {
        using var compressor = new Compressor(3);
        return compressor.Wrap(content).ToArray();
    }
}
