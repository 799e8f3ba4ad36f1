using Microsoft.EntityFrameworkCore;
using Portal.Core.Auditing;
using Portal.Core.Inventory;
using Portal.Core.Jobs;
using Portal.Core.Lifecycle;
using Portal.Core.Registry;
using Portal.Core.Workloads;
using Portal.Data;
using Portal.Features.Inventory;
using Portal.Features.Workloads;

namespace Portal.Features.Lifecycle;

/// <param name="Ran">False when outside the maintenance window: nothing was read or carried out.</param>
/// <param name="Failures">Each failed action with its error, for the job's result.</param>
public sealed record ExecutionSummary(bool Ran, int Done, int Skipped, int Failed, int AwaitingApproval, IReadOnlyList<string> Failures, string Message);

/// <summary>Who carries the plan out: the lifecycle job on its schedule, or an admin who executes now.</summary>
public sealed record Executor(AuditActorKind Kind, string Name);

/// <summary>
/// Carries out the plan's stops, migrations and deletions that are Automatic or approved, inside the maintenance
/// window (or at once when an admin says so). It acts only on fresh facts: every cluster is read again and the plan
/// computed anew, and just before each act the subject itself is checked (the notebook read, the manifest HEADed,
/// the repository's new tags looked at); anything that no longer applies is skipped with the reason. Each action's
/// record is marked running before the act and finished after it, so a run that dies half-way is resumed by the next
/// one without doing anything twice: the check before acting sees what was already done.
/// </summary>
public sealed class LifecycleExecution(
    IDbContextFactory<PortalDbContext> contexts,
    LifecyclePolicies policies,
    LifecyclePlanner planner,
    WorkloadSync workloadSync,
    IRegistryClientFactory registryClients,
    RegistrySecrets secrets,
    IWorkloadActions workloads,
    TimeProvider clock,
    ILogger<LifecycleExecution> logger)
{
    // Workloads first, then what they no longer need; notifications are the notification job's to send.
    private static readonly ActionKind[] Order = [ActionKind.StopWorkload, ActionKind.MigrateWorkload, ActionKind.DeleteTag, ActionKind.DeleteImage];

    private static readonly ActionStatus[] Unfinished = [ActionStatus.Approved, ActionStatus.Running, ActionStatus.Failed];

    public async Task<ExecutionSummary> RunAsync(Executor executor, bool ignoreWindow, IJobProgress? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(executor);
        var policy = await policies.CurrentAsync(cancellationToken);
        var opened = clock.GetUtcNow();
        if (!ignoreWindow && MaintenanceWindow.At(policy, opened) is null)
        {
            var next = MaintenanceWindow.Next(policy, opened, 1) is [var first, ..] ? first : null;
            return new ExecutionSummary(false, 0, 0, 0, 0, [],
                $"Outside the maintenance window: nothing carried out. The next window opens {next?.Opens.UtcDateTime:yyyy-MM-dd HH:mm} UTC.");
        }

        // Who uses what is read now, not taken from the last sync: a cluster that cannot be read stops the run.
        foreach (var cluster in workloadSync.Clusters)
        {
            await workloadSync.SyncAsync(cluster, static (_, _) => Task.CompletedTask, cancellationToken);
        }

        var planned = await planner.PlanAsync(cancellationToken);
        var plan = planned.Plan;
        var actions = plan.Actions
            .Where(a => a.Mode != ExecutionMode.DryRun && Order.Contains(a.Kind))
            .OrderBy(a => Array.IndexOf(Order, a.Kind))
            .ToList();
        var run = new Run(executor, planned.Snapshot, clock, logger, workloads, registryClients, secrets);

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var keys = actions.Select(a => a.Key).ToHashSet(StringComparer.Ordinal);
        // Only the kinds this job carries out: an approved notification is the notification job's to send, not a stale act to skip.
        var records = await db.LifecycleActions.Where(a => Unfinished.Contains(a.Status) && Order.Contains(a.Kind))
            .ToDictionaryAsync(a => a.Key, StringComparer.Ordinal, cancellationToken);
        foreach (var slice in keys.Where(k => !records.ContainsKey(k)).Chunk(1_000))
        {
            foreach (var record in await db.LifecycleActions.Where(a => slice.Contains(a.Key)).ToListAsync(cancellationToken))
            {
                records[record.Key] = record;
            }
        }

        // Approved, failed or interrupted acts the plan no longer names are not carried out: say why.
        foreach (var stale in records.Values.Where(r => !keys.Contains(r.Key) && Unfinished.Contains(r.Status)))
        {
            await run.SkipAsync(db, stale, NoLongerPlanned(stale, plan), cancellationToken);
        }

        var handled = 0;
        foreach (var action in actions)
        {
            cancellationToken.ThrowIfCancellationRequested();
            records.TryGetValue(action.Key, out var record);
            var now = clock.GetUtcNow();
            if (record is { Status: ActionStatus.Rejected } || (record is not null && !record.IsRunnable(now)))
            {
                continue;
            }

            if (action.Mode == ExecutionMode.RequireApproval && record is null)
            {
                run.AwaitingApproval++;
                continue;
            }

            if (record is null)
            {
                record = ActionRecord.Start(action, ActionSubjects.Describe(action, planned.Snapshot), executor.Name, now);
                db.LifecycleActions.Add(record);
            }
            else
            {
                record.Begin(executor.Name, now, action.PolicyVersion);
            }

            // Committed before the act: a run that dies during it leaves the record running, and the next run looks first.
            await db.SaveChangesAsync(cancellationToken);
            await run.CarryOutAsync(db, action, record, cancellationToken);
            if (progress is not null)
            {
                await progress.ReportAsync(++handled, actions.Count, cancellationToken);
            }
        }

        db.ExecutedPlans.Add(ExecutedPlan.Record(plan, executor.Name, run.Done, run.Skipped, run.Failures.Count, clock.GetUtcNow()));
        await db.SaveChangesAsync(cancellationToken);
        var message = $"Policy version {plan.PolicyVersion}: {run.Done} carried out, {run.Skipped} skipped, {run.Failures.Count} failed, "
            + $"{run.AwaitingApproval} awaiting approval, {plan.Actions.Count(a => a.Mode == ExecutionMode.DryRun)} dry run.";
        return new ExecutionSummary(true, run.Done, run.Skipped, run.Failures.Count, run.AwaitingApproval, run.Failures, message);
    }

    private static string NoLongerPlanned(ActionRecord record, Plan plan)
    {
        var kept = plan.Kept.FirstOrDefault(k => k.Kind == record.Kind && k.ImageId == record.ImageId && k.WorkloadId == record.WorkloadId
            && (record.Tag is null || k.Tag == record.Tag));
        var interrupted = record.Status == ActionStatus.Running ? "Interrupted, and no longer" : "No longer";
        return kept is not null ? $"{interrupted} in the plan ({kept.Reason})." : $"{interrupted} in the plan: the facts changed since it was planned.";
    }

    /// <summary>One execution run: the acts, their records and audit entries, and the counts.</summary>
    private sealed class Run(
        Executor executor, LifecycleSnapshot snapshot, TimeProvider clock, ILogger logger, IWorkloadActions workloads,
        IRegistryClientFactory registryClients, RegistrySecrets secrets)
    {
        private readonly Dictionary<int, IRegistryClient> _clients = [];

        public int Done { get; private set; }
        public int Skipped { get; private set; }
        public int AwaitingApproval { get; set; }
        public List<string> Failures { get; } = [];

        public async Task CarryOutAsync(PortalDbContext db, PlannedAction action, ActionRecord record, CancellationToken cancellationToken)
        {
            string audit;
            try
            {
                var (done, outcome) = action.Kind switch
                {
                    ActionKind.StopWorkload => await StopAsync(action, cancellationToken),
                    ActionKind.MigrateWorkload => await MigrateAsync(db, action, cancellationToken),
                    ActionKind.DeleteTag => await DeleteTagAsync(db, action, cancellationToken),
                    ActionKind.DeleteImage => await DeleteImageAsync(db, action, cancellationToken),
                    _ => throw new InvalidOperationException($"{action.Kind} is not carried out by the lifecycle job."),
                };
                if (done)
                {
                    record.Complete(outcome, clock.GetUtcNow());
                    Done++;
                    audit = AuditActions.ActionExecuted;
                }
                else
                {
                    record.Skip(outcome, clock.GetUtcNow());
                    Skipped++;
                    audit = AuditActions.ActionSkipped;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Lifecycle action {Key} failed", action.Key);
                record.Fail(ex.Message, clock.GetUtcNow());
                Failures.Add($"{action.Kind} {record.Subject}: {ex.Message}");
                audit = AuditActions.ActionFailed;
            }

            await RecordAsync(db, record, audit, cancellationToken);
        }

        public async Task SkipAsync(PortalDbContext db, ActionRecord record, string why, CancellationToken cancellationToken)
        {
            record.Skip(why, clock.GetUtcNow());
            Skipped++;
            await RecordAsync(db, record, AuditActions.ActionSkipped, cancellationToken);
        }

        private async Task RecordAsync(PortalDbContext db, ActionRecord record, string action, CancellationToken cancellationToken)
        {
            db.AuditEntries.Add(AuditEntry.Create(clock.GetUtcNow(), executor.Kind, executor.Name, action, $"{record.Kind} {record.Subject}",
                null, ActionSubjects.AuditAfter(record), System.Diagnostics.Activity.Current?.TraceId.ToString()));
            await db.SaveChangesAsync(cancellationToken);
        }

        private async Task<(bool Done, string Outcome)> StopAsync(PlannedAction action, CancellationToken cancellationToken)
        {
            var workload = Workload(action);
            var notebook = await workloads.ReadNotebookAsync(workload.Cluster, workload.Namespace, workload.Name, cancellationToken);
            if (notebook is null)
            {
                return (false, $"Notebook {workload.Display} no longer exists.");
            }

            if (notebook.Stopped)
            {
                return (true, $"Notebook {workload.Display} is already stopped.");
            }

            await workloads.StopNotebookAsync(workload.Cluster, workload.Namespace, workload.Name, clock.GetUtcNow(), cancellationToken);
            return (true, $"Stopped notebook {workload.Display} in {workload.Cluster} (the stop annotation; its volumes and data are kept).");
        }

        private async Task<(bool Done, string Outcome)> MigrateAsync(PortalDbContext db, PlannedAction action, CancellationToken cancellationToken)
        {
            var workload = Workload(action);
            var target = Image(action.TargetImageId);
            var old = Image(action.ImageId);
            // The container running the old image (an index or any of its platform children), as the workload sync saw it.
            var uses = await (
                    from use in db.WorkloadImages
                    join image in db.Images on use.ImageId equals image.Id
                    where use.WorkloadId == workload.Id && use.ContainerType == ContainerType.Container
                          && (image.Id == old.Id || image.ParentId == old.Id)
                    select new { use.ContainerName, use.Reference })
                .ToListAsync(cancellationToken);
            if (uses.Count == 0)
            {
                return (false, $"Notebook {workload.Display} no longer runs {old.Repository}.");
            }

            var notebook = await workloads.ReadNotebookAsync(workload.Cluster, workload.Namespace, workload.Name, cancellationToken);
            if (notebook is null)
            {
                return (false, $"Notebook {workload.Display} no longer exists.");
            }

            var changed = new List<string>();
            foreach (var use in uses)
            {
                var now = notebook.Containers.FirstOrDefault(c => c.Name == use.ContainerName && c.Type == ContainerType.Container)?.Image;
                var replacement = ReplacementFor(use.Reference, target);
                if (now == replacement)
                {
                    continue;
                }

                if (now != use.Reference)
                {
                    return (false, $"Container {use.ContainerName} of {workload.Display} changed since the plan (now {now ?? "gone"}).");
                }

                await workloads.SetNotebookImageAsync(workload.Cluster, workload.Namespace, workload.Name, use.ContainerName, use.Reference,
                    replacement, cancellationToken);
                changed.Add($"{use.ContainerName}: {use.Reference} -> {replacement}");
            }

            return (true, changed.Count == 0
                ? $"Notebook {workload.Display} already runs {target.Repository}@{target.Digest}."
                : $"Moved notebook {workload.Display} to {target.Repository}@{target.Digest} ({string.Join("; ", changed)}); it runs the new image when next started.");
        }

        private async Task<(bool Done, string Outcome)> DeleteTagAsync(PortalDbContext db, PlannedAction action, CancellationToken cancellationToken)
        {
            var image = Image(action.ImageId);
            var client = await ClientAsync(db, image, cancellationToken);
            var points = await client.HeadManifestAsync(image.Repository, action.Tag!, cancellationToken);
            if (points is null)
            {
                return (true, $"Tag {image.Repository}:{action.Tag} is already gone.");
            }

            if (points.Value.ToString() != image.Digest)
            {
                return (false, $"Tag {image.Repository}:{action.Tag} now points at another image ({points}); it is kept.");
            }

            return await client.DeleteManifestAsync(image.Repository, action.Tag!, cancellationToken) switch
            {
                ManifestDeletion.Deleted => (true, $"Deleted tag {image.Repository}:{action.Tag}; its image stays under its newer tags."),
                ManifestDeletion.NotFound => (true, $"Tag {image.Repository}:{action.Tag} is already gone."),
                _ => (false, $"The registry cannot delete tag {action.Tag} of {image.Repository} without deleting its image (and its newer tags); the tag is kept."),
            };
        }

        private async Task<(bool Done, string Outcome)> DeleteImageAsync(PortalDbContext db, PlannedAction action, CancellationToken cancellationToken)
        {
            var image = Image(action.ImageId);
            var client = await ClientAsync(db, image, cancellationToken);
            if (await client.HeadManifestAsync(image.Repository, image.Digest, cancellationToken) is null)
            {
                return (true, $"{image.Repository}@{image.Digest} is already gone from the registry.");
            }

            // Deleting by digest removes every tag on it: a tag pushed since the plan (not known to it) must not go with it.
            var known = image.Tags.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var tag in await client.ListTagsAsync(image.Repository, cancellationToken))
            {
                if (!known.Contains(tag) && (await client.HeadManifestAsync(image.Repository, tag, cancellationToken))?.ToString() == image.Digest)
                {
                    return (false, $"{image.Repository}:{tag} was pushed onto this image after the plan was made; the image is kept.");
                }
            }

            return await client.DeleteManifestAsync(image.Repository, image.Digest, cancellationToken) switch
            {
                ManifestDeletion.Deleted => (true, $"Deleted {image.Repository}@{image.Digest} from the registry"
                    + (known.Count > 0 ? $" (tags {string.Join(", ", known.Order(StringComparer.Ordinal))})." : ".")),
                ManifestDeletion.NotFound => (true, $"{image.Repository}@{image.Digest} is already gone from the registry."),
                _ => throw new InvalidOperationException(
                    $"The registry refuses to delete manifests of {image.Repository} (for Distribution, set REGISTRY_STORAGE_DELETE_ENABLED)."),
            };
        }

        private WorkloadFacts Workload(PlannedAction action) =>
            snapshot.Workloads.FirstOrDefault(w => w.Id == action.WorkloadId)
            ?? throw new InvalidOperationException($"Workload {action.WorkloadId} is not in the snapshot the plan came from.");

        private LifecycleImage Image(long? id) =>
            snapshot.Images.FirstOrDefault(i => i.Id == id)
            ?? throw new InvalidOperationException($"Image {id} is not in the snapshot the plan came from.");

        private async Task<IRegistryClient> ClientAsync(PortalDbContext db, LifecycleImage image, CancellationToken cancellationToken)
        {
            var registryId = await db.Repositories.Where(r => r.Id == image.RepositoryId).Select(r => r.RegistryId).SingleAsync(cancellationToken);
            if (!_clients.TryGetValue(registryId, out var client))
            {
                var registry = await db.Registries.AsNoTracking().SingleAsync(r => r.Id == registryId, cancellationToken);
                _clients[registryId] = client = registryClients.Create(secrets.EndpointFor(registry));
            }

            return client;
        }

        // The target in the same registry host the notebook names, by tag for people and pinned by digest for certainty.
        private static string ReplacementFor(string reference, LifecycleImage target)
        {
            var host = ImageReference.TryParse(reference, out var parsed, out _) ? parsed.Registry : null;
            var tag = target.Tags.OrderByDescending(t => t.FirstSeen).Select(t => t.Name).FirstOrDefault();
            var name = host is null ? target.Repository : $"{host}/{target.Repository}";
            return tag is null ? $"{name}@{target.Digest}" : $"{name}:{tag}@{target.Digest}";
        }
    }
}
