using System.Globalization;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Notifications;
using Portal.Data;
using Portal.Features.Audit;

namespace Portal.Features.Notifications;

/// <summary>One message in the delivery log, without its body.</summary>
public sealed record OutgoingMessageView(
    long Id, string Key, NotificationKind Kind, NotificationChannel Channel, string Recipient, string Subject, DeliveryStatus Status,
    int Attempts, DateTimeOffset CreatedAt, DateTimeOffset? NextAttemptAt, DateTimeOffset? SentAt, string? LastError)
{
    public static OutgoingMessageView From(OutgoingMessage m) => new(
        m.Id, m.Key, m.Kind, m.Channel, m.Recipient, m.Subject, m.Status, m.Attempts, m.CreatedAt,
        // A next attempt means something only while the message waits.
        m.Status == DeliveryStatus.Pending ? m.NextAttemptAt : null, m.SentAt, m.LastError);
}

/// <summary>A message with what it says: HTML (email) or JSON (webhook), and the plain-text alternative.</summary>
public sealed record OutgoingMessageDetail(OutgoingMessageView Message, string Body, string? TextBody);

public sealed record NotificationFilter(
    DeliveryStatus? Status = null, string? Recipient = null, NotificationKind? Kind = null, NotificationChannel? Channel = null);

public sealed record NotificationPage(int TotalCount, IReadOnlyList<OutgoingMessageView> Items);

/// <summary>Reads the delivery log: every message for admins, a person's own emails for them. Newest first.</summary>
public sealed class NotificationLog(IDbContextFactory<PortalDbContext> contexts)
{
    public const int MaxPageSize = 500;

    public async Task<NotificationPage> SearchAsync(NotificationFilter filter, int skip, int take, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await PageAsync(Filtered(db, filter), skip, take, cancellationToken);
    }

    /// <summary>Every message the filter matches, newest first, as CSV (bodies left out: they are read one at a time).</summary>
    public async Task WriteCsvAsync(NotificationFilter filter, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var writer = new StreamWriter(output, leaveOpen: true);
        await using var csv = new CsvWriter(writer, CultureInfo.InvariantCulture);
        foreach (var header in new[] { "Created", "Kind", "Channel", "Recipient", "Subject", "Status", "Attempts", "NextAttempt", "Sent", "LastError" })
        {
            csv.WriteField(header);
        }

        await csv.NextRecordAsync();
        var query = Filtered(db, filter).OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id);
        await foreach (var m in query.AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            csv.WriteField(m.CreatedAt.ToString("O", CultureInfo.InvariantCulture));
            csv.WriteField(m.Kind.ToString());
            csv.WriteField(m.Channel.ToString());
            // Subjects and errors carry what others wrote (repository names, server replies): never let a spreadsheet run them.
            csv.WriteField(AuditSearch.CsvSafe(m.Recipient));
            csv.WriteField(AuditSearch.CsvSafe(m.Subject));
            csv.WriteField(m.Status.ToString());
            csv.WriteField(m.Attempts);
            csv.WriteField(m.Status == DeliveryStatus.Pending ? m.NextAttemptAt.ToString("O", CultureInfo.InvariantCulture) : null);
            csv.WriteField(m.SentAt?.ToString("O", CultureInfo.InvariantCulture));
            csv.WriteField(AuditSearch.CsvSafe(m.LastError));
            await csv.NextRecordAsync();
        }
    }

    private static IQueryable<OutgoingMessage> Filtered(PortalDbContext db, NotificationFilter filter)
    {
        var query = db.OutgoingMessages.AsNoTracking();
        if (filter.Status is { } status)
        {
            query = query.Where(m => m.Status == status);
        }

        if (filter.Kind is { } kind)
        {
            query = query.Where(m => m.Kind == kind);
        }

        if (filter.Channel is { } channel)
        {
            query = query.Where(m => m.Channel == channel);
        }

        if (!string.IsNullOrWhiteSpace(filter.Recipient))
        {
            // Email recipients are stored in lower case; webhook names may not be.
            var term = filter.Recipient.Trim().ToLowerInvariant();
#pragma warning disable CA1304, CA1311, CA1862 // Runs as SQL (lower() and instr/strpos): culture and StringComparison overloads do not translate.
            query = query.Where(m => m.Recipient.ToLower().Contains(term));
#pragma warning restore CA1304, CA1311, CA1862
        }

        return query;
    }

    /// <summary>The emails sent (or meant) for <paramref name="email"/>, whatever the case it is written in.</summary>
    public async Task<NotificationPage> MineAsync(string? email, int skip, int take, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(email))
        {
            return new NotificationPage(0, []);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await PageAsync(Mine(db, email), skip, take, cancellationToken);
    }

    public async Task<OutgoingMessageDetail?> GetAsync(long id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return Detail(await db.OutgoingMessages.AsNoTracking().SingleOrDefaultAsync(m => m.Id == id, cancellationToken));
    }

    /// <summary>One of <paramref name="email"/>'s own messages; null for anybody else's, as if it did not exist.</summary>
    public async Task<OutgoingMessageDetail?> GetMineAsync(string? email, long id, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(email))
        {
            return null;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return Detail(await Mine(db, email).SingleOrDefaultAsync(m => m.Id == id, cancellationToken));
    }

    private static IQueryable<OutgoingMessage> Mine(PortalDbContext db, string email)
    {
        var address = email.Trim().ToLowerInvariant();
        return db.OutgoingMessages.AsNoTracking().Where(m => m.Channel == NotificationChannel.Email && m.Recipient == address);
    }

    private static async Task<NotificationPage> PageAsync(IQueryable<OutgoingMessage> query, int skip, int take, CancellationToken cancellationToken)
    {
        var total = await query.CountAsync(cancellationToken);
        var items = await query
            .OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id)
            .Skip(Math.Max(0, skip)).Take(Math.Clamp(take, 1, MaxPageSize))
            .ToListAsync(cancellationToken);
        return new NotificationPage(total, items.Select(OutgoingMessageView.From).ToList());
    }

    private static OutgoingMessageDetail? Detail(OutgoingMessage? message) =>
        message is null ? null : new OutgoingMessageDetail(OutgoingMessageView.From(message), message.Body, message.TextBody);
}
