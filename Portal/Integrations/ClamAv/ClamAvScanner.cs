using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Portal.Core.Malware;
using Portal.Core.Registry;

namespace Portal.Integrations.ClamAv;

/// <summary>
/// Scans content with clamd over TCP or a Unix socket using INSTREAM (files over a Unix socket go as a descriptor,
/// FILDES: see <see cref="ClamAvOptions.PassFileDescriptors"/>), and asks it PING and VERSION.
/// <para>
/// The clamd protocol is spoken here directly (docs/man/clamd.8 in ClamAV's source): nClam, the usual .NET client,
/// is not on the package feed, and the protocol is small. Commands use the "z" prefix, so commands and replies are
/// NUL-terminated and a reply may contain newlines. Connections are pooled as IDSESSIONs; see
/// <see cref="ClamdConnectionPool"/>.
/// </para>
/// <para>
/// Fail closed: a clean verdict needs clamd's "stream: OK" for every byte of the content. Content longer than
/// <see cref="ClamAvOptions.StreamMaxLength"/> is never sent (clamd would refuse it), and anything else that goes
/// wrong (refused connection, timeout, hang-up, an ERROR or any reply that is not a scan result) is an error verdict
/// naming clamd's address.
/// </para>
/// </summary>
public sealed class ClamAvScanner : IVirusScanner, IDisposable
{
    private const string StreamSubject = "stream";
    private const string SizeLimitReply = "INSTREAM size limit exceeded";
    private const int CommandLength = 10; // "zINSTREAM\0"
    private const int LengthPrefix = 4;
    private static readonly byte[] InstreamCommand = "zINSTREAM\0"u8.ToArray();
    private static readonly byte[] FildesCommand = "zFILDES\0"u8.ToArray();

    // After a failed send, how long to wait for the reply clamd may have sent before hanging up (it explains why).
    private static readonly TimeSpan ReplyAfterFailureWait = TimeSpan.FromSeconds(2);

    private readonly ClamAvOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ClamAvScanner> _logger;
    private readonly ClamdConnectionPool _pool;

    public ClamAvScanner(IOptions<ClamAvOptions> options, TimeProvider time, ILogger<ClamAvScanner> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        _pool = new ClamdConnectionPool(_options, time);
    }

    public string Name => $"clamd {_options.Address}";

    public long? MaxContentLength => _options.StreamMaxLength;

    /// <summary>Connections kept open for reuse right now.</summary>
    internal int IdleConnections => _pool.IdleCount;

