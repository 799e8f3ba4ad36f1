using Microsoft.EntityFrameworkCore;
using Portal.Core.Auditing;
using Portal.Core.Lifecycle;
using Portal.Data;
using Portal.Features.Audit;

namespace Portal.Features.Lifecycle;

public sealed record PolicySaveResult(bool Succeeded, IReadOnlyList<string> Errors, int? Version = null);

/// <summary>The lifecycle policy: the current version (the defaults until an admin saves one), its history, and saving a new version, audited.</summary>
public sealed class LifecyclePolicies(IDbContextFactory<PortalDbContext> contexts, AuditLog audit, TimeProvider clock)
{
    /// <summary>The newest saved version, or the defaults (version 0: never saved) on a fresh install.</summary>
    public async Task<LifecyclePolicy> CurrentAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var latest = await db.LifecyclePolicies.AsNoTracking().OrderByDescending(p => p.Version).FirstOrDefaultAsync(cancellationToken);
        return latest?.Policy() ?? new LifecyclePolicy { Version = 0 };
    }

    public async Task<IReadOnlyList<LifecyclePolicyVersion>> HistoryAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.LifecyclePolicies.AsNoTracking().OrderByDescending(p => p.Version).ToListAsync(cancellationToken);
    }

    /// <summary>Saves <paramref name="policy"/> as the next version if it is valid; the version it was edited from must still be current.</summary>
    /// <param name="policy">The edited policy; its <see cref="LifecyclePolicy.Version"/> is the version it was edited from.</param>
    /// <param name="actor">The admin saving it.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    public async Task<PolicySaveResult> SaveAsync(LifecyclePolicy policy, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var errors = policy.Validate();
        if (errors.Count > 0)
        {
            return new PolicySaveResult(false, errors);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var latest = await db.LifecyclePolicies.AsNoTracking().OrderByDescending(p => p.Version).FirstOrDefaultAsync(cancellationToken);
        var current = latest?.Version ?? 0;
        if (policy.Version != current)
        {
            return new PolicySaveResult(false,
                [$"The policy was changed by {latest?.SavedBy ?? "someone"} (now version {current}) after you opened it; reload and edit again."]);
        }

        var saved = LifecyclePolicyVersion.Save(policy with { Version = current + 1 }, actor, clock.GetUtcNow());
        db.LifecyclePolicies.Add(saved);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Two admins saved at once: the version is the key, so the second one lost and is told so.
            return new PolicySaveResult(false, ["The policy was changed by someone else at the same time; reload and edit again."]);
        }

        await audit.RecordAsync(AuditActorKind.Person, actor, AuditActions.PolicyChanged, $"policy version {saved.Version}",
            latest?.Document ?? LifecyclePolicyVersion.Save(new LifecyclePolicy { Version = 0 }, "defaults", saved.SavedAt).Document,
            saved.Document, cancellationToken);
        return new PolicySaveResult(true, [], saved.Version);
    }
}
