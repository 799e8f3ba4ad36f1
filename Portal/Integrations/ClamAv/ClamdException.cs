using Portal.Core.Malware;

namespace Portal.Integrations.ClamAv;

/// <summary>Talking to clamd failed: the socket broke, clamd hung up, or it answered outside the protocol.</summary>
internal sealed class ClamdException : Exception
{
    public ClamdException()
    {
    }

    public ClamdException(string message)
        : base(message)
    {
    }

    public ClamdException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ClamdException(string message, bool connectionLost, Exception? innerException = null)
        : base(message, innerException)
    {
        ConnectionLost = connectionLost;
        Kind = connectionLost ? ScanErrorKind.ScannerUnavailable : ScanErrorKind.ScanFailed;
    }

    public ClamdException(string message, ScanErrorKind kind)
        : base(message)
    {
        Kind = kind;
    }

    /// <summary>
    /// The connection broke (send failed, or clamd closed it) before any reply: on a pooled connection that usually
    /// means clamd had already dropped it, and the scan may be tried again on a fresh one.
    /// </summary>
    public bool ConnectionLost { get; }

    public ScanErrorKind Kind { get; } = ScanErrorKind.ScanFailed;
}
