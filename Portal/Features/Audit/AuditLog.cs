using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Auditing;
using Portal.Data;

namespace Portal.Features.Audit;

/// <summary>Writes audit entries. Each call is its own unit of work so an audit survives a failing caller.</summary>
public sealed class AuditLog(IDbContextFactory<PortalDbContext> contexts, TimeProvider clock)
{
    public async Task RecordAsync(
        AuditActorKind actorKind,
        string actor,
        string action,
        string? subject = null,
        string? before = null,
        string? after = null,
        CancellationToken cancellationToken = default)
    {
        var entry = AuditEntry.Create(
            clock.GetUtcNow(), actorKind, actor, action, subject, before, after, Activity.Current?.TraceId.ToString());
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.AuditEntries.Add(entry);
        await db.SaveChangesAsync(cancellationToken);
    }
}
