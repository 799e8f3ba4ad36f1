using System.ComponentModel.DataAnnotations;
using System.Text;

namespace Portal.Integrations.ClamAv;

/// <summary>
/// Where clamd listens and how the portal talks to it. Either <see cref="UnixSocket"/> or <see cref="Host"/> and
/// <see cref="Port"/>; the socket wins when both are set.
/// <para>
/// clamd answers OK for content beyond its MaxFileSize/MaxScanSize without scanning all of it unless clamd.conf says
/// <c>AlertExceedsMax yes</c>; set that, or keep those limits at least as large as StreamMaxLength.
/// </para>
/// </summary>
public sealed class ClamAvOptions : IValidatableObject
{
    public const string SectionName = "ClamAv";

    /// <summary>clamd's own default StreamMaxLength, 25M (clamd counts M as 1024 * 1024).</summary>
    public const long DefaultStreamMaxLength = 25L * 1024 * 1024;

    /// <summary>clamd reads the INSTREAM chunk length as 4 bytes, and refuses StreamMaxLength of 4 GB or more.</summary>
    public const long MaxStreamMaxLength = uint.MaxValue - 1;

    // sun_path is 108 bytes on Linux, one of them the terminating NUL.
    private const int MaxUnixSocketPathBytes = 107;

    /// <summary>clamd's host name or address (its TCPAddr); ignored when <see cref="UnixSocket"/> is set.</summary>
    public string? Host { get; set; } = "127.0.0.1";

    /// <summary>clamd's TCPSocket.</summary>
    public int Port { get; set; } = 3310;

    /// <summary>clamd's LocalSocket, e.g. /run/clamav/clamd.ctl; when set, TCP is not used.</summary>
    public string? UnixSocket { get; set; }

    /// <summary>Seconds to wait for a connection to clamd.</summary>
    public int ConnectTimeoutSeconds { get; set; } = 5;

    /// <summary>Seconds one scan may take once connected: sending the content and waiting for clamd's answer.</summary>
    public int ScanTimeoutSeconds { get; set; } = 120;

    /// <summary>Bytes per INSTREAM chunk.</summary>
    public int ChunkSize { get; set; } = 64 * 1024;

    /// <summary>
    /// Bytes clamd accepts in one INSTREAM: must equal clamd.conf's StreamMaxLength. Longer content is never sent (it
    /// gets a "larger than StreamMaxLength" error verdict); if this is set higher than clamd's, clamd's refusal is an
    /// error verdict too, never clean.
    /// </summary>
    public long StreamMaxLength { get; set; } = DefaultStreamMaxLength;

    /// <summary>Scans in flight at once (each holds one connection). Keep at or below clamd's MaxThreads for best latency.</summary>
    public int MaxConnections { get; set; } = 10;

    /// <summary>
    /// Keep connections open between scans (clamd's IDSESSION) instead of one connection per scan. Turn off when
    /// something between the portal and clamd (a load balancer over several clamd replicas) should see every scan as a
    /// new connection.
    /// </summary>
    public bool ReuseConnections { get; set; } = true;

    /// <summary>
    /// Seconds an unused pooled connection is kept. Must be well below the time clamd keeps an idle session
    /// (clamd.conf's ReadTimeout, 120 by default).
    /// </summary>
    public int IdleConnectionSeconds { get; set; } = 30;

    /// <summary>
    /// Over a Unix socket, a file on disk is handed to clamd as an open descriptor (FILDES, as clamdscan --fdpass does)
    /// instead of being streamed: clamd reads it in place, with no copy through the socket and no temporary file of
    /// its own. clamd needs no access to the portal's directories. Off: every scan streams (INSTREAM).
    /// </summary>
    public bool PassFileDescriptors { get; set; } = true;

    /// <summary>"unix:/run/clamav/clamd.ctl" or "127.0.0.1:3310", for messages.</summary>
    public string Address => UsesUnixSocket
        ? $"unix:{UnixSocket}"
        : Host is not null && Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    public bool UsesUnixSocket => !string.IsNullOrWhiteSpace(UnixSocket);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (UsesUnixSocket)
        {
            if (Encoding.UTF8.GetByteCount(UnixSocket!) > MaxUnixSocketPathBytes)
            {
                yield return new ValidationResult(
                    $"{SectionName}:UnixSocket '{UnixSocket}' is longer than the {MaxUnixSocketPathBytes} bytes a Unix socket path may have.",
                    [nameof(UnixSocket)]);
            }
        }
        else
        {
            if (string.IsNullOrWhiteSpace(Host))
            {
                yield return new ValidationResult(
                    $"{SectionName}:Host is required when {SectionName}:UnixSocket is not set.", [nameof(Host)]);
            }

            if (Port is < 1 or > 65_535)
            {
                yield return new ValidationResult($"{SectionName}:Port must be between 1 and 65535.", [nameof(Port)]);
            }
        }

        if (ConnectTimeoutSeconds is < 1 or > 300)
        {
            yield return new ValidationResult($"{SectionName}:ConnectTimeoutSeconds must be between 1 and 300.", [nameof(ConnectTimeoutSeconds)]);
        }

        if (ScanTimeoutSeconds is < 1 or > 3_600)
        {
            yield return new ValidationResult($"{SectionName}:ScanTimeoutSeconds must be between 1 and 3600.", [nameof(ScanTimeoutSeconds)]);
        }

        if (ChunkSize is < 1_024 or > 16 * 1024 * 1024)
        {
            yield return new ValidationResult($"{SectionName}:ChunkSize must be between 1024 and 16777216 bytes.", [nameof(ChunkSize)]);
        }

        if (StreamMaxLength is < 1 or > MaxStreamMaxLength)
        {
            yield return new ValidationResult(
                $"{SectionName}:StreamMaxLength must be between 1 and {MaxStreamMaxLength} bytes, and equal to clamd.conf's StreamMaxLength.",
                [nameof(StreamMaxLength)]);
        }

        if (MaxConnections is < 1 or > 1_000)
        {
            yield return new ValidationResult($"{SectionName}:MaxConnections must be between 1 and 1000.", [nameof(MaxConnections)]);
        }

        if (IdleConnectionSeconds is < 1 or > 3_600)
        {
            yield return new ValidationResult($"{SectionName}:IdleConnectionSeconds must be between 1 and 3600.", [nameof(IdleConnectionSeconds)]);
        }
    }
}
