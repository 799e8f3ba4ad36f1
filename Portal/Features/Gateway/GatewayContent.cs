using System.Globalization;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Gateway;
using Portal.Core.Malware;
using Portal.Data;
using Portal.Features.Audit;

namespace Portal.Features.Gateway;

/// <summary>What the scanner last concluded about a path's bytes, as the Gateway page filters and shows it.</summary>
public enum ContentVerdict
{
    Clean,
    Infected,

    /// <summary>The last scan ended without a conclusion (the scanner failed); the bytes are not served.</summary>
    ScanFailed,

    /// <summary>No verdict is recorded for the bytes.</summary>
    NotScanned,
}

/// <summary>Which content rows to show: one remote (by name), one verdict, and a part of the path (any case).</summary>
public sealed record ContentFilter(string? Remote = null, ContentVerdict? Verdict = null, string? Path = null);

/// <summary>One path of one remote with the verdict of its bytes.</summary>
public sealed record ContentRow(
    long Id, string Remote, string Path, string Sha256, long Size, bool Kept, ContentSource Source, DateTimeOffset FetchedAt,
    ContentVerdict Verdict, string? Signature, string? Engine, string? DefinitionsVersion, DateTimeOffset? ScannedAt);

public sealed record ContentPage(int TotalCount, IReadOnlyList<ContentRow> Items);

public sealed record QuarantinePage(int TotalCount, IReadOnlyList<QuarantineEvent> Items);

/// <summary>What the gateway holds for one remote: paths known, paths kept and their bytes, and paths whose bytes are infected.</summary>
public sealed record RemoteContentSummary(int Paths, int KeptPaths, long BytesKept, int InfectedPaths)
{
    public static readonly RemoteContentSummary None = new(0, 0, 0, 0);
}

/// <summary>
/// Reads what the gateway knows for the Gateway page: every path of every remote joined with its remote's name and
/// the verdict of its bytes (verdicts are kept by sha256, so one verdict may answer for many paths), and the quarantine
/// log. Newest first throughout.
/// </summary>
public sealed class GatewayContent(IDbContextFactory<PortalDbContext> contexts)
{
    public const int MaxPageSize = 500;

    public async Task<ContentPage> SearchAsync(ContentFilter filter, int skip, int take, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = Filtered(db, filter);
        var total = await query.CountAsync(cancellationToken);
        var items = await Newest(query).Skip(Math.Max(0, skip)).Take(Math.Clamp(take, 1, MaxPageSize)).ToListAsync(cancellationToken);
        return new ContentPage(total, items);
    }

    /// <summary>Every row the filter matches, newest first, as CSV.</summary>
    public async Task WriteCsvAsync(ContentFilter filter, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var writer = new StreamWriter(output, leaveOpen: true);
        await using var csv = new CsvWriter(writer, CultureInfo.InvariantCulture);
        foreach (var header in new[]
                 {
                     "Remote", "Path", "Sha256", "Size", "Kept", "Verdict", "Signature", "Engine", "DefinitionsVersion", "ScannedAt", "FetchedAt", "Source",
                 })
        {
            csv.WriteField(header);
        }

        await csv.NextRecordAsync();
        await foreach (var row in Newest(Filtered(db, filter)).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            csv.WriteField(row.Remote);
            // Paths and signatures come from upstreams and scanners nobody here controls: never let a spreadsheet run them.
            csv.WriteField(AuditSearch.CsvSafe(row.Path));
            csv.WriteField(row.Sha256);
            csv.WriteField(row.Size);
            csv.WriteField(row.Kept ? "yes" : "no");
            csv.WriteField(row.Verdict.ToString());
            csv.WriteField(AuditSearch.CsvSafe(row.Signature));
            csv.WriteField(AuditSearch.CsvSafe(row.Engine));
            csv.WriteField(AuditSearch.CsvSafe(row.DefinitionsVersion));
            csv.WriteField(row.ScannedAt?.ToString("O", CultureInfo.InvariantCulture));
            csv.WriteField(row.FetchedAt.ToString("O", CultureInfo.InvariantCulture));
            csv.WriteField(row.Source.ToString());
            await csv.NextRecordAsync();
        }
    }

    public async Task<QuarantinePage> QuarantineAsync(int skip, int take, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.QuarantineEvents.AsNoTracking();
        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderByDescending(e => e.At).ThenByDescending(e => e.Id)
            .Skip(Math.Max(0, skip)).Take(Math.Clamp(take, 1, MaxPageSize)).ToListAsync(cancellationToken);
        return new QuarantinePage(total, items);
    }

