using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Auditing;
using Portal.Core.Gateway;
using Portal.Core.Malware;
using Portal.Core.Registry;
using Portal.Data;
using Portal.Features.Audit;

namespace Portal.Features.Gateway;

/// <summary>What an admin asks a sync to fetch: paths of the remote, and (PyPI) projects whose files to fetch.</summary>
public sealed record SyncRequest(IReadOnlyList<string>? Paths, IReadOnlyList<string>? Projects);

/// <summary>A file a sync could not keep, and why.</summary>
public sealed record SyncProblem(string Path, string Reason, string? Signature = null);

/// <summary>What a sync did: files fetched, already current, kept clean, refused as infected, and failed.</summary>
public sealed record SyncReport(
    string Remote, int Requested, int AlreadyCurrent, int Kept, IReadOnlyList<SyncProblem> Infected, IReadOnlyList<SyncProblem> Failed, TimeSpan Took)
{
    public string Message =>
        $"{Remote}: {Requested} files, {Kept} scanned clean and kept, {AlreadyCurrent} already kept, {Infected.Count} infected (not kept), {Failed.Count} failed, in {Took.TotalSeconds:0.0} s.";
}

/// <summary>
/// The Immediate policy's sync: fetches a list of paths (or every file of listed PyPI projects) ahead of use, scans them
/// in batches (many clamd connections at once, or one run of the scan command over a file list) and keeps the clean
/// ones; infected ones are reported and recorded in the quarantine log, never kept.
/// </summary>
public sealed class ImmediateSync(
    IDbContextFactory<PortalDbContext> contexts,
    ContentGateway gateway,
    SimpleIndexPages indexPages,
    ContentStore store,
    IVirusScanner scanner,
    ScannerDefinitions definitions,
    ScanQueue queue,
    AuditLog audit,
    Microsoft.Extensions.Options.IOptions<GatewayOptions> options,
    TimeProvider clock,
    ILogger<ImmediateSync> logger)
{
    public const int MaxPaths = 100_000;
    public const int MaxProjects = 1_000;
    private const int BatchSize = 200;

    /// <summary>Checks a request before anything is fetched; null when it is fine.</summary>
    public static string? Validate(Remote remote, SyncRequest request)
    {
        var paths = request.Paths ?? [];
        var projects = request.Projects ?? [];
        if (paths.Count == 0 && projects.Count == 0)
        {
            return "Name at least one path or project.";
        }

        if (paths.Count > MaxPaths || projects.Count > MaxProjects)
        {
            return $"At most {MaxPaths:N0} paths and {MaxProjects:N0} projects per sync.";
        }

        if (projects.Count > 0 && remote.Kind != RemoteKind.PyPi)
        {
            return $"Projects can only be synced from a PyPI remote; '{remote.Name}' is {remote.Kind}.";
        }

        foreach (var path in paths)
        {
            if (!TryParsePath(path, out var parsed, out var error))
            {
                return $"'{path}': {error}";
            }

            if (!remote.Allows(parsed))
            {
                return $"'{path}' is not allowed by remote '{remote.Name}'.";
            }
        }

        foreach (var project in projects)
        {
            if (string.IsNullOrWhiteSpace(project) || project.Length > 200 || !project.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                return $"'{project}' is not a project name.";
            }
        }

        return null;
    }

    public async Task<SyncReport> RunAsync(Remote remote, SyncRequest request, string actor, CancellationToken cancellationToken)
    {
        if (Validate(remote, request) is { } invalid)
        {
            throw new ArgumentException(invalid, nameof(request));
        }

        var started = clock.GetTimestamp();
        var failed = new List<SyncProblem>();
        var paths = new List<ContentPath>();
        foreach (var raw in request.Paths ?? [])
        {
            if (TryParsePath(raw, out var parsed, out _))
            {
                paths.Add(parsed);
            }
        }

        foreach (var project in request.Projects ?? [])
        {
            var (files, problem) = await ProjectFilesAsync(remote, project, cancellationToken);
            paths.AddRange(files);
            if (problem is not null)
            {
                failed.Add(problem);
            }
        }

        paths = paths.DistinctBy(p => p.Value).Where(remote.Allows).ToList();
        var current = await CurrentPathsAsync(remote, paths, cancellationToken);
        var infected = new List<SyncProblem>();
        var kept = 0;

        // A batch's verdicts and artifacts are saved while the next batch downloads and scans.
        Task<BatchOutcome>? saving = null;
        foreach (var batch in paths.Where(p => !current.Contains(p.Value)).Chunk(BatchSize))
        {
            var fetched = await FetchBatchAsync(remote, batch, cancellationToken);
            if (saving is not null)
            {
                Add(await saving);
            }

            saving = RecordBatchAsync(remote, fetched, actor, cancellationToken);
        }

        if (saving is not null)
        {
            Add(await saving);
        }

        void Add(BatchOutcome outcome)
        {
            kept += outcome.Kept;
            infected.AddRange(outcome.Infected);
            failed.AddRange(outcome.Failed);
        }

        var report = new SyncReport(remote.Name, paths.Count, current.Count, kept, infected, failed, clock.GetElapsedTime(started));
        await audit.RecordAsync(AuditActorKind.Person, actor, AuditActions.ContentSynced, remote.Name, null, report.Message, cancellationToken);
        logger.LogInformation("Gateway sync {Message}", report.Message);
        return report;
    }

    private static bool TryParsePath(string raw, out ContentPath path, out string error) =>
        ContentPath.TryParse(string.Join('/', (raw ?? "").Trim().TrimStart('/').Split('/').Select(Uri.EscapeDataString)), out path, out error);

    // The files a project's index page links to, as paths of the remote (the page is read through the rewriter, so only
    // files under the remote's upstream or files URL appear).
    private async Task<(IReadOnlyList<ContentPath> Files, SyncProblem? Problem)> ProjectFilesAsync(Remote remote, string project, CancellationToken cancellationToken)
    {
        var normalized = string.Join('-', project.ToLowerInvariant().Split(['-', '_', '.'], StringSplitOptions.RemoveEmptyEntries));
        var pagePath = ContentPath.Parse($"{SimpleIndexPages.SimpleSegment}/{Uri.EscapeDataString(normalized)}/");
        var gatewayBase = new Uri($"http://gateway.invalid/content/{remote.Name}/");
        var page = await indexPages.GetAsync(remote, pagePath, Core.Gateway.PyPi.SimpleIndexRewriter.Pep691JsonContentType, gatewayBase, cancellationToken);
        if (page.Failure is { } failure)
        {
            return ([], new SyncProblem(pagePath.Value, failure.Detail));
        }

        var files = new List<ContentPath>();
        using var json = JsonDocument.Parse(page.Body!);
        foreach (var file in json.RootElement.GetProperty("files").EnumerateArray())
        {
            var url = new Uri(file.GetProperty("url").GetString()!);
            var relative = url.AbsolutePath[gatewayBase.AbsolutePath.Length..];
            if (ContentPath.TryParse(relative, out var path, out _))
            {
                files.Add(path);
            }
        }

        return (files, null);
    }

    private async Task<HashSet<string>> CurrentPathsAsync(Remote remote, IReadOnlyList<ContentPath> paths, CancellationToken cancellationToken)
    {
        var info = await definitions.CurrentAsync(cancellationToken);
        var values = paths.Select(p => p.Value).ToList();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var known = new List<(string Path, MalwareVerdict? Verdict)>();
        foreach (var chunk in values.Chunk(500))
        {
            var rows = await (
                    from artifact in db.ContentArtifacts.AsNoTracking()
                    where artifact.RemoteId == remote.Id && artifact.Kept && chunk.Contains(artifact.Path)
                    join verdict in db.MalwareVerdicts.AsNoTracking() on artifact.Sha256 equals verdict.Sha256
                    select new { artifact.Path, artifact.Sha256, Verdict = verdict })
                .ToListAsync(cancellationToken);
            known.AddRange(rows.Where(r => store.Contains(r.Sha256)).Select(r => (r.Path, (MalwareVerdict?)r.Verdict)));
        }

        return known.Where(k => k.Verdict is not null && k.Verdict.IsClean && ScannerDefinitions.IsCurrent(k.Verdict, info))
            .Select(k => k.Path).ToHashSet(StringComparer.Ordinal);
    }

    // One file of a batch: downloaded (or why not), scanned, and moved into the store when clean.
    private sealed record FetchedFile(ContentPath Path, ContentGateway.Download Download, ScanVerdict? Verdict, bool Kept);

    private sealed record BatchOutcome(int Kept, List<SyncProblem> Infected, List<SyncProblem> Failed);

    // Downloads, scans and keeps a batch, as many files at once as the gateway's scan concurrency allows. Each file is
    // scanned as soon as it is down and kept as soon as it is clean (unless a file-list command scans the batch), so
    // downloads, scans and moves overlap instead of taking turns. Work files not kept are gone when this returns.
    private async Task<IReadOnlyList<FetchedFile>> FetchBatchAsync(Remote remote, IReadOnlyList<ContentPath> batch, CancellationToken cancellationToken)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Value.ScanConcurrency, CancellationToken = cancellationToken };
        var scansFileLists = scanner is IFileListScanner { CanScanFileLists: true };
        var keeps = remote.Policy != RemotePolicy.Streamed;
        var files = new FetchedFile?[batch.Count];
        try
        {
            await Parallel.ForAsync(0, batch.Count, parallel, async (i, token) =>
            {
                var download = await gateway.DownloadAsync(remote, batch[i], token);
                var verdict = download.Failure is null && !scansFileLists ? await ScanOneAsync(download, batch[i], token) : null;
                files[i] = new FetchedFile(batch[i], download, verdict, KeepIfClean(download, verdict, keeps));
            });
            if (scansFileLists)
            {
                var downloaded = files.Where(f => f!.Download.Failure is null).Select(f => f!).ToList();
                var verdicts = await ScanFileListAsync(downloaded, cancellationToken);
                for (var i = 0; i < files.Length; i++)
                {
                    if (verdicts.TryGetValue(files[i]!.Path.Value, out var verdict))
                    {
                        files[i] = files[i]! with { Verdict = verdict, Kept = KeepIfClean(files[i]!.Download, verdict, keeps) };
                    }
                }
            }

            return files.Select(f => f!).ToList();
        }
        finally
        {
            foreach (var file in files)
            {
                if (file is { Kept: false, Download.WorkFile: { } workFile })
                {
                    ContentStore.DeleteWorkFile(workFile);
                }
            }
        }
    }

    private bool KeepIfClean(ContentGateway.Download download, ScanVerdict? verdict, bool keeps)
    {
        if (!keeps || verdict is not { IsClean: true })
        {
            return false;
        }

        store.Keep(download.WorkFile!, download.Sha256!);
        return true;
    }

    // One database save per batch: verdicts by sha256, artifacts by path, quarantine events for infected files.
    private async Task<BatchOutcome> RecordBatchAsync(Remote remote, IReadOnlyList<FetchedFile> files, string actor, CancellationToken cancellationToken)
    {
        var failed = new List<SyncProblem>();
        var infected = new List<SyncProblem>();
        var fetched = new List<FetchedFile>();
        foreach (var file in files)
        {
            if (file.Download.Failure is { } failure)
            {
                failed.Add(new SyncProblem(file.Path.Value, failure.Detail));
            }
            else if (file.Verdict is null or { Outcome: ScanOutcome.Error })
            {
                failed.Add(new SyncProblem(file.Path.Value, file.Verdict?.Reason ?? "not scanned"));
            }
            else
            {
                fetched.Add(file);
            }
        }

        var info = await definitions.CurrentAsync(cancellationToken) ?? new ScannerInfo(scanner.Name, null, null);
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var hashes = fetched.Select(f => f.Download.Sha256!).Distinct().ToList();
        var existingVerdicts = await db.MalwareVerdicts.Where(v => hashes.Contains(v.Sha256)).ToDictionaryAsync(v => v.Sha256, cancellationToken);
        var pathValues = fetched.Select(f => f.Path.Value).ToList();
        var artifacts = await db.ContentArtifacts.Where(a => a.RemoteId == remote.Id && pathValues.Contains(a.Path)).ToDictionaryAsync(a => a.Path, cancellationToken);

        // New rows (nearly all of a first sync) go in by prepared INSERTs; EF's change tracker would cost more than the
        // database for a batch of hundreds. Changed rows stay with EF.
        var newVerdicts = new List<MalwareVerdict>();
        var newArtifacts = new List<ContentArtifact>();
        foreach (var (path, download, scanned, kept) in fetched)
        {
            var sha256 = download.Sha256!;
            var verdict = MalwareVerdict.Record(Digest.Parse($"sha256:{sha256}"), scanned!, info, now);
            if (existingVerdicts.TryGetValue(sha256, out var existing))
            {
                existing.Supersede(verdict);
            }
            else
            {
                newVerdicts.Add(verdict);
                existingVerdicts[sha256] = verdict;
            }

            if (scanned!.Outcome == ScanOutcome.Infected)
            {
                infected.Add(new SyncProblem(path.Value, "infected", scanned.Signature));
                db.QuarantineEvents.Add(QuarantineEvent.Record(remote.Name, path.Value, sha256, download.Size, scanned.Signature!, ContentSource.Sync,
                    info.Engine, info.DefinitionsVersion, actor, now));
            }

            var contentType = ContentGateway.ContentTypeOf(path);
            if (artifacts.TryGetValue(path.Value, out var artifact))
            {
                artifact.Refetched(sha256, download.Size, contentType, kept, ContentSource.Sync, now);
            }
            else
            {
                newArtifacts.Add(ContentArtifact.Record(remote.Id, path, sha256, download.Size, contentType, kept, ContentSource.Sync, now));
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        await BulkInsert.InsertAsync(db, newVerdicts, cancellationToken);
        await BulkInsert.InsertAsync(db, newArtifacts, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        gateway.ForgetCached(remote.Id);
        return new BatchOutcome(fetched.Count(f => f.Kept), infected, failed);
    }

    // A configured file-list command scans the whole batch in one run.
    private async Task<Dictionary<string, ScanVerdict>> ScanFileListAsync(IReadOnlyList<FetchedFile> downloaded, CancellationToken cancellationToken)
    {
        var verdicts = new Dictionary<string, ScanVerdict>(StringComparer.Ordinal);
        if (downloaded.Count == 0)
        {
            return verdicts;
        }

        var files = downloaded.Select(f => new FileToScan(f.Download.WorkFile!, Digest.Parse($"sha256:{f.Download.Sha256}"), f.Download.Size)).ToList();
        var byFile = await ((IFileListScanner)scanner).ScanFileListAsync(files, cancellationToken);
        foreach (var file in downloaded)
        {
            verdicts[file.Path.Value] = byFile[file.Download.WorkFile!];
        }

        return verdicts;
    }

    // Otherwise each file goes to the scanner on its own, taking a place in the gateway's scan queue.
    private async Task<ScanVerdict> ScanOneAsync(ContentGateway.Download download, ContentPath path, CancellationToken cancellationToken)
    {
        using var place = await queue.EnterAsync(clock, cancellationToken);
        return await place.ScanAsync(async () =>
        {
            await using var content = new FileStream(download.WorkFile!, FileMode.Open, FileAccess.Read, FileShare.Read, 0);
            return await scanner.ScanAsync(content, path.Value, cancellationToken);
        }, cancellationToken);
    }
}
