using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Portal.Features.Gateway;

/// <summary>
/// Kept gateway files, addressed by sha256: "ab/abcd…" under the store directory, so the same bytes from two
/// remotes or paths are kept once and a name can never point outside the store. Files enter only by an atomic move of
/// a scanned temporary file, so a reader never sees half a file.
/// </summary>
public sealed class ContentStore : IDisposable
{
    private readonly string _root;
    private readonly string _work;
    private readonly MemoryCache? _memory;
    private readonly long _memoryMaxFileBytes;

    public ContentStore(IOptions<GatewayOptions> options, IHostEnvironment environment)
    {
        var settings = options.Value;
        if (settings.MemoryCacheMegabytes > 0)
        {
            _memory = new MemoryCache(new MemoryCacheOptions { SizeLimit = settings.MemoryCacheMegabytes * 1024L * 1024 });
            _memoryMaxFileBytes = Math.Min(settings.MemoryCacheMaxFileMegabytes * 1024L * 1024, settings.MemoryCacheMegabytes * 1024L * 1024);
        }

        _root = Path.GetFullPath(settings.StoreDirectory, environment.ContentRootPath);
        // By default beside the kept files: a move into the store is atomic only within one file system (across two,
        // File.Move copies, and a reader could see half a file).
        _work = string.IsNullOrWhiteSpace(settings.WorkDirectory)
            ? Path.Combine(_root, WorkSubdirectory)
            : Path.GetFullPath(settings.WorkDirectory, environment.ContentRootPath);
        Directory.CreateDirectory(_root);
        Directory.CreateDirectory(_work);
    }

    /// <summary>The work directory's name under the store when <see cref="GatewayOptions.WorkDirectory"/> is not set.</summary>
    public const string WorkSubdirectory = ".work";

    public string Root => _root;

    public string PathOf(string sha256)
    {
        if (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigitLower))
        {
            throw new ArgumentException($"'{sha256}' is not a lowercase sha256.", nameof(sha256));
        }

        // One level of 256 directories, as git and the registry's storage do: a second level would mean a directory of
        // its own for nearly every file until the store holds millions, doubling what keeping a file costs.
        return Path.Combine(_root, sha256[..2], sha256);
    }

    public bool Contains(string sha256) => File.Exists(PathOf(sha256));

    /// <summary>Moves a scanned file in (or drops it when the same bytes are already kept).</summary>
    public void Keep(string temporaryFile, string sha256)
    {
        var target = PathOf(sha256);
        if (File.Exists(target))
        {
            File.Delete(temporaryFile);
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Move(temporaryFile, target, overwrite: true);
    }

    /// <summary>
    /// The bytes of a kept file from memory, read into memory first if it is small enough; null when it is too large
    /// (or memory copies are off), so the caller reads the file itself.
    /// </summary>
    public byte[]? InMemory(string storedFile)
    {
        if (_memory is null)
        {
            return null;
        }

        if (_memory.TryGetValue(storedFile, out byte[]? bytes))
        {
            return bytes;
        }

        var info = new FileInfo(storedFile);
        if (!info.Exists || info.Length > _memoryMaxFileBytes)
        {
            return null;
        }

        bytes = File.ReadAllBytes(storedFile);
        using var entry = _memory.CreateEntry(storedFile);
        entry.Value = bytes;
        entry.Size = bytes.Length;
        entry.SlidingExpiration = TimeSpan.FromHours(1);
        return bytes;
    }

    public void Dispose() => _memory?.Dispose();

    public void Remove(string sha256)
    {
        var path = PathOf(sha256);
        _memory?.Remove(path);
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// A private file for one download or upload: a fresh unique prefix before the original name, so scanners that look
    /// at extensions see the real one. No directory of its own: creating and removing one per file doubled the
    /// file-system work of a sync of many small files. The caller deletes it (<see cref="DeleteWorkFile"/>).
    /// </summary>
    public string NewWorkFile(string fileName) =>
        Path.Combine(_work, $"{Guid.NewGuid():N}-{SafeFileName(fileName)}");

    public static void DeleteWorkFile(string workFile)
    {
        try
        {
            File.Delete(workFile);
        }
        catch (IOException)
        {
            // A reader still has it open; the file is only a leftover, never served.
        }
    }

    // The name is only a hint for scanners; anything odd becomes a plain name with the same extension.
    private static string SafeFileName(string name)
    {
        var extension = Path.GetExtension(name);
        var stem = Path.GetFileNameWithoutExtension(name);
        var clean = new string(stem.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '+').Take(120).ToArray());
        var cleanExtension = new string(extension.Where(c => char.IsAsciiLetterOrDigit(c) || c == '.').Take(16).ToArray());
        return (clean.Length == 0 ? "content" : clean) + cleanExtension;
    }
}
