using Microsoft.Extensions.Options;

namespace Portal.Features.Gateway;

/// <summary>
/// Kept gateway files, addressed by sha256: "ab/cd/abcd…" under the store directory, so the same bytes from two
/// remotes or paths are kept once and a name can never point outside the store. Files enter only by an atomic move of
/// a scanned temporary file, so a reader never sees half a file.
/// </summary>
public sealed class ContentStore
{
    private readonly string _root;
    private readonly string _work;

    public ContentStore(IOptions<GatewayOptions> options, IHostEnvironment environment)
    {
        var settings = options.Value;
        _root = Path.GetFullPath(settings.StoreDirectory, environment.ContentRootPath);
        _work = string.IsNullOrWhiteSpace(settings.WorkDirectory)
            ? Path.Combine(Path.GetTempPath(), "portal-gateway")
            : Path.GetFullPath(settings.WorkDirectory, environment.ContentRootPath);
        Directory.CreateDirectory(_root);
        Directory.CreateDirectory(_work);
    }

    public string Root => _root;

    public string PathOf(string sha256)
    {
        if (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigitLower))
        {
            throw new ArgumentException($"'{sha256}' is not a lowercase sha256.", nameof(sha256));
        }

        return Path.Combine(_root, sha256[..2], sha256[2..4], sha256);
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

    public void Remove(string sha256)
    {
        var path = PathOf(sha256);
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// A private directory for one download or upload, holding the file under its original name so scanners that look
    /// at extensions see the real one. The caller deletes it (<see cref="DeleteWorkDirectory"/>).
    /// </summary>
    public string NewWorkFile(string fileName)
    {
        var directory = Path.Combine(_work, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, SafeFileName(fileName));
    }

    public static void DeleteWorkDirectory(string workFile)
    {
        try
        {
            var directory = Path.GetDirectoryName(workFile);
            if (directory is not null && Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // A reader still has it open; the directory is only a leftover, never served.
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
