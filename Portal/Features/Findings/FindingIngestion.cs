using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Portal.Core.Findings;
using Portal.Core.Inventory;
using Portal.Data;
using Portal.Operations;

namespace Portal.Features.Findings;

/// <summary>What one artifact of a report did to its digest's findings.</summary>
public sealed record IngestedArtifact(string Name, string Digest, int Findings, int New, int Dropped);

/// <summary>The outcome of one report: the artifacts stored, and the ones no digest could be found for.</summary>
public sealed record IngestionResult(ReportFormat Format, IReadOnlyList<IngestedArtifact> Stored, IReadOnlyList<string> Unmatched);

/// <summary>
/// Stores a parsed scan report: each artifact is tied to an image digest (stated by the caller, given by the report,
/// or found through the inventory by tag or Artifactory path), its findings are merged into that digest's
/// deduplicated set, and a history record is kept. Each report is stored whole or not at all.
/// </summary>
/// <remarks>
/// Reports are written one at a time (SQLite has a single writer anyway, and two reports of one digest written side by
/// side would both add its new findings). Reports that arrive while another is being written are stored together by
/// the next writer, in one transaction (group commit): a commit writes every page the transaction touched, and the
/// findings' vulnerability-id index puts a report's rows on as many pages as it names vulnerabilities, so reports
/// committed together share some of those writes. A report that fails fails alone.
/// </remarks>
public sealed class FindingIngestion(IDbContextFactory<PortalDbContext> contexts, TimeProvider clock) : IDisposable
{
    // Enough to share a commit among the scan job's and the API's concurrent deliveries; a bound, so one commit stays short.
    private const int MaxReportsPerCommit = 16;

    private static readonly Histogram<int> ReportsPerCommit = OperationsSetup.Meter.CreateHistogram<int>(
        "portal.findings.reports_per_commit", unit: "{report}", description: "Scan reports stored by one commit of the findings ingestion.");

    private readonly ConcurrentQueue<WaitingReport> _waiting = new();
    private readonly SemaphoreSlim _writer = new(1, 1);
    private long _commits;

    /// <summary>Transactions committed so far: fewer than the reports stored when reports waited for each other.</summary>
    internal long Commits => Interlocked.Read(ref _commits);

    /// <param name="report">A report the parsers accepted.</param>
    /// <param name="channel">Who delivered it, for the history ("api-key ci", "xray-webhook", ...).</param>
    /// <param name="statedDigest">A digest the caller vouches for; only allowed for a report about one artifact.</param>
    /// <param name="cancellationToken">Cancels the ingestion while the report waits; once its commit has begun, it completes.</param>
    public async Task<IngestionResult> IngestAsync(ScanReport report, string channel, string? statedDigest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (statedDigest is not null && report.Artifacts.Count != 1)
        {
            throw new ScanReportFormatException(
                $"A digest was stated, but the report is about {report.Artifacts.Count} artifacts; state a digest only for a report about one image.");
        }

        var waiting = new WaitingReport(report, channel, statedDigest, cancellationToken);
        _waiting.Enqueue(waiting);
        try
        {
            await _writer.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            waiting.Outcome.TrySetCanceled(cancellationToken);
            throw;
        }

        try
        {
            // The writer before may have stored this report with its own; otherwise this caller writes what is waiting.
            while (!waiting.Outcome.Task.IsCompleted)
            {
                await StoreWaitingAsync();
            }
        }
        finally
        {
            _writer.Release();
        }

        return await waiting.Outcome.Task;
    }