    public async Task<ScanVerdict> ScanAsync(Stream content, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(name);
        var start = content.CanSeek ? content.Position : -1;
        if (start >= 0 && content.Length - start > _options.StreamMaxLength)
        {
            return TooLarge(name, content.Length - start);
        }

        // One retry, only when a pooled connection turns out to have been closed by clamd meanwhile (the send fails, or
        // clamd hangs up without a reply), and only if the content can be read again from the start. The pool's
        // liveness check catches nearly all such connections before use; this covers the race.
        for (var attempt = 1; ; attempt++)
        {
            ClamdLease lease;
            try
            {
                lease = await _pool.RentAsync(cancellationToken);
            }
            catch (ClamdException e)
            {
                return Failed(name, ScanErrorKind.ScannerUnavailable, e.Message, e);
            }

            using (lease)
            {
                try
                {
                    using var timeLimit = new CancellationTokenSource(TimeSpan.FromSeconds(_options.ScanTimeoutSeconds), _time);
                    using var scan = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeLimit.Token);
                    return PassesDescriptor(content) is { } file
                        ? await ScanDescriptorOnAsync(lease, file, name, scan.Token)
                        : await ScanOnAsync(lease, content, name, scan.Token);
                }
                catch (ClamdException e) when (e.ConnectionLost && lease.Reused && start >= 0 && attempt == 1)
                {
                    _logger.LogDebug(e, "Pooled connection to clamd at {Address} was gone; scanning {Name} again on a new one", _options.Address, name);
                    content.Position = start;
                }
                catch (ClamdException e)
                {
                    return Failed(name, e.Kind, e.Message, e);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    return Failed(name, ScanErrorKind.ScannerUnavailable,
                        $"scanning '{name}' with clamd at {_options.Address} did not finish within {_options.ScanTimeoutSeconds} s " +
                        $"({ClamAvOptions.SectionName}:ScanTimeoutSeconds)", null);
                }
            }
        }
    }

    /// <summary>PING: true when clamd answers PONG.</summary>
    /// <exception cref="VirusScannerUnavailableException">clamd cannot be reached or answers something else.</exception>
    public async Task PingAsync(CancellationToken cancellationToken)
    {
        var reply = await CommandAsync("zPING\0"u8.ToArray(), cancellationToken);
        if (reply != "PONG")
        {
            throw new VirusScannerUnavailableException($"clamd at {_options.Address} answered PING with '{reply}', not PONG.");
        }
    }

    /// <summary>VERSION: the engine and, when clamd loaded an official daily database, its version and date.</summary>
    public async Task<ScannerInfo> DescribeAsync(CancellationToken cancellationToken)
    {
        var reply = await CommandAsync("zVERSION\0"u8.ToArray(), cancellationToken);
        try
        {
            return ClamAvOutput.ParseVersion(reply);
        }
        catch (FormatException e)
        {
            throw new VirusScannerUnavailableException($"clamd at {_options.Address} answered VERSION with '{reply}'.", e);
        }
    }

    public void Dispose() => _pool.Dispose();

    // token: the caller's, limited to the scan's time.
    private async Task<ScanVerdict> ScanOnAsync(ClamdLease lease, Stream content, string name, CancellationToken token)
    {
        var connection = lease.Connection;
        var commandId = connection.BeginCommand();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var chunkSize = _options.ChunkSize;

        // One buffer: [command][length][data][terminator]. The command goes out with the first chunk and the zero-length
        // terminator with the last, so a small file is a single send.
        var buffer = ArrayPool<byte>.Shared.Rent(CommandLength + LengthPrefix + chunkSize + LengthPrefix);
        try
        {
            InstreamCommand.CopyTo(buffer, 0);
            var dataStart = CommandLength + LengthPrefix;
            var sendFrom = 0;
            long total = 0;
            while (true)
            {
                var read = await content.ReadAtLeastAsync(buffer.AsMemory(dataStart, chunkSize), chunkSize, throwOnEndOfStream: false, token);
                if (total + read > _options.StreamMaxLength)
                {
                    // The connection is mid-stream and is closed (not returned) by the lease; clamd sees it drop.
                    return TooLarge(name, null);
                }

                hash.AppendData(buffer, dataStart, read);
                total += read;
                var end = dataStart;
                if (read > 0)
                {
                    BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(CommandLength), (uint)read);
                    end += read;
                }
                else
                {
                    end = CommandLength; // nothing (more) to send but the terminator, which goes where the length was
                }

                // A short read means the stream has ended (ReadAtLeast only returns less at the end).
                var last = read < chunkSize;
                if (last)
                {
                    BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(end), 0);
                    end += LengthPrefix;
                }

                await SendOrExplainAsync(connection, buffer.AsMemory(sendFrom, end - sendFrom), commandId, name, total, token);
                sendFrom = CommandLength;
                if (last)
                {
                    break;
                }
            }

            var digest = Digest.Parse($"{Digest.Sha256Algorithm}:{Convert.ToHexStringLower(hash.GetHashAndReset())}");
            return await VerdictAsync(lease, commandId, name, digest, total, token);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // A file read from its start can go to clamd as a descriptor over a Unix socket; clamd scans the whole file, so
    // a stream positioned elsewhere (or not a file) is streamed instead.
    private FileStream? PassesDescriptor(Stream content) =>
        _options.PassFileDescriptors && _options.UsesUnixSocket && FileDescriptorPassing.IsSupported
            && content is FileStream { CanSeek: true, Position: 0 } file ? file : null;

    // FILDES: clamd scans the file through its own copy of our descriptor while we hash it with positional reads (which
    // share no file offset with clamd's), so the verdict names exactly the bytes on disk.
    private async Task<ScanVerdict> ScanDescriptorOnAsync(ClamdLease lease, FileStream file, string name, CancellationToken token)
    {
        var connection = lease.Connection;
        var commandId = connection.BeginCommand();
        await connection.SendAsync(FildesCommand, token);
        connection.SendFileDescriptor(file.SafeFileHandle, TimeSpan.FromSeconds(_options.ScanTimeoutSeconds));
        var (digest, length) = Hash(file, token);
        var verdict = await VerdictAsync(lease, commandId, name, digest, length, token);
        file.Position = length;
        return verdict;
    }

    // clamd's reply to the command just sent; the connection goes back to the pool only after a scan result.
    private async Task<ScanVerdict> VerdictAsync(ClamdLease lease, int commandId, string name, Digest digest, long length, CancellationToken cancellationToken)
    {
        var connection = lease.Connection;
        var reply = await connection.ReadReplyAsync(cancellationToken);
        var verdict = ToVerdict(reply, connection.InSession ? commandId : null, name, digest, length);
        if (verdict.Outcome != ScanOutcome.Error)
        {
            lease.KeepForReuse();
        }
        else
        {
            LogError(name, verdict.Reason!, null);
        }

        return verdict;
    }

    // Synchronous positional reads: Linux has no asynchronous reads of regular files (an "asynchronous" read only moves
    // to another thread), and the file was usually just written, so it is in the page cache.
    private (Digest Digest, long Length) Hash(FileStream file, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(_options.ChunkSize);
        try
        {
            long offset = 0;
            int read;
            while ((read = RandomAccess.Read(file.SafeFileHandle, buffer.AsSpan(0, _options.ChunkSize), offset)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                hash.AppendData(buffer, 0, read);
                offset += read;
            }

            return (Digest.Parse($"{Digest.Sha256Algorithm}:{Convert.ToHexStringLower(hash.GetHashAndReset())}"), offset);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // clamd answers a stream it refuses ("INSTREAM size limit exceeded") and hangs up, so our send fails; its reply
    // says why, which beats "broken pipe".
    private async Task SendOrExplainAsync(
        ClamdConnection connection, ReadOnlyMemory<byte> data, int commandId, string name, long sent, CancellationToken cancellationToken)
    {
        try
        {
            await connection.SendAsync(data, cancellationToken);
        }
        catch (ClamdException sendFailure)
        {
            string reply;
            try
            {
                using var wait = new CancellationTokenSource(ReplyAfterFailureWait, _time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, wait.Token);
                reply = await connection.ReadReplyAsync(linked.Token);
            }
            catch (Exception e) when (e is ClamdException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw sendFailure;
            }

            var text = StripSessionPrefix(reply, connection.InSession ? commandId : null) ?? reply;
            if (text.StartsWith(SizeLimitReply, StringComparison.Ordinal))
            {
                throw new ClamdException(SizeLimitMessage(name, sent), ScanErrorKind.ContentTooLarge);
            }

            throw new ClamdException($"clamd at {_options.Address} stopped reading '{name}' and answered '{reply}'", sendFailure);
        }
    }

    private ScanVerdict ToVerdict(string reply, int? sessionId, string name, Digest digest, long length)
    {
        var text = StripSessionPrefix(reply, sessionId);
        if (text is not null && ClamAvOutput.TryParseResultLine(text, out var result))
        {
            switch (result.Outcome)
            {
                case ScanOutcome.Clean when IsOurSubject(result.Subject):
                    return ScanVerdict.Clean(digest, length);
                case ScanOutcome.Infected when IsOurSubject(result.Subject):
                    return ScanVerdict.Infected(result.Signature!, digest, length);
                case ScanOutcome.Error when result.Error!.StartsWith(SizeLimitReply, StringComparison.Ordinal):
                    return ScanVerdict.Error(ScanErrorKind.ContentTooLarge, SizeLimitMessage(name, length));
                case ScanOutcome.Error:
                    return ScanVerdict.Error(ScanErrorKind.ScanFailed, $"clamd at {_options.Address} could not scan '{name}': {result.Error}");
            }
        }

        // "UNKNOWN COMMAND", "COMMAND READ TIMED OUT", another session id, another subject: we and clamd disagree.
        return ScanVerdict.Error(ScanErrorKind.ScanFailed, $"clamd at {_options.Address} answered '{reply}', which is not a result for '{name}'");
    }

    // clamd names streamed content "stream" and a passed descriptor "fd[N]" (N being its number in clamd).
    private static bool IsOurSubject(string subject) =>
        subject == StreamSubject || (subject.StartsWith("fd[", StringComparison.Ordinal) && subject.EndsWith(']'));

    // Inside an IDSESSION every reply is "<id>: <reply>"; the id must be the one of the command just sent.
    private static string? StripSessionPrefix(string reply, int? sessionId)
    {
        if (sessionId is not { } id)
        {
            return reply;
        }

        var prefix = id.ToString(CultureInfo.InvariantCulture) + ": ";
        return reply.StartsWith(prefix, StringComparison.Ordinal) ? reply[prefix.Length..] : null;
    }

    private async Task<string> CommandAsync(byte[] command, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(
            TimeSpan.FromSeconds(_options.ConnectTimeoutSeconds + _options.ScanTimeoutSeconds), _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            // Not pooled: PING is a health check, so it should prove that a new connection works, and VERSION is rare.
            using var connection = await ClamdConnection.ConnectAsync(_options, session: false, linked.Token);
            await connection.SendAsync(command, linked.Token);
            return await connection.ReadReplyAsync(linked.Token);
        }
        catch (ClamdException e)
        {
            throw new VirusScannerUnavailableException(e.Message, e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new VirusScannerUnavailableException(
                $"clamd at {_options.Address} did not answer within {_options.ConnectTimeoutSeconds + _options.ScanTimeoutSeconds} s.", e);
        }
    }

    private ScanVerdict TooLarge(string name, long? length)
    {
        var size = length is { } known ? $"{known} bytes" : "it";
        var reason = $"'{name}' is larger than StreamMaxLength ({_options.StreamMaxLength} bytes): clamd at {_options.Address} " +
            $"would refuse {size} in one stream, so nothing was scanned. Scan the files inside it one by one.";
        _logger.LogWarning("Not scanned: {Reason}", reason);
        return ScanVerdict.Error(ScanErrorKind.ContentTooLarge, reason);
    }

    private string SizeLimitMessage(string name, long sent) =>
        $"clamd at {_options.Address} refused '{name}' with '{SizeLimitReply}' after {sent} bytes, within " +
        $"{ClamAvOptions.SectionName}:StreamMaxLength ({_options.StreamMaxLength} bytes): clamd.conf's StreamMaxLength is lower; make them equal.";

    private ScanVerdict Failed(string name, ScanErrorKind kind, string reason, Exception? exception)
    {
        LogError(name, reason, exception);
        return ScanVerdict.Error(kind, reason);
    }

    private void LogError(string name, string reason, Exception? exception) =>
        _logger.LogWarning(exception, "Scan of {Name} gave no verdict: {Reason}", name, reason);
}
