using Microsoft.EntityFrameworkCore;
using Portal.Core.Auditing;
using Portal.Core.Inventory;
using Portal.Data;
using Portal.Features.Audit;

namespace Portal.Features.Inventory;

/// <summary>A registry as the Settings page shows it: never with its secret, only whether one is stored.</summary>
public sealed record RegistryView(
    int Id, string Name, string Url, string? Username, bool HasSecret, string? ArtifactoryRepositoryKey,
    bool AllowInsecure, int MaxConcurrency, DateTimeOffset? LastSyncedAt, int Repositories, int Tags,
    bool FollowsEvents = false, DateTimeOffset? LastEventAt = null, DateTimeOffset? LastVerifiedAt = null);

/// <summary>What an admin submits. A null <see cref="Secret"/> on edit keeps the stored one; an empty string clears it.</summary>
/// <param name="FollowsEvents">The registry sends its push and delete events to the portal (see <see cref="ImageRegistry.FollowsEvents"/>).</param>
public sealed record RegistryInput(
    string Name, string Url, string? Username, string? Secret, string? ArtifactoryRepositoryKey, bool AllowInsecure, int MaxConcurrency,
    bool FollowsEvents = false);

public sealed record RegistryResult(bool Succeeded, IReadOnlyList<string> Errors, int? Id = null)
{
    public static RegistryResult Invalid(params string[] errors) => new(false, errors);
}

