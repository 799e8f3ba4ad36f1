using Microsoft.EntityFrameworkCore;
using Portal.Core.Admission;
using Portal.Core.Auditing;
using Portal.Data;
using Portal.Features.Audit;
using Portal.Features.Lifecycle;

namespace Portal.Features.Admission;

/// <summary>The admission policy: the current version (the defaults until an admin saves one), its history, and saving a new version, audited.</summary>
public sealed class AdmissionPolicies(IDbContextFactory<PortalDbContext> contexts, AuditLog audit, TimeProvider clock)
{
    public async Task<AdmissionPolicy> CurrentAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var latest = await db.AdmissionPolicies.AsNoTracking().OrderByDescending(p => p.Version).FirstOrDefaultAsync(cancellationToken);
        return latest?.Policy() ?? new AdmissionPolicy { Version = 0 };
    }

    public async Task<IReadOnlyList<AdmissionPolicyVersion>> HistoryAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.AdmissionPolicies.AsNoTracking().OrderByDescending(p => p.Version).ToListAsync(cancellationToken);
    }

    /// <summary>Saves <paramref name="policy"/> as the next version if valid and still edited from the current version; audited with before and after.</summary>
    public async Task<PolicySaveResult> SaveAsync(AdmissionPolicy policy, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        // Namespaces are compared exactly; spaces and duplicates from a text box are not what anyone meant.
        policy = policy with { ExemptNamespaces = [.. policy.ExemptNamespaces.Select(n => n.Trim()).Where(n => n.Length > 0).Distinct(StringComparer.Ordinal)] };
        var errors = policy.Validate();
        if (errors.Count > 0)
        {
            return new PolicySaveResult(false, errors);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var latest = await db.AdmissionPolicies.AsNoTracking().OrderByDescending(p => p.Version).FirstOrDefaultAsync(cancellationToken);
        var current = latest?.Version ?? 0;
        if (policy.Version != current)
        {
            return new PolicySaveResult(false,
                [$"The admission policy was changed by {latest?.SavedBy ?? "someone"} (now version {current}) after you opened it; reload and edit again."],
                Conflict: true);
        }

        var saved = AdmissionPolicyVersion.Save(policy with { Version = current + 1 }, actor, clock.GetUtcNow());
        db.AdmissionPolicies.Add(saved);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            return new PolicySaveResult(false, ["The admission policy was changed by someone else at the same time; reload and edit again."], Conflict: true);
        }

        await audit.RecordAsync(AuditActorKind.Person, actor, AuditActions.AdmissionPolicyChanged, $"admission policy version {saved.Version}",
            latest?.Document ?? new AdmissionPolicy().ToJson(), saved.Document, cancellationToken);
        return new PolicySaveResult(true, [], saved.Version);
    }
}
