using Microsoft.EntityFrameworkCore;
using Portal.Core.Auditing;
using Portal.Core.Lifecycle;
using Portal.Data;

namespace Portal.Features.Lifecycle;

public sealed record ActionDecisionResult(bool Succeeded, IReadOnlyList<string> Errors, bool Missing = false);

/// <summary>How the plan now differs from the plan last carried out: actions it adds, and actions no longer in it.</summary>
public sealed record PlanDifference(ExecutedPlan? Last, IReadOnlyList<PlannedAction> Added, IReadOnlyList<ExecutedPlanItem> Removed, int Unchanged);

/// <summary>
/// Decisions on planned actions (approve or reject, for kinds that require approval), what became of actions, and
/// how the plan has changed since it was last carried out. Decisions are by idempotency key, audited, and follow the
/// two-person rule: whoever set an image's EOL by hand does not approve what that date leads to.
/// </summary>
public sealed class LifecycleActions(IDbContextFactory<PortalDbContext> contexts, LifecyclePlanner planner, TimeProvider clock)
{
    /// <summary>The records of the given keys (decisions and executions), by key.</summary>
    public async Task<IReadOnlyDictionary<string, ActionRecord>> RecordsAsync(IEnumerable<string> keys, CancellationToken cancellationToken)
    {
        var wanted = keys.ToList();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var records = new Dictionary<string, ActionRecord>(StringComparer.Ordinal);
        // In slices: a large plan has more keys than a statement takes parameters.
        foreach (var slice in wanted.Chunk(1_000))
        {
            foreach (var record in await db.LifecycleActions.AsNoTracking().Where(a => slice.Contains(a.Key)).ToListAsync(cancellationToken))
            {
                records[record.Key] = record;
            }
        }

        return records;
    }

    /// <summary>The most recently changed records: what was approved, rejected, carried out, skipped or failed.</summary>
    public async Task<IReadOnlyList<ActionRecord>> RecentAsync(int take, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.LifecycleActions.AsNoTracking().OrderByDescending(a => a.UpdatedAt).ThenByDescending(a => a.Id).Take(take).ToListAsync(cancellationToken);
    }

    /// <summary>Approves or rejects the planned action with <paramref name="key"/>; it must be in the plan now and require approval.</summary>
    public async Task<ActionDecisionResult> DecideAsync(string key, bool approve, string? note, string actor, CancellationToken cancellationToken)
    {
        var planned = await planner.PlanAsync(cancellationToken);
        var action = planned.Plan.Actions.FirstOrDefault(a => a.Key == key);
        if (action is null)
        {
            return new ActionDecisionResult(false, ["The action is no longer in the plan; the plan has changed since the page was loaded."], Missing: true);
        }

        var errors = new List<string>();
        if (action.Mode != ExecutionMode.RequireApproval)
        {
            errors.Add(action.Mode == ExecutionMode.DryRun
                ? $"{action.Kind} actions are a dry run under policy version {action.PolicyVersion}: nothing is carried out, so there is nothing to approve."
                : $"{action.Kind} actions are carried out without approval under policy version {action.PolicyVersion}.");
        }

        if (approve && action.ManualEolBy is { } setBy && string.Equals(setBy, actor, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add("You set this image's EOL date by hand; another approver or admin approves what it leads to (two-person rule).");
        }

        if (note is not null && note.Trim().Length > ActionRecord.MaxTextLength)
        {
            errors.Add($"The note is longer than {ActionRecord.MaxTextLength} characters.");
        }

        if (errors.Count > 0)
        {
            return new ActionDecisionResult(false, errors);
        }

        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var record = await db.LifecycleActions.FirstOrDefaultAsync(a => a.Key == key, cancellationToken);
        var before = record?.Status.ToString();
        if (record is null)
        {
            record = ActionRecord.Decide(action, ActionSubjects.Describe(action, planned.Snapshot), approve, actor, note, now);
            db.LifecycleActions.Add(record);
        }
        else if (record.Redecide(approve, actor, note, now) is { Count: > 0 } refused)
        {
            return new ActionDecisionResult(false, refused);
        }

        db.AuditEntries.Add(AuditEntry.Create(now, AuditActorKind.Person, actor, approve ? AuditActions.ActionApproved : AuditActions.ActionRejected,
            $"{action.Kind} {record.Subject}", before, ActionSubjects.AuditAfter(record), System.Diagnostics.Activity.Current?.TraceId.ToString()));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Two people decided at once: the key is unique, the first decision stands.
            return new ActionDecisionResult(false, ["Someone else decided on this action at the same moment; reload to see their decision."]);
        }

        return new ActionDecisionResult(true, []);
    }

    /// <summary>How <paramref name="plan"/> differs from the last executed plan (everything is new when none was executed).</summary>
    public async Task<PlanDifference> DifferenceAsync(Plan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var last = await db.ExecutedPlans.AsNoTracking().OrderByDescending(p => p.ExecutedAt).ThenByDescending(p => p.Id).FirstOrDefaultAsync(cancellationToken);
        var before = (last?.Actions ?? []).Select(a => a.Key).ToHashSet(StringComparer.Ordinal);
        var now = plan.Actions.Select(a => a.Key).ToHashSet(StringComparer.Ordinal);
        return new PlanDifference(last,
            [.. plan.Actions.Where(a => !before.Contains(a.Key))],
            [.. (last?.Actions ?? []).Where(a => !now.Contains(a.Key))],
            plan.Actions.Count(a => before.Contains(a.Key)));
    }
}
