using Microsoft.EntityFrameworkCore;
using Portal.Core.Inventory;
using Portal.Core.Registry;
using Portal.Data;

namespace Portal.Features.Inventory;

/// <summary>What a delivery of registry events did: the pushes and deletes kept for the next sync, and the events ignored.</summary>
public sealed record RegistryEventsReceived(string Registry, int Recorded, int Ignored);

/// <summary>
/// Keeps the pushes and deletes a registry reports until a sync has read their repositories again. Nothing is read
/// from the registry here: the next incremental sync does that, so a burst of pushes costs one read per repository.
/// </summary>
public sealed class RegistryEventReceiver(IDbContextFactory<PortalDbContext> contexts, TimeProvider clock)
{
    /// <returns>Null when there is no such registry.</returns>
    public async Task<RegistryEventsReceived?> ReceiveAsync(int registryId, RegistryEventBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var registry = await db.Registries.SingleOrDefaultAsync(r => r.Id == registryId, cancellationToken);
        if (registry is null)
        {
            return null;
        }

        db.RegistryChanges.AddRange(batch.Events.Select(e => RegistryChange.Record(registryId, e, now)));
        registry.EventsReceived(now);
        await db.SaveChangesAsync(cancellationToken);
        return new RegistryEventsReceived(registry.Name, batch.Events.Count, batch.Ignored);
    }
}
