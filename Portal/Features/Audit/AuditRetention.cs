using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Auditing;
using Portal.Core.Jobs;
using Portal.Data;

namespace Portal.Features.Audit;

/// <summary>Removes audit entries past the retention period, in batches, and audits the purge itself.</summary>
public sealed class AuditRetention(
    IDbContextFactory<PortalDbContext> contexts,
    IOptions<AuditOptions> options,
    AuditLog audit,
    TimeProvider clock)
{
    public const string JobActor = "job:audit-retention";

    public async Task<int> PurgeAsync(IJobProgress progress, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var cutoff = clock.GetUtcNow().AddDays(-settings.RetentionDays);

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var total = await db.AuditEntries.CountAsync(e => e.Timestamp < cutoff, cancellationToken);
        await progress.ReportAsync(0, total, cancellationToken);

        var purged = 0;
        while (purged < total)
        {
            // Delete by id batches so each statement is short and progress is real, on SQLite and PostgreSQL alike.
            var batch = await db.AuditEntries
                .Where(e => e.Timestamp < cutoff)
                .OrderBy(e => e.Id)
                .Select(e => e.Id)
                .Take(settings.PurgeBatchSize)
                .ToListAsync(cancellationToken);
            if (batch.Count == 0)
            {
                break;
            }

            purged += await db.AuditEntries.Where(e => batch.Contains(e.Id)).ExecuteDeleteAsync(cancellationToken);
            await progress.ReportAsync(Math.Min(purged, total), total, cancellationToken);
            if (settings.PurgeBatchPause > TimeSpan.Zero && purged < total)
            {
                await Task.Delay(settings.PurgeBatchPause, clock, cancellationToken);
            }
        }

        await audit.RecordAsync(
            AuditActorKind.Job,
            JobActor,
            AuditActions.AuditPurged,
            subject: $"entries before {cutoff:yyyy-MM-dd HH:mm:ss} UTC",
            after: $"{{\"purged\":{purged},\"retentionDays\":{settings.RetentionDays}}}",
            cancellationToken: cancellationToken);
        return purged;
    }
}
