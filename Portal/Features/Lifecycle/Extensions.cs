using Microsoft.EntityFrameworkCore;
using Portal.Core.Auditing;
using Portal.Core.Lifecycle;
using Portal.Core.Workloads;
using Portal.Data;
using Portal.Features.Audit;

namespace Portal.Features.Lifecycle;

/// <summary>Who acts: the sign-in name (stored and audited) and the email namespace ownership is matched by.</summary>
public sealed record Requester(string Name, string? Email);

/// <summary>A request for more time: which workload, which image it runs (an index or one of its platforms), why and until when.</summary>
public sealed record ExtensionInput(long WorkloadId, long ImageId, string? Reason, DateTimeOffset WantedUntil);

/// <summary>A grant until <see cref="Until"/> (the wanted date when left out, or an earlier one), with an optional note.</summary>
public sealed record ExtensionGrant(DateTimeOffset? Until, string? Note);

public sealed record ExtensionRefusal(string? Note);

/// <summary>
/// Workload owners ask for more time on an image past its EOL; approvers grant (perhaps for less time) or refuse; the
/// owner may withdraw while it waits. One waiting request per workload and image. Nobody grants their own request or
/// one for their own namespace (the two-person rule). Every step is audited.
/// </summary>
public sealed class Extensions(
    IDbContextFactory<PortalDbContext> contexts, LifecyclePolicies policies, ImageLifecycles lifecycles, AuditLog audit, TimeProvider clock)
{
    /// <summary>How long decided requests stay on the approvers' list.</summary>
    public static readonly TimeSpan RecentlyDecided = TimeSpan.FromDays(30);

    private const int MaxListed = 500;

    /// <summary>For approvers: every waiting request (oldest first) and those decided recently (newest first).</summary>
    public async Task<IReadOnlyList<ExtensionRequest>> PendingAndRecentAsync(CancellationToken cancellationToken)
    {
        var since = clock.GetUtcNow() - RecentlyDecided;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var requests = await db.ExtensionRequests.AsNoTracking()
            .Where(r => r.Status == ExtensionStatus.Pending || r.DecidedAt > since)
            .OrderBy(r => r.Status == ExtensionStatus.Pending ? 0 : 1).ThenByDescending(r => r.DecidedAt).ThenBy(r => r.RequestedAt)
            .Take(MaxListed)
            .ToListAsync(cancellationToken);
        return requests;
    }

    /// <summary>Everything one person asked for, newest first.</summary>
    public async Task<IReadOnlyList<ExtensionRequest>> OfRequesterAsync(string requester, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.ExtensionRequests.AsNoTracking().Where(r => r.RequestedBy == requester)
            .OrderByDescending(r => r.RequestedAt).Take(MaxListed).ToListAsync(cancellationToken);
    }

    /// <summary>The requests for these workloads, newest first, whoever asked: what My workloads shows per image.</summary>
    public async Task<IReadOnlyList<ExtensionRequest>> ForWorkloadsAsync(IReadOnlyCollection<long> workloadIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workloadIds);
        var ids = workloadIds.Distinct().ToList();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.ExtensionRequests.AsNoTracking().Where(r => ids.Contains(r.WorkloadId))
            .OrderByDescending(r => r.RequestedAt).ToListAsync(cancellationToken);
    }

    /// <summary>The workloads among <paramref name="workloadIds"/> whose namespace <paramref name="email"/> owns: those they may ask for.</summary>
    public async Task<IReadOnlySet<long>> OwnedAsync(string? email, IReadOnlyCollection<long> workloadIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workloadIds);
        var owner = WorkloadSnapshotBuilder.NormalizeEmail(email);
        if (owner is null || workloadIds.Count == 0)
        {
            return new HashSet<long>();
        }

        var ids = workloadIds.Distinct().ToList();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var owned = await db.Workloads.Where(w => ids.Contains(w.Id) && db.NamespaceMembers.Any(m =>
                m.Cluster == w.Cluster && m.Namespace == w.Namespace && m.Role == NamespaceRole.Owner && m.Email == owner))
            .Select(w => w.Id).ToListAsync(cancellationToken);
        return owned.ToHashSet();
    }

    public async Task<LifecycleChangeResult> RequestAsync(ExtensionInput input, Requester requester, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(requester);
        var now = clock.GetUtcNow();
        var policy = await policies.CurrentAsync(cancellationToken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var workload = await db.Workloads.AsNoTracking().Where(w => w.Id == input.WorkloadId && w.GoneAt == null)
            .Select(w => new { w.Id, w.Cluster, w.Namespace, w.Name }).SingleOrDefaultAsync(cancellationToken);
        if (workload is null)
        {
            return LifecycleChangeResult.NotFound($"There is no workload {input.WorkloadId}.");
        }

        var display = $"{workload.Namespace}/{workload.Name}";
        if (!(await OwnedAsync(requester.Email, [workload.Id], cancellationToken)).Contains(workload.Id))
        {
            return LifecycleChangeResult.Refused($"Only an owner of namespace {workload.Namespace} may ask for more time for {display}.");
        }

        // The workload runs the image itself or one of its platforms; the request is for the image tags point at.
        var image = await (
                from use in db.WorkloadImages
                join used in db.Images on use.ImageId equals used.Id
                join top in db.Images on used.ParentId ?? used.Id equals top.Id
                join repository in db.Repositories on top.RepositoryId equals repository.Id
                where use.WorkloadId == workload.Id && (used.Id == input.ImageId || top.Id == input.ImageId)
                select new { top.Id, Display = repository.Name + "@" + top.Digest })
            .FirstOrDefaultAsync(cancellationToken);
        var errors = new List<string>(ExtensionRequest.Validate(input.Reason, input.WantedUntil, now, policy.MaxHoldDays));
        if (image is null)
        {
            errors.Insert(0, $"{display} does not run image {input.ImageId}.");
            return LifecycleChangeResult.Invalid(errors);
        }

        var lifecycle = (await lifecycles.OfAsync([image.Id], cancellationToken)).GetValueOrDefault(image.Id);
        if (lifecycle?.Eol is not { } eol)
        {
            errors.Insert(0, $"{image.Display} has no EOL date; there is nothing to extend.");
        }
        else if (input.WantedUntil <= eol)
        {
            errors.Add($"The image's EOL is {eol.UtcDateTime:yyyy-MM-dd HH:mm} UTC; ask for a later date.");
        }

        var waiting = await db.ExtensionRequests.AsNoTracking()
            .Where(r => r.WorkloadId == workload.Id && r.ImageId == image.Id && r.Status == ExtensionStatus.Pending)
            .FirstOrDefaultAsync(cancellationToken);
        if (waiting is not null)
        {
            errors.Insert(0, $"A request for more time for {display} on this image is already waiting "
                + $"(asked {waiting.RequestedAt.UtcDateTime:yyyy-MM-dd} by {waiting.RequestedBy}).");
        }

        if (errors.Count > 0)
        {
            return LifecycleChangeResult.Invalid(errors);
        }

        var request = ExtensionRequest.Ask(workload.Id, image.Id, display, image.Display, input.Reason!, input.WantedUntil, requester.Name, now);
        db.ExtensionRequests.Add(request);
        await db.SaveChangesAsync(cancellationToken);
        await audit.RecordAsync(AuditActorKind.Person, requester.Name, AuditActions.ExtensionRequested, Describe(request), null, Details(request),
            cancellationToken);
        return LifecycleChangeResult.Done(request.Id);
    }

    public async Task<LifecycleChangeResult> GrantAsync(long id, ExtensionGrant grant, Requester approver, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grant);
        ArgumentNullException.ThrowIfNull(approver);
        var policy = await policies.CurrentAsync(cancellationToken);
        return await DecideAsync(id, AuditActions.ExtensionGranted, async (request, now) =>
        {
            var owners = await OwnedAsync(approver.Email, [request.WorkloadId], cancellationToken);
            if (owners.Count > 0 || string.Equals(approver.Name, request.RequestedBy, StringComparison.OrdinalIgnoreCase))
            {
                return LifecycleChangeResult.Refused(ExtensionRequest.TwoPersonRule, id);
            }

            var errors = request.Grant(grant.Until ?? request.WantedUntil, grant.Note, approver.Name, now, policy.MaxHoldDays);
            return errors.Count > 0 ? LifecycleChangeResult.Invalid(errors, id) : null;
        }, approver.Name, cancellationToken);
    }

    public Task<LifecycleChangeResult> RefuseAsync(long id, ExtensionRefusal refusal, Requester approver, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        ArgumentNullException.ThrowIfNull(approver);
        return DecideAsync(id, AuditActions.ExtensionRefused, (request, now) =>
        {
            var errors = request.Refuse(refusal.Note, approver.Name, now);
            return Task.FromResult(errors.Count > 0 ? LifecycleChangeResult.Invalid(errors, id) : null);
        }, approver.Name, cancellationToken);
    }

    public Task<LifecycleChangeResult> WithdrawAsync(long id, Requester requester, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requester);
        return DecideAsync(id, AuditActions.ExtensionWithdrawn, (request, now) =>
        {
            if (!string.Equals(requester.Name, request.RequestedBy, StringComparison.OrdinalIgnoreCase))
            {
                return Task.FromResult<LifecycleChangeResult?>(
                    LifecycleChangeResult.Refused($"Only {request.RequestedBy}, who asked, may withdraw this request.", id));
            }

            var errors = request.Withdraw(requester.Name, now);
            return Task.FromResult(errors.Count > 0 ? LifecycleChangeResult.Invalid(errors, id) : null);
        }, requester.Name, cancellationToken);
    }

    // Loads the request, lets the step change it (or say why not: a result means nothing is saved), saves and audits.
    private async Task<LifecycleChangeResult> DecideAsync(
        long id, string action, Func<ExtensionRequest, DateTimeOffset, Task<LifecycleChangeResult?>> step, string actor,
        CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var request = await db.ExtensionRequests.SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (request is null)
        {
            return LifecycleChangeResult.NotFound($"There is no extension request {id}.");
        }

        var before = Details(request);
        if (await step(request, now) is { } refused)
        {
            return refused;
        }

        await db.SaveChangesAsync(cancellationToken);
        await audit.RecordAsync(AuditActorKind.Person, actor, action, Describe(request), before, Details(request), cancellationToken);
        return LifecycleChangeResult.Done(id);
    }

    private static string Describe(ExtensionRequest request) => $"extension request {request.Id} for {request.Workload} on {request.Image}";

    private static string Details(ExtensionRequest request) =>
        $"{request.Status}: wanted until {request.WantedUntil.UtcDateTime:yyyy-MM-dd HH:mm} UTC, asked by {request.RequestedBy}: {request.Reason}"
        + (request.DecidedBy is null ? ""
            : $"; {request.Status.ToString().ToLowerInvariant()} by {request.DecidedBy}"
              + (request.GrantedUntil is { } until ? $" until {until.UtcDateTime:yyyy-MM-dd HH:mm} UTC" : "")
              + (request.DecisionNote is { } note ? $": {note}" : ""));
}