/// <summary>Adds, edits, tests and deletes registries; every change is audited without the secret.</summary>
public sealed class RegistryManagement(
    IDbContextFactory<PortalDbContext> contexts,
    RegistrySecrets secrets,
    IRegistryClientFactory clients,
    AuditLog audit,
    TimeProvider clock)
{
    public async Task<IReadOnlyList<RegistryView>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var registries = await db.Registries.AsNoTracking().OrderBy(r => r.Name).ToListAsync(cancellationToken);
        var repositoryCounts = await db.Repositories.Where(r => r.GoneAt == null).GroupBy(r => r.RegistryId)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
        var tagCounts = await (
                from tag in db.Tags
                join repository in db.Repositories on tag.RepositoryId equals repository.Id
                where tag.GoneAt == null
                group tag by repository.RegistryId into g
                select new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
        return registries.Select(r => new RegistryView(r.Id, r.Name, r.Url, r.Username, r.HasSecret, r.ArtifactoryRepositoryKey,
            r.AllowInsecure, r.MaxConcurrency, r.LastSyncedAt, repositoryCounts.GetValueOrDefault(r.Id), tagCounts.GetValueOrDefault(r.Id),
            r.FollowsEvents, r.LastEventAt, r.LastVerifiedAt)).ToList();
    }

    public async Task<RegistryResult> AddAsync(
        RegistryInput input, string actor, CancellationToken cancellationToken, AuditActorKind actorKind = AuditActorKind.Person)
    {
        if (Validate(input, out var url) is { Count: > 0 } errors)
        {
            return new RegistryResult(false, errors);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await db.Registries.AnyAsync(r => r.Name == input.Name.Trim(), cancellationToken))
        {
            return RegistryResult.Invalid($"A registry named '{input.Name.Trim()}' already exists.");
        }

        var registry = ImageRegistry.Create(input.Name, url!, input.Username, secrets.Protect(input.Secret), input.ArtifactoryRepositoryKey,
            input.AllowInsecure, input.MaxConcurrency, clock.GetUtcNow());
        registry.FollowEvents(input.FollowsEvents);
        db.Registries.Add(registry);
        await db.SaveChangesAsync(cancellationToken);
        await audit.RecordAsync(actorKind, actor, "registry.added", registry.Name, after: Describe(registry),
            cancellationToken: cancellationToken);
        return new RegistryResult(true, [], registry.Id);
    }

    public async Task<RegistryResult> UpdateAsync(int id, RegistryInput input, string actor, CancellationToken cancellationToken)
    {
        if (Validate(input, out var url) is { Count: > 0 } errors)
        {
            return new RegistryResult(false, errors);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var registry = await db.Registries.SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (registry is null)
        {
            return RegistryResult.Invalid("That registry no longer exists.");
        }

        if (await db.Registries.AnyAsync(r => r.Id != id && r.Name == input.Name.Trim(), cancellationToken))
        {
            return RegistryResult.Invalid($"A registry named '{input.Name.Trim()}' already exists.");
        }

        var before = Describe(registry);
        registry.Update(input.Name, url!, input.Username, input.ArtifactoryRepositoryKey, input.AllowInsecure, input.MaxConcurrency);
        registry.FollowEvents(input.FollowsEvents);
        if (input.Secret is not null)
        {
            registry.ReplaceSecret(secrets.Protect(input.Secret));
        }

        await db.SaveChangesAsync(cancellationToken);
        await audit.RecordAsync(AuditActorKind.Person, actor, "registry.updated", registry.Name, before, Describe(registry),
            cancellationToken);
        return new RegistryResult(true, [], registry.Id);
    }

    public async Task<bool> DeleteAsync(int id, string actor, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var registry = await db.Registries.SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (registry is null)
        {
            return false;
        }

        // Its inventory goes with it: tags first, because tags point at images.
        var repositoryIds = db.Repositories.Where(r => r.RegistryId == id).Select(r => r.Id);
        await db.Tags.Where(t => repositoryIds.Contains(t.RepositoryId)).ExecuteDeleteAsync(cancellationToken);
        await db.Images.Where(i => repositoryIds.Contains(i.RepositoryId) && i.ParentId != null).ExecuteDeleteAsync(cancellationToken);
        await db.Images.Where(i => repositoryIds.Contains(i.RepositoryId)).ExecuteDeleteAsync(cancellationToken);
        db.Registries.Remove(registry);
        await db.SaveChangesAsync(cancellationToken);
        await audit.RecordAsync(AuditActorKind.Person, actor, "registry.deleted", registry.Name, before: Describe(registry),
            cancellationToken: cancellationToken);
        return true;
    }

    /// <summary>Pings the registry and reads its catalog's first page with the given (or stored) settings.</summary>
    public async Task<string> TestConnectionAsync(int? id, RegistryInput input, CancellationToken cancellationToken)
    {
        if (Validate(input, out var url) is { Count: > 0 } errors)
        {
            return string.Join(" ", errors);
        }

        var secret = input.Secret;
        if (secret is null && id is not null)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            secret = secrets.Unprotect(await db.Registries.Where(r => r.Id == id).Select(r => r.ProtectedSecret).SingleOrDefaultAsync(cancellationToken));
        }

        var client = clients.Create(new RegistryEndpoint(url!, NullIfBlank(input.Username), NullIfBlank(secret), input.AllowInsecure, 1));
        try
        {
            await client.PingAsync(cancellationToken);
            var repositories = await client.ListRepositoriesAsync(cancellationToken);
            return $"Connected: the catalog lists {repositories.Count} repositories.";
        }
        catch (RegistryException ex)
        {
            return $"Failed: {ex.Message}";
        }
        finally
        {
            (client as IDisposable)?.Dispose();
        }
    }

    private static List<string> Validate(RegistryInput input, out Uri? url)
    {
        Uri.TryCreate(input.Url?.Trim(), UriKind.Absolute, out url);
        return [.. ImageRegistry.Validate(input.Name, url, input.AllowInsecure, input.MaxConcurrency)];
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static string Describe(ImageRegistry r) =>
        System.Text.Json.JsonSerializer.Serialize(new
        {
            r.Name, r.Url, r.Username, secret = r.HasSecret ? "set" : "none", r.ArtifactoryRepositoryKey, r.AllowInsecure, r.MaxConcurrency, r.FollowsEvents,
        });
}
