namespace Portal.Features.Gateway;

/// <summary>How a gateway request ends, which the endpoint turns into HTTP.</summary>
public enum GatewayResponseKind
{
    /// <summary>Clean for the current definitions: the bytes are served.</summary>
    Serve,

    /// <summary>409: a scan found a signature; nothing is served or kept.</summary>
    Infected,

    /// <summary>403: the remote does not allow this path.</summary>
    PathNotAllowed,

    /// <summary>404: the upstream has no such file.</summary>
    NotFound,

    /// <summary>502: the file is larger than the remote or the scanner allows.</summary>
    TooLarge,

    /// <summary>502: the upstream failed or answered something the gateway will not follow.</summary>
    UpstreamFailed,

    /// <summary>503 with Retry-After: the scanner is down or could not scan; nothing served (fail closed).</summary>
    ScannerUnavailable,

    /// <summary>429 with Retry-After: the scan queue is full.</summary>
    Busy,
}

/// <summary>
/// The outcome of one gateway request. For <see cref="GatewayResponseKind.Serve"/>: either a kept file's path, or an
/// open stream over a file that is not kept (a Streamed remote), which the caller disposes.
/// </summary>
public sealed class GatewayResponse
{
    private GatewayResponse(GatewayResponseKind kind, string detail)
    {
        Kind = kind;
        Detail = detail;
    }

    public GatewayResponseKind Kind { get; }

    /// <summary>What happened, in a sentence for problem+json.</summary>
    public string Detail { get; }

    public string? Sha256 { get; private init; }
    public long Size { get; private init; }
    public string? ContentType { get; private init; }
    public string? StoredFile { get; private init; }
    public Stream? Content { get; private init; }

    /// <summary>For <see cref="GatewayResponseKind.Infected"/>: the signature found.</summary>
    public string? Signature { get; private init; }

    public static GatewayResponse Kept(string storedFile, string sha256, long size, string contentType) =>
        new(GatewayResponseKind.Serve, "served") { StoredFile = storedFile, Sha256 = sha256, Size = size, ContentType = contentType };

    public static GatewayResponse Streamed(Stream content, string sha256, long size, string contentType) =>
        new(GatewayResponseKind.Serve, "served") { Content = content, Sha256 = sha256, Size = size, ContentType = contentType };

    public static GatewayResponse InfectedWith(string signature, string sha256, long size) =>
        new(GatewayResponseKind.Infected, $"The file is infected ({signature}); it was not kept and is never served.")
        {
            Signature = signature,
            Sha256 = sha256,
            Size = size,
        };

    public static GatewayResponse Refused(GatewayResponseKind kind, string detail) => new(kind, detail);
}