    /// <summary>
    /// Stores the reports at the head of the queue in one transaction and completes each one's caller. If one of them
    /// fails, the transaction is rolled back and each report is stored again in a transaction of its own, so only that
    /// one fails. (A savepoint per report would isolate it too, but SQLite copies every page a savepoint changes into a
    /// sub-journal first: with savepoints, the benchmark's ingestion took a fifth longer.)
    /// </summary>
    private async Task StoreWaitingAsync()
    {
        var batch = new List<WaitingReport>(MaxReportsPerCommit);
        while (batch.Count < MaxReportsPerCommit && _waiting.TryDequeue(out var next))
        {
            if (next.Outcome.Task.IsCompleted)
            {
                continue;
            }

            if (next.Cancellation.IsCancellationRequested)
            {
                next.Outcome.TrySetCanceled(next.Cancellation);
                continue;
            }

            batch.Add(next);
        }

        try
        {
            var results = await StoreTogetherAsync(batch);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Outcome.TrySetResult(results[i]);
            }
        }
        catch (Exception) when (batch.Count > 1)
        {
            foreach (var waiting in batch)
            {
                try
                {
                    waiting.Outcome.TrySetResult((await StoreTogetherAsync([waiting]))[0]);
                }
                catch (Exception failure)
                {
                    waiting.Outcome.TrySetException(failure);
                }
            }
        }
        catch (Exception failure)
        {
            batch.ForEach(waiting => waiting.Outcome.TrySetException(failure));
        }
    }

    /// <summary>Stores the reports in one transaction: all of them, or none.</summary>
    private async Task<List<IngestionResult>> StoreTogetherAsync(IReadOnlyList<WaitingReport> reports)
    {
        var results = new List<IngestionResult>(reports.Count);
        if (reports.Count == 0)
        {
            return results;
        }

        // Not cancelled by any one caller: the commit is shared.
        await using var db = await contexts.CreateDbContextAsync(CancellationToken.None);
        await using var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None);
        foreach (var waiting in reports)
        {
            results.Add(await StoreAsync(db, waiting.Report, waiting.Channel, waiting.StatedDigest, CancellationToken.None));
        }

        await transaction.CommitAsync(CancellationToken.None);
        Interlocked.Increment(ref _commits);
        ReportsPerCommit.Record(reports.Count);
        return results;
    }

    public void Dispose() => _writer.Dispose();

    private async Task<IngestionResult> StoreAsync(PortalDbContext db, ScanReport report, string channel, string? statedDigest, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        // Findings are kept open per scanner, whichever channel brought its report.
        var source = report.Format.ToString();
        var stored = new List<IngestedArtifact>();
        var unmatched = new List<string>();
        var records = new List<ScanRecord>();
        // A report can list one image more than once (Xray, once per path it is stored under): each listing merges into
        // what the one before left, so the digest's findings are read once per report.
        var digests = new Dictionary<string, DigestFindings>(StringComparer.Ordinal);
        foreach (var artifact in report.Artifacts)
        {
            var digest = statedDigest ?? artifact.Artifact.Digest ?? await ResolveDigestAsync(db, artifact.Artifact, cancellationToken);
            if (digest is null)
            {
                unmatched.Add(artifact.Artifact.Name);
                continue;
            }

            if (!digests.TryGetValue(digest, out var findings))
            {
                findings = await DigestFindings.ReadAsync(db, digest, cancellationToken);
                digests[digest] = findings;
            }

            stored.Add(findings.Merge(artifact, source, now));
            records.Add(ScanRecord.Create(digest, report.Format, channel, report.Scanner, report.ScannedAt, now,
                artifact.Findings, stored[^1].New, stored[^1].Dropped));
        }

        foreach (var findings in digests.Values)
        {
            await findings.WriteAsync(db, now, cancellationToken);
        }

        await BulkInsert.InsertAsync(db, records, cancellationToken);
        return new IngestionResult(report.Format, stored, unmatched);
    }

    private sealed record WaitingReport(ScanReport Report, string Channel, string? StatedDigest, CancellationToken Cancellation)
    {
        public TaskCompletionSource<IngestionResult> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>
    /// One digest's findings, read without the change tracker (which costs many times what the database does for a
    /// report's worth of rows) and written back in few statements: new findings inserted, findings whose only change is
    /// the time they were last seen touched by one set-based UPDATE, others updated in the columns a report can change.
    /// </summary>
    private sealed class DigestFindings
    {
        // The columns a report can change are the members of State, named as Finding's properties.
        private static readonly string[] ReportedColumns = [.. typeof(State).GetProperties().Select(p => p.Name)];

        // Set-based updates go in slices so no statement exceeds a provider's parameter limit.
        private const int ChunkSize = 5_000;

        private readonly string _digest;
        private readonly Dictionary<(FindingKind, string, string, string), Finding> _byKey;
        private readonly Dictionary<long, State> _asRead;

        private DigestFindings(string digest, List<Finding> stored)
        {
            _digest = digest;
            _byKey = stored.ToDictionary(f => f.Key);
            _asRead = stored.ToDictionary(f => f.Id, State.Of);
        }

        // Compiled once per model (a compiled query serves one): it runs once per report.
        private static readonly ConcurrentDictionary<IModel, Func<PortalDbContext, string, IAsyncEnumerable<Finding>>> StoredFor = new();

        public static async Task<DigestFindings> ReadAsync(PortalDbContext db, string digest, CancellationToken cancellationToken)
        {
            var query = StoredFor.GetOrAdd(db.Model, static _ =>
                EF.CompileAsyncQuery((PortalDbContext db, string digest) => db.Findings.AsNoTracking().Where(f => f.Digest == digest)));
            return new(digest, await query(db, digest).ToListAsync(cancellationToken));
        }

        public IngestedArtifact Merge(ArtifactFindings artifact, string source, DateTimeOffset now)
        {
            // A report can list one finding several times (one package in two targets): the worst severity counts.
            var reported = artifact.Findings
                .GroupBy(Finding.KeyOf)
                .Select(g => g.MaxBy(f => f.Severity)!)
                .ToList();
            var added = 0;
            var seen = new HashSet<(FindingKind, string, string, string)>();
            foreach (var finding in reported)
            {
                var key = Finding.KeyOf(finding);
                seen.Add(key);
                if (_byKey.TryGetValue(key, out var known))
                {
                    known.Reported(finding, source, now);
                }
                else
                {
                    _byKey[key] = Finding.Discover(_digest, finding, source, now);
                    added++;
                }
            }

            var dropped = 0;
            foreach (var finding in _byKey.Values.Where(f => !seen.Contains(f.Key) && f.Sources.Split(',').Contains(source)))
            {
                finding.NotReported(source, now);
                dropped++;
            }

            return new IngestedArtifact(artifact.Artifact.Name, _digest, reported.Count, added, dropped);
        }

        /// <param name="db">The report's context, in its transaction.</param>
        /// <param name="now">When the report was received: the time every finding it listed was last seen.</param>
        /// <param name="cancellationToken">Cancels the writing.</param>
        public async Task WriteAsync(PortalDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
        {
            var added = new List<Finding>();
            var seen = new List<Finding>();
            var changed = new List<Finding>();
            foreach (var finding in _byKey.Values)
            {
                if (!_asRead.TryGetValue(finding.Id, out var before))
                {
                    added.Add(finding);
                    continue;
                }

                var after = State.Of(finding);
                if (after != before)
                {
                    (after with { LastSeen = before.LastSeen } == before ? seen : changed).Add(finding);
                }
            }

            await BulkInsert.InsertAsync(db, added, cancellationToken);
            foreach (var ids in seen.Select(f => f.Id).Chunk(ChunkSize))
            {
                await db.Findings.Where(f => ids.Contains(f.Id)).ExecuteUpdateAsync(u => u.SetProperty(f => f.LastSeen, now), cancellationToken);
            }

            await BulkInsert.UpdateAsync(db, changed, ReportedColumns, cancellationToken);
        }

        /// <summary>What <see cref="Finding.Reported"/> and <see cref="Finding.NotReported"/> can change in a stored finding.</summary>
        private readonly record struct State(
            string? FixedVersion, Severity Severity, double? CvssScore, string? CvssVector, string? Status, string? Title, string? Target,
            string? PrimaryUrl, string Sources, DateTimeOffset LastSeen, DateTimeOffset? ResolvedAt)
        {
            public static State Of(Finding f) =>
                new(f.FixedVersion, f.Severity, f.CvssScore, f.CvssVector, f.Status, f.Title, f.Target, f.PrimaryUrl, f.Sources, f.LastSeen, f.ResolvedAt);
        }
    }

    // Without a digest, the inventory says which image a tag points at now; Artifactory paths name the repository key.
    private static async Task<string?> ResolveDigestAsync(PortalDbContext db, ScannedArtifact artifact, CancellationToken cancellationToken)
    {
        var candidates =
            from tag in db.Tags
            join repository in db.Repositories on tag.RepositoryId equals repository.Id
            join registry in db.Registries on repository.RegistryId equals registry.Id
            join image in db.Images on tag.ImageId equals image.Id
            where tag.GoneAt == null
            select new { Tag = tag.Name, Repository = repository.Name, registry.Url, registry.ArtifactoryRepositoryKey, image.Digest };

        if (artifact.Reference is { Tag: { } tagName } reference)
        {
            var matches = await candidates.Where(c => c.Repository == reference.Repository && c.Tag == tagName).ToListAsync(cancellationToken);
            return matches.FirstOrDefault(m => ImageRegistry.ReferenceHostOf(m.Url) == reference.Registry)?.Digest;
        }

        if (artifact.ArtifactoryPath is { } path)
        {
            var matches = await candidates.Where(c => c.Repository == path.Repository && c.Tag == path.Tag).ToListAsync(cancellationToken);
            return (path.HasRepositoryKey
                    ? matches.FirstOrDefault(m => string.Equals(m.ArtifactoryRepositoryKey, path.RepositoryKey, StringComparison.Ordinal))
                    : matches.Count == 1 ? matches[0] : null)
                ?.Digest;
        }

        return null;
    }
}
