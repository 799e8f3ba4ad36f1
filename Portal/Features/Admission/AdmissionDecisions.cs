using System.Globalization;
using System.Threading.Channels;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Admission;
using Portal.Data;
using Portal.Features.Audit;

namespace Portal.Features.Admission;

/// <summary>A refused workload for owners' notification digests: where, which image, why, when.</summary>
public sealed record RefusedWorkload(string Namespace, string Workload, string Image, string Reason, DateTimeOffset At);

/// <summary>One line of the "would have refused" report: an image Enforce would refuse, and where it was asked for.</summary>
public sealed record WouldRefuseLine(string Image, long? ImageId, string Namespace, string Workload, int Reviews, DateTimeOffset LastAt, string Reason);

/// <summary>A page of recorded decisions, newest first.</summary>
public sealed record AdmissionDecisionPage(int TotalCount, IReadOnlyList<AdmissionDecisionRecord> Items);

/// <summary>
/// Records every refusal and warning, and answers the Admission page, the "would have refused" report and the
/// notification digest. Reviews only hand records to a bounded queue; a background writer saves them in batches, so
/// the database never slows an answer to the API server. A full queue (the database far behind) drops records and
/// says so in the log rather than holding up pod creation.
/// </summary>
public sealed class AdmissionDecisions(IDbContextFactory<PortalDbContext> contexts, ILogger<AdmissionDecisions> logger) : BackgroundService
{
    public const int MaxPageSize = 200;
    private const int QueueLength = 50_000;
    private const int BatchSize = 500;

    private readonly Channel<AdmissionDecisionRecord> _queue = Channel.CreateBounded<AdmissionDecisionRecord>(
        new BoundedChannelOptions(QueueLength) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private long _dropped;
    private long _pending;

    /// <summary>Records not yet saved; tests and shutdown wait for zero.</summary>
    public long Pending => Interlocked.Read(ref _pending);

    public void Enqueue(AdmissionDecisionRecord record)
    {
        Interlocked.Increment(ref _pending);
        if (!_queue.Writer.TryWrite(record))
        {
            Interlocked.Decrement(ref _pending);
            if (Interlocked.Increment(ref _dropped) % 1_000 == 1)
            {
                logger.LogWarning("Admission decisions are arriving faster than the database saves them; {Dropped} not recorded so far", _dropped);
            }
        }
    }

    /// <summary>Waits (bounded) until every queued record is saved.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (Pending > 0)
        {
            await Task.Delay(20, timeout.Token);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<AdmissionDecisionRecord>(BatchSize);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < BatchSize && _queue.Reader.TryRead(out var record))
                {
                    batch.Add(record);
                }

                await SaveAsync(batch, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: what is queued is saved below.
        }

        while (_queue.Reader.TryRead(out var record))
        {
            batch.Add(record);
        }

        await SaveAsync(batch, CancellationToken.None);
    }

