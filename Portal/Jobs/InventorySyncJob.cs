using Microsoft.EntityFrameworkCore;
using Portal.Core.Jobs;
using Portal.Data;
using Portal.Features.Inventory;
using Portal.Features.Jobs;
using Quartz;

namespace Portal.Jobs;

/// <summary>Syncs every registry (or the one asked for), incrementally unless a full sync is asked for.</summary>
[DisallowConcurrentExecution]
public sealed class InventorySyncJob(
    InventorySync sync,
    IDbContextFactory<PortalDbContext> contexts,
    JobRunRecorder recorder,
    ILogger<InventorySyncJob> logger) : PortalJob(recorder, logger)
{
    public const string Name = "inventory-sync";
    public const string RegistryIdKey = "registryId";
    public const string ModeKey = "mode";

    protected override string JobName => Name;

    protected override async Task<string> RunAsync(IJobProgress progress, IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var data = context.MergedJobDataMap;
        var mode = Enum.TryParse<SyncMode>(data.GetString(ModeKey), out var parsed) ? parsed : SyncMode.Incremental;
        int? only = int.TryParse(data.GetString(RegistryIdKey), out var id) ? id : null;

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var registries = await db.Registries.AsNoTracking()
            .Where(r => only == null || r.Id == only)
            .OrderBy(r => r.Name)
            .Select(r => new { r.Id, r.Name })
            .ToListAsync(cancellationToken);
        if (registries.Count == 0)
        {
            return only is null ? "No registries are configured." : $"Registry {only} does not exist.";
        }

        var summaries = new List<string>();
        var failures = new List<string>();
        var newImages = 0;
        foreach (var registry in registries)
        {
            try
            {
                var summary = await sync.SyncAsync(registry.Id, mode, progress, cancellationToken);
                newImages += summary.NewImages;
                summaries.Add(summary.ToString());
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // One failing registry keeps its previous inventory and does not stop the others.
                failures.Add($"{registry.Name}: {ex.Message}");
            }
        }

        if (newImages > 0)
        {
            // New digests are scanned now rather than at the scanners' next scheduled run.
            foreach (var follower in JobCatalog.All.Where(j => j.FollowsNewImages))
            {
                await context.Scheduler.TriggerJob(new JobKey(follower.Name), new JobDataMap { [JobsOverview.TriggeredByKey] = Name }, cancellationToken);
            }
        }

        if (failures.Count > 0)
        {
            throw new InvalidOperationException(
                $"{mode} sync failed for {failures.Count} of {registries.Count} registries; their previous inventory is kept. "
                + string.Join(" ", failures) + (summaries.Count > 0 ? " Succeeded: " + string.Join("; ", summaries) : ""));
        }

        return $"{mode} sync: " + string.Join("; ", summaries);
    }
}
