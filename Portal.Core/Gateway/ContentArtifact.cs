namespace Portal.Core.Gateway;

/// <summary>
/// What the gateway knows about one path of one remote (DESIGN: ContentArtifact): the sha256 and size of the bytes it
/// fetched there, their content type, and whether they are kept in the content store. The verdict is kept by sha256
/// (<see cref="Malware.MalwareVerdict"/>), so the same bytes met under another path or remote are not scanned twice.
/// A Streamed remote's artifacts are never kept; an infected file's never either.
/// </summary>
public sealed class ContentArtifact
{
    public const int MaxContentTypeLength = 200;

    private ContentArtifact()
    {
        Path = string.Empty;
        Sha256 = string.Empty;
        ContentType = string.Empty;
    }

    public long Id { get; private set; }
    public long RemoteId { get; private set; }

    /// <summary>The decoded relative path (<see cref="ContentPath.Value"/>).</summary>
    public string Path { get; private set; }

    /// <summary>64 lowercase hex characters.</summary>
    public string Sha256 { get; private set; }

    public long Size { get; private set; }
    public string ContentType { get; private set; }

    /// <summary>True while the bytes are in the content store (clean when last scanned).</summary>
    public bool Kept { get; private set; }

    /// <summary>How the bytes arrived: fetched from the upstream on request, by a sync, or uploaded.</summary>
    public ContentSource Source { get; private set; }

    public DateTimeOffset FetchedAt { get; private set; }

    public static ContentArtifact Record(
        long remoteId, ContentPath path, string sha256, long size, string contentType, bool kept, ContentSource source, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentException.ThrowIfNullOrWhiteSpace(sha256);
        return new ContentArtifact
        {
            RemoteId = remoteId,
            Path = path.Value,
            Sha256 = sha256,
            Size = size,
            ContentType = contentType.Length > MaxContentTypeLength ? contentType[..MaxContentTypeLength] : contentType,
            Kept = kept,
            Source = source,
            FetchedAt = now,
        };
    }

    /// <summary>The path was fetched again (a Streamed remote, or after the upstream changed the file).</summary>
    public void Refetched(string sha256, long size, string contentType, bool kept, ContentSource source, DateTimeOffset now)
    {
        Sha256 = sha256;
        Size = size;
        ContentType = contentType.Length > MaxContentTypeLength ? contentType[..MaxContentTypeLength] : contentType;
        Kept = kept;
        Source = source;
        FetchedAt = now;
    }

    /// <summary>A rescan found it infected (or it was removed): the bytes left the store; the path answers from the verdict.</summary>
    public void Discard() => Kept = false;
}

public enum ContentSource
{
    Request,
    Sync,
    Upload,
    Rescan,
}