    private async Task SaveAsync(List<AdmissionDecisionRecord> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            db.AdmissionDecisions.AddRange(batch);
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "{Count} admission decisions could not be recorded", batch.Count);
        }
        finally
        {
            Interlocked.Add(ref _pending, -batch.Count);
            batch.Clear();
        }
    }

    /// <summary>Recorded decisions, newest first, optionally only refusals, only "would refuse" warnings, or one namespace.</summary>
    public async Task<AdmissionDecisionPage> RecentAsync(
        AdmissionOutcome? outcome, bool wouldRefuseOnly, string? ns, int skip, int take, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = Filter(db.AdmissionDecisions.AsNoTracking(), outcome, wouldRefuseOnly, ns);
        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderByDescending(d => d.At).ThenByDescending(d => d.Id).Skip(Math.Max(0, skip)).Take(Math.Clamp(take, 1, MaxPageSize)).ToListAsync(cancellationToken);
        return new AdmissionDecisionPage(total, items);
    }

    /// <summary>Every recorded decision matching the filter, newest first, as CSV (cells that a spreadsheet would run as formulas are defused).</summary>
    public async Task WriteCsvAsync(AdmissionOutcome? outcome, bool wouldRefuseOnly, string? ns, Stream output, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var writer = new StreamWriter(output, leaveOpen: true);
        await using var csv = new CsvWriter(writer, CultureInfo.InvariantCulture);
        foreach (var header in new[] { "At", "Outcome", "WouldRefuse", "Namespace", "Workload", "Operation", "Image", "ImageId", "Class", "Reason", "PolicyVersion", "User" })
        {
            csv.WriteField(header);
        }

        await csv.NextRecordAsync();
        var query = Filter(db.AdmissionDecisions.AsNoTracking(), outcome, wouldRefuseOnly, ns).OrderByDescending(d => d.At).ThenByDescending(d => d.Id);
        await foreach (var d in query.AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            csv.WriteField(d.At.ToString("O", CultureInfo.InvariantCulture));
            csv.WriteField(d.Outcome.ToString());
            csv.WriteField(d.WouldRefuse);
            csv.WriteField(AuditSearch.CsvSafe(d.Namespace));
            csv.WriteField(AuditSearch.CsvSafe(d.Workload));
            csv.WriteField(d.Operation);
            csv.WriteField(AuditSearch.CsvSafe(d.Image));
            csv.WriteField(d.ImageId);
            csv.WriteField(d.Class?.ToString());
            csv.WriteField(AuditSearch.CsvSafe(d.Reason));
            csv.WriteField(d.PolicyVersion);
            csv.WriteField(AuditSearch.CsvSafe(d.User));
            await csv.NextRecordAsync();
        }
    }

    private static IQueryable<AdmissionDecisionRecord> Filter(IQueryable<AdmissionDecisionRecord> query, AdmissionOutcome? outcome, bool wouldRefuseOnly, string? ns)
    {
        if (outcome is { } o)
        {
            query = query.Where(d => d.Outcome == o);
        }

        if (wouldRefuseOnly)
        {
            query = query.Where(d => d.WouldRefuse);
        }

        if (!string.IsNullOrWhiteSpace(ns))
        {
            var trimmed = ns.Trim();
            query = query.Where(d => d.Namespace == trimmed);
        }

        return query;
    }

    /// <summary>
    /// What Enforce would have refused since <paramref name="since"/> but Warn let through, by image, namespace and
    /// workload, most asked-for first: the impact of switching to Enforce.
    /// </summary>
    public async Task<IReadOnlyList<WouldRefuseLine>> WouldHaveRefusedAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.AdmissionDecisions.AsNoTracking()
            .Where(d => d.Outcome == AdmissionOutcome.Warned && d.WouldRefuse && d.At >= since)
            .Select(d => new { d.Id, d.Image, d.ImageId, d.Namespace, d.Workload, d.At, d.Reason })
            .ToListAsync(cancellationToken);
        return rows.GroupBy(r => (r.Image, r.Namespace, r.Workload))
            .Select(g =>
            {
                var last = g.MaxBy(r => r.Id)!;
                return new WouldRefuseLine(g.Key.Image, last.ImageId, g.Key.Namespace, g.Key.Workload, g.Count(), last.At, last.Reason);
            })
            .OrderByDescending(l => l.Reviews).ThenBy(l => l.Namespace, StringComparer.Ordinal).ThenBy(l => l.Workload, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// Workloads refused since <paramref name="since"/>, one line per namespace, workload and image (the latest refusal),
    /// for the owners' notification digest (owners come from the namespace).
    /// </summary>
    public async Task<IReadOnlyList<RefusedWorkload>> RefusedSinceAsync(DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.AdmissionDecisions.AsNoTracking()
            .Where(d => d.Outcome == AdmissionOutcome.Refused && d.At >= since)
            .Select(d => new { d.Id, d.Namespace, d.Workload, d.Image, d.Reason, d.At })
            .ToListAsync(cancellationToken);
        return rows.GroupBy(r => (r.Namespace, r.Workload, r.Image))
            .Select(g => g.MaxBy(r => r.Id)!)
            .OrderBy(r => r.Namespace, StringComparer.Ordinal).ThenBy(r => r.Workload, StringComparer.Ordinal).ThenBy(r => r.Image, StringComparer.Ordinal)
            .Select(r => new RefusedWorkload(r.Namespace, r.Workload, r.Image, r.Reason, r.At))
            .ToList();
    }
}
