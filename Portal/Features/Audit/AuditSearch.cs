using System.Globalization;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Auditing;
using Portal.Data;

namespace Portal.Features.Audit;

public enum AuditSortField
{
    Timestamp,
    Actor,
    Action,
}

/// <summary>What the Audit page and API filter by. Dates are inclusive bounds in UTC.</summary>
public sealed record AuditFilter(string? Actor = null, string? Action = null, DateTimeOffset? From = null, DateTimeOffset? To = null);

public sealed record AuditPageRequest(
    AuditFilter Filter,
    int Skip = 0,
    int Take = 50,
    AuditSortField SortBy = AuditSortField.Timestamp,
    bool Descending = true);

public sealed record AuditPage(IReadOnlyList<AuditEntry> Items, int TotalCount);

/// <summary>Reads the audit trail a page at a time, on the server, and streams it as CSV.</summary>
public sealed class AuditSearch(IDbContextFactory<PortalDbContext> contexts)
{
    public const int MaxPageSize = 500;

    public async Task<AuditPage> SearchAsync(AuditPageRequest request, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(request.Skip);
        ArgumentOutOfRangeException.ThrowIfLessThan(request.Take, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(request.Take, MaxPageSize);

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = Filter(db.AuditEntries.AsNoTracking(), request.Filter);
        var total = await query.CountAsync(cancellationToken);
        var items = await Sort(query, request.SortBy, request.Descending)
            .Skip(request.Skip)
            .Take(request.Take)
            .ToListAsync(cancellationToken);
        return new AuditPage(items, total);
    }

    /// <summary>Writes every entry matching the filter, newest first, without loading them all at once.</summary>
    public async Task WriteCsvAsync(AuditFilter filter, Stream output, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var writer = new StreamWriter(output, leaveOpen: true);
        await using var csv = new CsvWriter(writer, CultureInfo.InvariantCulture);
        csv.WriteField("Timestamp");
        csv.WriteField("ActorKind");
        csv.WriteField("Actor");
        csv.WriteField("Action");
        csv.WriteField("Subject");
        csv.WriteField("Before");
        csv.WriteField("After");
        csv.WriteField("CorrelationId");
        await csv.NextRecordAsync();

        var entries = Sort(Filter(db.AuditEntries.AsNoTracking(), filter), AuditSortField.Timestamp, descending: true)
            .AsAsyncEnumerable();
        await foreach (var entry in entries.WithCancellation(cancellationToken))
        {
            csv.WriteField(entry.Timestamp.ToString("O", CultureInfo.InvariantCulture));
            csv.WriteField(entry.ActorKind.ToString());
            csv.WriteField(CsvSafe(entry.Actor));
            csv.WriteField(CsvSafe(entry.Action));
            csv.WriteField(CsvSafe(entry.Subject));
            csv.WriteField(CsvSafe(entry.Before));
            csv.WriteField(CsvSafe(entry.After));
            csv.WriteField(entry.CorrelationId);
            await csv.NextRecordAsync();
        }
    }

    private static IQueryable<AuditEntry> Filter(IQueryable<AuditEntry> query, AuditFilter filter)
    {
        if (!string.IsNullOrWhiteSpace(filter.Actor))
        {
            var actor = filter.Actor.Trim();
            query = query.Where(e => e.Actor.Contains(actor));
        }

        if (!string.IsNullOrWhiteSpace(filter.Action))
        {
            query = query.Where(e => e.Action == filter.Action);
        }

        if (filter.From is { } from)
        {
            query = query.Where(e => e.Timestamp >= from);
        }

        if (filter.To is { } to)
        {
            query = query.Where(e => e.Timestamp <= to);
        }

        return query;
    }

    private static IQueryable<AuditEntry> Sort(IQueryable<AuditEntry> query, AuditSortField field, bool descending) =>
        (field, descending) switch
        {
            (AuditSortField.Actor, false) => query.OrderBy(e => e.Actor).ThenByDescending(e => e.Id),
            (AuditSortField.Actor, true) => query.OrderByDescending(e => e.Actor).ThenByDescending(e => e.Id),
            (AuditSortField.Action, false) => query.OrderBy(e => e.Action).ThenByDescending(e => e.Id),
            (AuditSortField.Action, true) => query.OrderByDescending(e => e.Action).ThenByDescending(e => e.Id),
            (_, false) => query.OrderBy(e => e.Timestamp).ThenBy(e => e.Id),
            _ => query.OrderByDescending(e => e.Timestamp).ThenByDescending(e => e.Id),
        };

    // A cell starting with = + - @ is run as a formula by spreadsheet programs; audit text comes from users.
    internal static string? CsvSafe(string? value) =>
        value is { Length: > 0 } && "=+-@\t\r".Contains(value[0], StringComparison.Ordinal) ? "'" + value : value;
}
