namespace Portal.Core.Gateway;

/// <summary>
/// A file the gateway refused because a scan found a signature: when it was fetched or uploaded (the bytes were
/// discarded before anyone got them), or when a rescan with new definitions found it in the store (the bytes were
/// removed). The quarantine log on the Gateway page; the bytes themselves are never kept.
/// </summary>
public sealed class QuarantineEvent
{
    public const int MaxSignatureLength = 256;

    private QuarantineEvent()
    {
        RemoteName = string.Empty;
        Path = string.Empty;
        Sha256 = string.Empty;
        Signature = string.Empty;
        Engine = string.Empty;
        Actor = string.Empty;
    }

    public long Id { get; private set; }
    public string RemoteName { get; private set; }
    public string Path { get; private set; }
    public string Sha256 { get; private set; }
    public long Size { get; private set; }
    public string Signature { get; private set; }
    public ContentSource Source { get; private set; }
    public string Engine { get; private set; }
    public string? DefinitionsVersion { get; private set; }

    /// <summary>Who caused the fetch or upload: a person, an API key's name, "anonymous", or the rescan job.</summary>
    public string Actor { get; private set; }

    public DateTimeOffset At { get; private set; }

    public static QuarantineEvent Record(
        string remoteName, string path, string sha256, long size, string signature, ContentSource source, string engine,
        string? definitionsVersion, string actor, DateTimeOffset at) => new()
    {
        RemoteName = remoteName,
        Path = path,
        Sha256 = sha256,
        Size = size,
        Signature = signature.Length > MaxSignatureLength ? signature[..MaxSignatureLength] : signature,
        Source = source,
        Engine = engine,
        DefinitionsVersion = definitionsVersion,
        Actor = actor.Length > 320 ? actor[..320] : actor,
        At = at,
    };
}