    /// <summary>Per remote id: what the gateway holds for it. Remotes with no paths yet are absent.</summary>
    public async Task<IReadOnlyDictionary<long, RemoteContentSummary>> SummariesAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await (
                from a in db.ContentArtifacts.AsNoTracking()
                join v in db.MalwareVerdicts.AsNoTracking() on a.Sha256 equals v.Sha256 into verdicts
                from v in verdicts.DefaultIfEmpty()
                group new { a.Kept, a.Size, Infected = v != null && v.Outcome == ScanOutcome.Infected } by a.RemoteId into byRemote
                select new
                {
                    RemoteId = byRemote.Key,
                    Paths = byRemote.Count(),
                    KeptPaths = byRemote.Count(x => x.Kept),
                    BytesKept = byRemote.Sum(x => x.Kept ? x.Size : 0),
                    InfectedPaths = byRemote.Count(x => x.Infected),
                })
            .ToListAsync(cancellationToken);
        return rows.ToDictionary(r => r.RemoteId, r => new RemoteContentSummary(r.Paths, r.KeptPaths, r.BytesKept, r.InfectedPaths));
    }

    // Filters and ordering run on the joined entities: EF translates member access on them, not on a record built by its constructor.
    private static IQueryable<Joined> Filtered(PortalDbContext db, ContentFilter filter)
    {
        var query =
            from a in db.ContentArtifacts.AsNoTracking()
            join r in db.Remotes.AsNoTracking() on a.RemoteId equals r.Id
            join v in db.MalwareVerdicts.AsNoTracking() on a.Sha256 equals v.Sha256 into verdicts
            from v in verdicts.DefaultIfEmpty()
            select new Joined { Artifact = a, RemoteName = r.Name, Verdict = v };

        if (!string.IsNullOrWhiteSpace(filter.Remote))
        {
            var remote = filter.Remote.Trim();
            query = query.Where(j => j.RemoteName == remote);
        }

        query = filter.Verdict switch
        {
            ContentVerdict.NotScanned => query.Where(j => j.Verdict == null),
            ContentVerdict.Clean => query.Where(j => j.Verdict != null && j.Verdict.Outcome == ScanOutcome.Clean),
            ContentVerdict.Infected => query.Where(j => j.Verdict != null && j.Verdict.Outcome == ScanOutcome.Infected),
            ContentVerdict.ScanFailed => query.Where(j => j.Verdict != null && j.Verdict.Outcome != ScanOutcome.Clean && j.Verdict.Outcome != ScanOutcome.Infected),
            _ => query,
        };

        if (!string.IsNullOrWhiteSpace(filter.Path))
        {
            var term = filter.Path.Trim().ToLowerInvariant();
#pragma warning disable CA1304, CA1311, CA1862 // Runs as SQL (lower() and instr/strpos): culture and StringComparison overloads do not translate.
            query = query.Where(j => j.Artifact.Path.ToLower().Contains(term));
#pragma warning restore CA1304, CA1311, CA1862
        }

        return query;
    }

    private static IQueryable<ContentRow> Newest(IQueryable<Joined> query) =>
        query.OrderByDescending(j => j.Artifact.FetchedAt).ThenByDescending(j => j.Artifact.Id)
            .Select(j => new ContentRow(
                j.Artifact.Id, j.RemoteName, j.Artifact.Path, j.Artifact.Sha256, j.Artifact.Size, j.Artifact.Kept, j.Artifact.Source, j.Artifact.FetchedAt,
                j.Verdict == null ? ContentVerdict.NotScanned
                    : j.Verdict.Outcome == ScanOutcome.Clean ? ContentVerdict.Clean
                    : j.Verdict.Outcome == ScanOutcome.Infected ? ContentVerdict.Infected
                    : ContentVerdict.ScanFailed,
                j.Verdict == null ? null : j.Verdict.Signature,
                j.Verdict == null ? null : j.Verdict.Engine,
                j.Verdict == null ? null : j.Verdict.DefinitionsVersion,
                j.Verdict == null ? null : j.Verdict.ScannedAt));

    private sealed class Joined
    {
        public required ContentArtifact Artifact { get; init; }
        public required string RemoteName { get; init; }
        public MalwareVerdict? Verdict { get; init; }
    }
}
