using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Gateway;
using Portal.Core.Malware;
using Portal.Core.Registry;
using Portal.Data;

namespace Portal.Features.Gateway;

/// <summary>
/// Store, scan, forward: answers a request for a path of a remote from the content store when its bytes are clean
/// for the current definitions; otherwise downloads them from the remote's upstream into a private file (hashing while
/// writing), scans that file, records the verdict by sha256, and only then keeps and serves it. Infected bytes are
/// discarded and the path answers 409 from then on; a scanner that cannot scan means nothing is served (503).
/// Concurrent requests for the same uncached path share one download and one scan.
/// </summary>
public sealed class ContentGateway(
    IDbContextFactory<PortalDbContext> contexts,
    IVirusScanner scanner,
    ScannerDefinitions definitions,
    ScanQueue queue,
    ContentStore store,
    IHttpClientFactory httpClients,
    IOptions<GatewayOptions> options,
    TimeProvider clock,
    IHostApplicationLifetime lifetime,
    ILogger<ContentGateway> logger)
{
    public const string HttpClientName = "gateway-upstream";
    private const int MaxRedirects = 5;
    private const int MaxHotEntries = 50_000;
    private static readonly TimeSpan HotEntryLifetime = TimeSpan.FromSeconds(60);
    private static readonly FileExtensionContentTypeProvider ContentTypes = CreateContentTypes();

    private readonly ConcurrentDictionary<(long Remote, string Path), HotEntry> _hot = new();
    private readonly ConcurrentDictionary<(long Remote, string Path), Flight> _flights = new();
    private readonly Lock _flightLock = new();

    /// <summary>Upstream fetches started (for the Gateway page and for tests of request sharing).</summary>
    public long UpstreamFetches => Interlocked.Read(ref _upstreamFetches);

    private long _upstreamFetches;

    /// <summary>Answers a request for <paramref name="path"/> of <paramref name="remote"/> made by <paramref name="actor"/>.</summary>
    public async Task<GatewayResponse> GetAsync(Remote remote, ContentPath path, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(remote);
        ArgumentNullException.ThrowIfNull(path);
        if (!remote.Allows(path))
        {
            return GatewayResponse.Refused(GatewayResponseKind.PathNotAllowed,
                $"Remote '{remote.Name}' does not allow '{path.Value}' (allowed: {string.Join(", ", remote.AllowedPathPatterns)}).");
        }

        if (path.IsFilesPath && remote.FilesBase is null)
        {
            return GatewayResponse.Refused(GatewayResponseKind.NotFound, $"Remote '{remote.Name}' has no files URL for '{path.Value}'.");
        }

        var key = (remote.Id, path.Value);
        var current = await definitions.CurrentAsync(cancellationToken);
        if (_hot.TryGetValue(key, out var hot) && hot.IsValid(current, clock.GetUtcNow()) && File.Exists(hot.StoredFile))
        {
            return GatewayResponse.Kept(hot.StoredFile, hot.Sha256, hot.Size, hot.ContentType);
        }

        _hot.TryRemove(key, out _);
        return await JoinFlightAsync(key, () => ResolveAsync(remote, path, actor), cancellationToken);
    }

    /// <summary>Forgets what is cached in memory for a remote (after it changed) or for all content (after a rescan).</summary>
    public void ForgetCached(long? remoteId = null)
    {
        foreach (var key in _hot.Keys.Where(k => remoteId is null || k.Remote == remoteId))
        {
            _hot.TryRemove(key, out _);
        }
    }

    /// <summary>
    /// Scans a file the caller downloaded or received into <see cref="ContentStore.NewWorkFile"/>, records its verdict
    /// and artifact, keeps it when clean (unless the remote is Streamed), and records a quarantine event when infected.
    /// The work file is moved into the store or left for the caller to delete.
    /// </summary>
    public async Task<Admission> AdmitAsync(
        Remote remote, ContentPath path, string workFile, string sha256, long size, ContentSource source, string actor,
        ScanQueue.Place place, CancellationToken cancellationToken)
    {
        var verdict = await VerdictForAsync(workFile, path, sha256, place, cancellationToken);
        if (verdict.Verdict is null)
        {
            return new Admission(verdict.Error!, null);
        }

        var recorded = verdict.Verdict;
        var contentType = ContentTypeOf(path);
        var keep = recorded.IsClean && remote.Policy != RemotePolicy.Streamed;
        if (keep)
        {
            store.Keep(workFile, sha256);
        }

        var now = clock.GetUtcNow();
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            if (verdict.IsNew)
            {
                await UpsertVerdictAsync(db, recorded, cancellationToken);
            }

            var artifact = await db.ContentArtifacts.SingleOrDefaultAsync(a => a.RemoteId == remote.Id && a.Path == path.Value, cancellationToken);
            if (artifact is null)
            {
                db.ContentArtifacts.Add(ContentArtifact.Record(remote.Id, path, sha256, size, contentType, keep, source, now));
            }
            else
            {
                artifact.Refetched(sha256, size, contentType, keep, source, now);
            }

            if (recorded.Outcome == ScanOutcome.Infected)
            {
                db.QuarantineEvents.Add(QuarantineEvent.Record(
                    remote.Name, path.Value, sha256, size, recorded.Signature ?? "unknown", source, recorded.Engine, recorded.DefinitionsVersion, actor, now));
                logger.LogWarning("Gateway refused {Remote}/{Path} ({Sha256}): {Signature}", remote.Name, path.Value, sha256, recorded.Signature);
            }

            await db.SaveChangesAsync(cancellationToken);
        }

        if (recorded.Outcome == ScanOutcome.Infected)
        {
            return new Admission(GatewayResponse.InfectedWith(recorded.Signature ?? "unknown", sha256, size), recorded);
        }

        if (keep)
        {
            var stored = store.PathOf(sha256);
            _hot[(remote.Id, path.Value)] = new HotEntry(stored, sha256, size, contentType, recorded.Engine, recorded.DefinitionsVersion, now);
            return new Admission(GatewayResponse.Kept(stored, sha256, size, contentType), recorded);
        }

        return new Admission(GatewayResponse.Streamed(OpenShared(workFile), sha256, size, contentType), recorded);
    }

    /// <summary>The content type served for a path: by its extension, never the upstream's word (see the endpoint's sandbox).</summary>
    public static string ContentTypeOf(ContentPath path) =>
        ContentTypes.TryGetContentType(path.FileName, out var type) ? type : "application/octet-stream";

    /// <summary>
    /// Downloads <paramref name="path"/> from the remote's upstream into a new work file, hashing as it writes. Redirects
    /// are followed only while they stay under the remote's upstream or files URL.
    /// </summary>
    public async Task<Download> DownloadAsync(Remote remote, ContentPath path, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _upstreamFetches);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.Value.DownloadTimeoutSeconds));
        var token = timeout.Token;
        var client = httpClients.CreateClient(HttpClientName);
        var uri = remote.UpstreamUriOf(path);
        HttpResponseMessage? response = null;
        try
        {
            for (var hop = 0; ; hop++)
            {
                response = await client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, token);
                if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } location)
                {
                    var next = location.IsAbsoluteUri ? location : new Uri(uri, location);
                    response.Dispose();
                    response = null;
                    if (hop >= MaxRedirects || !IsUnderRemote(remote, next))
                    {
                        return Download.Failed(GatewayResponse.Refused(GatewayResponseKind.UpstreamFailed,
                            $"The upstream redirected '{path.Value}' to {next.GetLeftPart(UriPartial.Path)}, outside remote '{remote.Name}'; the gateway only fetches from its remotes."));
                    }

                    uri = next;
                    continue;
                }

                break;
            }

            if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
            {
                return Download.Failed(GatewayResponse.Refused(GatewayResponseKind.NotFound, $"Remote '{remote.Name}' has no '{path.Value}'."));
            }

            if (!response.IsSuccessStatusCode)
            {
                return Download.Failed(GatewayResponse.Refused(GatewayResponseKind.UpstreamFailed,
                    $"Remote '{remote.Name}' answered {(int)response.StatusCode} {response.ReasonPhrase} for '{path.Value}'."));
            }

            if (response.Content.Headers.ContentLength > remote.MaxFileBytes)
            {
                return Download.Failed(TooLarge(remote, path, response.Content.Headers.ContentLength.Value));
            }

            var workFile = store.NewWorkFile(path.FileName);
            try
            {
                await using var upstream = await response.Content.ReadAsStreamAsync(token);
                var (sha256, size) = await WriteHashingAsync(upstream, workFile, remote.MaxFileBytes, token);
                if (size > remote.MaxFileBytes)
                {
                    ContentStore.DeleteWorkFile(workFile);
                    return Download.Failed(TooLarge(remote, path, size));
                }

                return new Download(workFile, sha256, size, null);
            }
            catch
            {
                ContentStore.DeleteWorkFile(workFile);
                throw;
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException || e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(e, "Downloading {Path} from remote {Remote} failed", path.Value, remote.Name);
            return Download.Failed(GatewayResponse.Refused(GatewayResponseKind.UpstreamFailed,
                $"Remote '{remote.Name}' could not be reached for '{path.Value}': {e.Message}"));
        }
        finally
        {
            response?.Dispose();
        }
    }

    /// <summary>Writes <paramref name="content"/> to <paramref name="file"/>, hashing; stops one byte past <paramref name="limit"/>.</summary>
    public static async Task<(string Sha256, long Size)> WriteHashingAsync(Stream content, string file, long limit, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        // Written synchronously: Linux has no asynchronous file writes, so an "asynchronous" FileStream only moves each
        // write to another thread, which costs more than the write itself for the small files most packages are.
        await using var output = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0);
        // Pooled: a sync downloads thousands of files, and a buffer this size would be a large-object allocation each.
        var buffer = ArrayPool<byte>.Shared.Rent(128 * 1024);
        try
        {
            long size = 0;
            int read;
            while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
            {
                size += read;
                if (size > limit)
                {
                    return (string.Empty, size);
                }

                hash.AppendData(buffer, 0, read);
                output.Write(buffer, 0, read);
            }

            return (Convert.ToHexStringLower(hash.GetHashAndReset()), size);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static bool IsUnderRemote(Remote remote, Uri uri) =>
        IsUnder(remote.UpstreamBase, uri) || (remote.FilesBase is { } files && IsUnder(files, uri));

    internal static bool IsUnder(Uri baseUri, Uri uri) =>
        uri.Scheme == baseUri.Scheme
        && string.Equals(uri.Authority, baseUri.Authority, StringComparison.OrdinalIgnoreCase)
        && uri.AbsolutePath.StartsWith(baseUri.AbsolutePath, StringComparison.Ordinal)
        && !uri.AbsolutePath.Contains("/../", StringComparison.Ordinal);

    private static GatewayResponse TooLarge(Remote remote, ContentPath path, long size) =>
        GatewayResponse.Refused(GatewayResponseKind.TooLarge,
            $"'{path.Value}' is {size:N0} bytes or more, above remote '{remote.Name}''s limit of {remote.MaxFileBytes:N0} bytes; nothing was kept.");

    // What the request waits for: the kept file (rescanned if its verdict is not for the current definitions), the
    // remembered verdict of infected bytes, or a download and scan.
    private async Task<GatewayResponse> ResolveAsync(Remote remote, ContentPath path, string actor)
    {
        var token = lifetime.ApplicationStopping;
        var current = await definitions.CurrentAsync(token);
        ContentArtifact? artifact;
        MalwareVerdict? verdict = null;
        await using (var db = await contexts.CreateDbContextAsync(token))
        {
            artifact = await db.ContentArtifacts.AsNoTracking().SingleOrDefaultAsync(a => a.RemoteId == remote.Id && a.Path == path.Value, token);
            if (artifact is not null)
            {
                verdict = await db.MalwareVerdicts.AsNoTracking().SingleOrDefaultAsync(v => v.Sha256 == artifact.Sha256, token);
            }
        }

        if (artifact is not null && verdict is { Outcome: ScanOutcome.Infected })
        {
            return GatewayResponse.InfectedWith(verdict.Signature ?? "unknown", artifact.Sha256, artifact.Size);
        }

        if (artifact is { Kept: true } && store.Contains(artifact.Sha256))
        {
            var stored = store.PathOf(artifact.Sha256);
            if (verdict is not null && ScannerDefinitions.IsCurrent(verdict, current))
            {
                _hot[(remote.Id, path.Value)] = new HotEntry(stored, artifact.Sha256, artifact.Size, artifact.ContentType, verdict.Engine, verdict.DefinitionsVersion, clock.GetUtcNow());
                return GatewayResponse.Kept(stored, artifact.Sha256, artifact.Size, artifact.ContentType);
            }

            return await RescanKeptAsync(remote, path, artifact, actor, token);
        }

        using var place = queue.TryEnter();
        if (place is null)
        {
            return Busy();
        }

        var download = await DownloadAsync(remote, path, token);
        if (download.Failure is { } failure)
        {
            return failure;
        }

        GatewayResponse? response = null;
        try
        {
            response = (await AdmitAsync(remote, path, download.WorkFile!, download.Sha256!, download.Size, ContentSource.Request, actor, place, token)).Response;
            return response;
        }
        finally
        {
            // A streamed file is removed by its flight once every waiting caller has opened it.
            if (response?.Content is null)
            {
                ContentStore.DeleteWorkFile(download.WorkFile!);
            }
        }
    }

    // New definitions may find what old ones missed: the kept bytes are scanned again before they are served.
    private async Task<GatewayResponse> RescanKeptAsync(Remote remote, ContentPath path, ContentArtifact artifact, string actor, CancellationToken cancellationToken)
    {
        using var place = queue.TryEnter();
        if (place is null)
        {
            return Busy();
        }

        var outcome = await RescanStoredAsync(artifact.Sha256, artifact.Size, path.Value, place, actor, cancellationToken);
        return outcome switch
        {
            { Outcome: ScanOutcome.Clean } => GatewayResponse.Kept(store.PathOf(artifact.Sha256), artifact.Sha256, artifact.Size, artifact.ContentType),
            { Outcome: ScanOutcome.Infected } verdict => GatewayResponse.InfectedWith(verdict.Signature ?? "unknown", artifact.Sha256, artifact.Size),
            _ => GatewayResponse.Refused(GatewayResponseKind.ScannerUnavailable,
                $"'{path.Value}' must be scanned again with the scanner's current definitions, and {scanner.Name} cannot scan now: {outcome.Reason}. Nothing was served."),
        };
    }

    /// <summary>
    /// Scans kept bytes again and records the verdict. Infected: the bytes leave the store, every path holding them
    /// stops being kept, and each gets a quarantine event. Returns the new verdict (Error when the scanner could not scan).
    /// </summary>
    public async Task<MalwareVerdict> RescanStoredAsync(
        string sha256, long size, string name, ScanQueue.Place place, string actor, CancellationToken cancellationToken)
    {
        var stored = store.PathOf(sha256);
        var info = await definitions.CurrentAsync(cancellationToken);
        ScanVerdict scanned;
        if (info is null)
        {
            scanned = ScanVerdict.Error(ScanErrorKind.ScannerUnavailable, $"{scanner.Name} did not say its definitions version");
        }
        else
        {
            scanned = await place.ScanAsync(async () =>
            {
                await using var content = new FileStream(stored, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1, FileOptions.Asynchronous);
                return await scanner.ScanAsync(content, name, cancellationToken);
            }, cancellationToken);
        }

        var now = clock.GetUtcNow();
        var digest = Digest.Parse($"{Digest.Sha256Algorithm}:{sha256}");
        var verdict = MalwareVerdict.Record(digest, scanned, info ?? new ScannerInfo(scanner.Name, null, null), now);
        if (scanned.Outcome == ScanOutcome.Error)
        {
            return verdict;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await UpsertVerdictAsync(db, verdict, cancellationToken);
        if (scanned.Outcome == ScanOutcome.Infected)
        {
            var holders = await db.ContentArtifacts.Where(a => a.Sha256 == sha256).ToListAsync(cancellationToken);
            var remoteNames = await db.Remotes.AsNoTracking().ToDictionaryAsync(r => r.Id, r => r.Name, cancellationToken);
            foreach (var holder in holders)
            {
                holder.Discard();
                db.QuarantineEvents.Add(QuarantineEvent.Record(remoteNames.GetValueOrDefault(holder.RemoteId, "?"), holder.Path, sha256, holder.Size,
                    scanned.Signature!, ContentSource.Rescan, verdict.Engine, verdict.DefinitionsVersion, actor, now));
                _hot.TryRemove((holder.RemoteId, holder.Path), out _);
            }

            await db.SaveChangesAsync(cancellationToken);
            store.Remove(sha256);
            logger.LogWarning("Rescan found {Signature} in kept content {Sha256}; removed from the store", scanned.Signature, sha256);
        }
        else
        {
            await db.SaveChangesAsync(cancellationToken);
        }

        return verdict;
    }

    private async Task<ScanResult> VerdictForAsync(string workFile, ContentPath path, string sha256, ScanQueue.Place place, CancellationToken cancellationToken)
    {
        var info = await definitions.CurrentAsync(cancellationToken);
        if (info is null)
        {
            return ScanResult.Failed(GatewayResponse.Refused(GatewayResponseKind.ScannerUnavailable,
                $"{scanner.Name} cannot be reached, so '{path.Value}' cannot be scanned; nothing was served."));
        }

        // The same bytes already judged with these definitions (another path, remote or an earlier download) need no second scan.
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            var known = await db.MalwareVerdicts.AsNoTracking().SingleOrDefaultAsync(v => v.Sha256 == sha256, cancellationToken);
            if (known is not null && (known.Outcome == ScanOutcome.Infected || ScannerDefinitions.IsCurrent(known, info)))
            {
                return new ScanResult(known, false, null);
            }
        }

        var scanned = await place.ScanAsync(async () =>
        {
            await using var content = new FileStream(workFile, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1, FileOptions.Asynchronous);
            return await scanner.ScanAsync(content, path.Value, cancellationToken);
        }, cancellationToken);

        switch (scanned.Outcome)
        {
            case ScanOutcome.Error when scanned.ErrorKind == ScanErrorKind.ContentTooLarge:
                return ScanResult.Failed(GatewayResponse.Refused(GatewayResponseKind.TooLarge,
                    $"'{path.Value}' is larger than {scanner.Name} scans in one piece, so it cannot be scanned whole; nothing was served. {scanned.Reason}"));
            case ScanOutcome.Error:
                definitions.Expire();
                return ScanResult.Failed(GatewayResponse.Refused(GatewayResponseKind.ScannerUnavailable,
                    $"'{path.Value}' could not be scanned, so nothing was served: {scanned.Reason}"));
        }

        var digest = Digest.Parse($"{Digest.Sha256Algorithm}:{sha256}");
        return new ScanResult(MalwareVerdict.Record(digest, scanned, info, clock.GetUtcNow()), true, null);
    }

    private static async Task UpsertVerdictAsync(PortalDbContext db, MalwareVerdict verdict, CancellationToken cancellationToken)
    {
        var existing = await db.MalwareVerdicts.SingleOrDefaultAsync(v => v.Sha256 == verdict.Sha256, cancellationToken);
        if (existing is null)
        {
            db.MalwareVerdicts.Add(verdict);
        }
        else
        {
            existing.Supersede(verdict);
        }
    }

    private GatewayResponse Busy() =>
        GatewayResponse.Refused(GatewayResponseKind.Busy,
            $"{queue.Depth} downloads and scans are waiting, the most the gateway queues; try again in {options.Value.RetryAfterSeconds} s.");

    // Requests for the same uncached path share one flight (download, scan, record). The flight runs on the
    // application's token, not the first caller's, so one impatient client cannot cancel it for the others. A file
    // that is served without being kept (Streamed) is opened once per joined caller and removed when the flight ends.
    private async Task<GatewayResponse> JoinFlightAsync((long, string) key, Func<Task<GatewayResponse>> work, CancellationToken cancellationToken)
    {
        Flight flight;
        bool owner;
        lock (_flightLock)
        {
            owner = !_flights.TryGetValue(key, out flight!);
            if (owner)
            {
                flight = new Flight();
                _flights[key] = flight;
            }

            flight.Join();
        }

        if (owner)
        {
            _ = Task.Run(async () =>
            {
                GatewayResponse? response = null;
                Exception? failure = null;
                try
                {
                    response = await work();
                }
                catch (Exception e)
                {
                    failure = e;
                }

                // Unlisted before it completes, so the number of callers is final when they are told.
                lock (_flightLock)
                {
                    _flights.TryRemove(key, out _);
                }

                if (response is not null)
                {
                    flight.Complete(response);
                }
                else
                {
                    flight.Fail(failure!);
                }
            }, CancellationToken.None);
        }

        GatewayResponse response;
        try
        {
            response = await flight.Result.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            flight.Leave();
            throw;
        }

        try
        {
            return response.Content is FileStream shared ? GatewayResponse.Streamed(OpenShared(shared.Name), response.Sha256!, response.Size, response.ContentType!) : response;
        }
        finally
        {
            flight.Leave();
        }
    }

    private static FileStream OpenShared(string file) =>
        new(file, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);

    private static FileExtensionContentTypeProvider CreateContentTypes()
    {
        var provider = new FileExtensionContentTypeProvider();
        provider.Mappings[".whl"] = "application/zip";
        provider.Mappings[".egg"] = "application/zip";
        provider.Mappings[".metadata"] = "text/plain";
        return provider;
    }

    /// <summary>The result of <see cref="DownloadAsync"/>: a work file with its sha256 and size, or why there is none.</summary>
    public sealed record Download(string? WorkFile, string? Sha256, long Size, GatewayResponse? Failure)
    {
        public static Download Failed(GatewayResponse failure) => new(null, null, 0, failure);
    }

    /// <summary>The result of <see cref="AdmitAsync"/>: the response for the caller and the verdict behind it (null when not scanned).</summary>
    public sealed record Admission(GatewayResponse Response, MalwareVerdict? Verdict);

    private sealed record ScanResult(MalwareVerdict? Verdict, bool IsNew, GatewayResponse? Error)
    {
        public static ScanResult Failed(GatewayResponse error) => new(null, false, error);
    }

    private sealed record HotEntry(string StoredFile, string Sha256, long Size, string ContentType, string Engine, string? DefinitionsVersion, DateTimeOffset CheckedAt)
    {
        public bool IsValid(ScannerInfo? current, DateTimeOffset now) =>
            current is not null && now - CheckedAt < HotEntryLifetime
            && string.Equals(current.Engine, Engine, StringComparison.Ordinal)
            && string.Equals(current.DefinitionsVersion, DefinitionsVersion, StringComparison.Ordinal);
    }

    private sealed class Flight
    {
        private readonly TaskCompletionSource<GatewayResponse> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Lock _lock = new();
        private int _joined;
        private int _left;
        private bool _completed;

        public Task<GatewayResponse> Result => _result.Task;

        /// <summary>Only while the flight is listed: once it completes, nobody joins any more.</summary>
        public void Join()
        {
            lock (_lock)
            {
                _joined++;
            }
        }

        public void Complete(GatewayResponse response)
        {
            lock (_lock)
            {
                _completed = true;
                if (_left == _joined)
                {
                    Release(response);
                }
            }

            _result.TrySetResult(response);
        }

        public void Fail(Exception exception) => _result.TrySetException(exception);

        /// <summary>A caller has what it needs (its own handle on a streamed file), or gave up.</summary>
        public void Leave()
        {
            lock (_lock)
            {
                _left++;
                if (_completed && _left == _joined && _result.Task.IsCompletedSuccessfully)
                {
                    Release(_result.Task.Result);
                }
            }
        }

        // The flight's own handle on a streamed (not kept) file, and the file itself, go when the last caller has its own.
        private static void Release(GatewayResponse response)
        {
            if (response.Content is FileStream content)
            {
                content.Dispose();
                ContentStore.DeleteWorkFile(content.Name);
            }
        }
    }
}
