using Microsoft.EntityFrameworkCore;
using Portal.Core.Workloads;
using Portal.Data;

namespace Portal.Features.Workloads;

public sealed record WorkloadSyncSummary(string Cluster, int Workloads, int New, int Changed, int Gone, int Members, int ImagesLinked)
{
    public override string ToString() =>
        $"{Cluster}: {Workloads} workloads ({New} new, {Changed} changed, {Gone} gone), {Members} namespace members, "
        + $"{ImagesLinked} container images matched to the inventory";
}

/// <summary>
/// Takes a snapshot of one cluster into the database. The whole cluster is read before anything is written, and
/// written in one transaction, so a cluster that fails mid-list leaves the previous snapshot exactly as it was.
/// </summary>
public sealed class WorkloadSync(
    IDbContextFactory<PortalDbContext> contexts,
    IWorkloadSource source,
    WorkloadImageLinker linker,
    TimeProvider clock)
{
    // Set-based updates go in slices so no statement exceeds a provider's parameter limit.
    private const int BulkChunkSize = 5_000;

    public IReadOnlyList<string> Clusters => source.Clusters;

    public async Task<WorkloadSyncSummary> SyncAsync(string cluster, Func<int, CancellationToken, Task> onPage, CancellationToken cancellationToken)
    {
        var read = await source.ReadAsync(cluster, onPage, cancellationToken);
        var snapshot = WorkloadSnapshotBuilder.Build(read);
        var now = clock.GetUtcNow();

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        // Known rows are read without tracking: unchanged ones are touched by set-based updates, not one by one.
        var known = (await db.Workloads.AsNoTracking().Include(w => w.Images).AsSplitQuery()
                .Where(w => w.Cluster == cluster)
                .ToListAsync(cancellationToken))
            .ToDictionary(w => (w.Kind, w.Namespace, w.Name));
        var unchanged = new List<long>();
        var changed = new Dictionary<long, ObservedWorkload>();
        var added = new List<Workload>();
        foreach (var observed in snapshot.Workloads)
        {
            if (!known.Remove((observed.Kind, observed.Namespace, observed.Name), out var existing))
            {
                added.Add(Workload.Discover(cluster, observed, now));
            }
            else if (existing.Matches(observed))
            {
                unchanged.Add(existing.Id);
            }
            else
            {
                changed[existing.Id] = observed;
            }
        }

        foreach (var chunk in changed.Keys.Chunk(BulkChunkSize))
        {
            foreach (var workload in await db.Workloads.Include(w => w.Images).Where(w => chunk.Contains(w.Id)).ToListAsync(cancellationToken))
            {
                workload.Seen(changed[workload.Id], now);
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        // New workloads go in without the change tracker: a first sync of a large cluster is tens of thousands of rows.
        await BulkInsert.InsertReturningKeysAsync(db, added, cancellationToken);
        foreach (var workload in added)
        {
            workload.Images.ForEach(i => i.AttachTo(workload.Id));
        }

        await BulkInsert.InsertAsync(db, added.SelectMany(w => w.Images).ToList(), cancellationToken);
        foreach (var chunk in unchanged.Chunk(BulkChunkSize))
        {
            await db.Workloads.Where(w => chunk.Contains(w.Id)).ExecuteUpdateAsync(u => u.SetProperty(w => w.LastSeen, now), cancellationToken);
        }

        // What is left in "known" was not seen this time.
        var goneIds = known.Values.Where(w => w.GoneAt is null).Select(w => w.Id).ToList();
        foreach (var chunk in goneIds.Chunk(BulkChunkSize))
        {
            await db.Workloads.Where(w => chunk.Contains(w.Id)).ExecuteUpdateAsync(u => u.SetProperty(w => w.GoneAt, now), cancellationToken);
        }

        // Membership is what the cluster says right now; no history is kept for it.
        await db.NamespaceMembers.Where(m => m.Cluster == cluster).ExecuteDeleteAsync(cancellationToken);
        db.NamespaceMembers.AddRange(snapshot.Members.Select(m => NamespaceMember.From(cluster, m)));
        await db.SaveChangesAsync(cancellationToken);

        var linked = await linker.LinkAsync(db, cluster, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new WorkloadSyncSummary(cluster, snapshot.Workloads.Count, added.Count, changed.Count, goneIds.Count, snapshot.Members.Count, linked);
    }
}
