using Microsoft.EntityFrameworkCore;
using Portal.Core.Auditing;
using Portal.Core.Gateway;
using Portal.Data;
using Portal.Features.Audit;

namespace Portal.Features.Gateway;

/// <summary>The outcome of adding or changing a remote: the remote, or what is wrong with the request.</summary>
public sealed record RemoteSaved(bool Succeeded, IReadOnlyList<string> Errors, Remote? Remote = null);

/// <summary>
/// Admins add, change and delete remotes (audited). The gateway looks remotes up on every request, so they are held in
/// memory and reloaded after a change here or after a short while (another replica may have changed them).
/// </summary>
public sealed class GatewayRemotes(IDbContextFactory<PortalDbContext> contexts, AuditLog audit, TimeProvider clock)
{
    private static readonly TimeSpan Freshness = TimeSpan.FromSeconds(30);
    private volatile Snapshot? _snapshot;

    /// <summary>Raised after a remote changed or was deleted, so caches of its content can be dropped.</summary>
    public event Action<long>? Changed;

    public async Task<IReadOnlyList<Remote>> ListAsync(CancellationToken cancellationToken) =>
        (await SnapshotAsync(cancellationToken)).Remotes;

    public async Task<Remote?> FindAsync(string name, CancellationToken cancellationToken) =>
        (await SnapshotAsync(cancellationToken)).ByName.GetValueOrDefault(name);

    public async Task<RemoteSaved> AddAsync(RemoteDefinition definition, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var errors = definition.Validate().ToList();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var name = definition.Name?.Trim() ?? "";
        if (errors.Count == 0 && await db.Remotes.AnyAsync(r => r.Name == name, cancellationToken))
        {
            errors.Add($"A remote named '{name}' already exists.");
        }

        if (errors.Count > 0)
        {
            return new RemoteSaved(false, errors);
        }

        var remote = Remote.Create(definition, actor, clock.GetUtcNow());
        db.Remotes.Add(remote);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            return new RemoteSaved(false, [$"A remote named '{name}' already exists."]);
        }

        _snapshot = null;
        await audit.RecordAsync(AuditActorKind.Person, actor, AuditActions.RemoteAdded, remote.Name, null, Describe(remote), cancellationToken);
        return new RemoteSaved(true, [], remote);
    }

    public async Task<RemoteSaved> UpdateAsync(long id, RemoteDefinition definition, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var errors = definition.Validate().ToList();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var remote = await db.Remotes.SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (remote is null)
        {
            return new RemoteSaved(false, ["The remote no longer exists."]);
        }

        var name = definition.Name?.Trim() ?? "";
        if (errors.Count == 0 && await db.Remotes.AnyAsync(r => r.Name == name && r.Id != id, cancellationToken))
        {
            errors.Add($"A remote named '{name}' already exists.");
        }

        if (errors.Count > 0)
        {
            return new RemoteSaved(false, errors);
        }

        var before = Describe(remote);
        remote.Update(definition, clock.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        _snapshot = null;
        Changed?.Invoke(remote.Id);
        await audit.RecordAsync(AuditActorKind.Person, actor, AuditActions.RemoteChanged, remote.Name, before, Describe(remote), cancellationToken);
        return new RemoteSaved(true, [], remote);
    }

    /// <summary>Deletes a remote and what the gateway remembered of its paths; kept bytes other remotes share stay.</summary>
    public async Task<bool> DeleteAsync(long id, string actor, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var remote = await db.Remotes.SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (remote is null)
        {
            return false;
        }

        await db.ContentArtifacts.Where(a => a.RemoteId == id).ExecuteDeleteAsync(cancellationToken);
        db.Remotes.Remove(remote);
        await db.SaveChangesAsync(cancellationToken);
        _snapshot = null;
        Changed?.Invoke(id);
        await audit.RecordAsync(AuditActorKind.Person, actor, AuditActions.RemoteDeleted, remote.Name, Describe(remote), null, cancellationToken);
        return true;
    }

    private static string Describe(Remote remote) =>
        $"{remote.Kind} {remote.Policy} {remote.UpstreamUrl}" + (remote.FilesUrl is null ? "" : $" files {remote.FilesUrl}")
        + $", limit {remote.MaxFileBytes:N0} bytes, read {remote.ReadAccess}"
        + (remote.AllowedPathPatterns.Count == 0 ? ", all paths" : $", paths {string.Join(" ", remote.AllowedPathPatterns)}");

    private async Task<Snapshot> SnapshotAsync(CancellationToken cancellationToken)
    {
        if (_snapshot is { } current && clock.GetUtcNow() - current.LoadedAt < Freshness)
        {
            return current;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var remotes = await db.Remotes.AsNoTracking().OrderBy(r => r.Name).ToListAsync(cancellationToken);
        var snapshot = new Snapshot(remotes, remotes.ToDictionary(r => r.Name, StringComparer.Ordinal), clock.GetUtcNow());
        _snapshot = snapshot;
        return snapshot;
    }

    private sealed record Snapshot(IReadOnlyList<Remote> Remotes, IReadOnlyDictionary<string, Remote> ByName, DateTimeOffset LoadedAt);
}
