using Microsoft.EntityFrameworkCore;
using Portal.Core.ApiKeys;
using Portal.Core.Auditing;
using Portal.Data;
using Portal.Features.Audit;

namespace Portal.Features.ApiKeys;

/// <summary>An API key as Settings lists it: never the key itself, only its visible prefix.</summary>
public sealed record ApiKeyView(
    long Id, string Name, string Prefix, IReadOnlyList<string> Scopes, string CreatedBy, DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);

/// <summary>The outcome of creating a key: the plain key (shown once) or what is wrong with the request.</summary>
public sealed record ApiKeyCreated(bool Succeeded, IReadOnlyList<string> Errors, ApiKeyView? Key = null, string? PlainKey = null);

/// <summary>Why a presented key was not accepted, so the API can answer 401 or 403 accordingly.</summary>
public enum ApiKeyCheck
{
    Accepted,
    Missing,
    Invalid,
    WrongScope,
}

/// <summary>Admins create, list and revoke API keys; machines present them. Every change is audited, never the key.</summary>
public sealed class ApiKeyManagement(IDbContextFactory<PortalDbContext> contexts, AuditLog audit, TimeProvider clock)
{
    public const int MaxLifetimeDays = 366;

    public async Task<IReadOnlyList<ApiKeyView>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var keys = await db.ApiKeys.AsNoTracking().OrderBy(k => k.Name).ThenBy(k => k.Id).ToListAsync(cancellationToken);
        return keys.Select(View).ToList();
    }

    public async Task<ApiKeyCreated> CreateAsync(
        string? name, IReadOnlyCollection<string> scopes, DateTimeOffset? expiresAt, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        var now = clock.GetUtcNow();
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(name))
        {
            errors.Add("A name is required, so the key can be recognised later.");
        }
        else if (name.Trim().Length > ApiKey.MaxNameLength)
        {
            errors.Add($"The name is longer than {ApiKey.MaxNameLength} characters.");
        }

        if (scopes.Count == 0)
        {
            errors.Add("Choose at least one scope.");
        }

        errors.AddRange(scopes.Where(s => !ApiKeyScopes.All.Contains(s)).Select(s => $"'{s}' is not a scope. Scopes: {string.Join(", ", ApiKeyScopes.All)}."));
        if (expiresAt is { } expiry && (expiry <= now || expiry > now.AddDays(MaxLifetimeDays)))
        {
            errors.Add($"The expiry must be in the future and at most {MaxLifetimeDays} days away.");
        }

        if (errors.Count > 0)
        {
            return new ApiKeyCreated(false, errors);
        }

        var (key, plain) = ApiKey.Issue(name!, scopes, actor, now, expiresAt);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(cancellationToken);
        await audit.RecordAsync(AuditActorKind.Person, actor, AuditActions.ApiKeyCreated, key.Name, null,
            $"{key.Prefix}… scopes {key.Scopes}" + (expiresAt is null ? "" : $", expires {expiresAt:yyyy-MM-dd}"), cancellationToken);
        return new ApiKeyCreated(true, [], View(key), plain);
    }

    public async Task<bool> RevokeAsync(long id, string actor, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var key = await db.ApiKeys.SingleOrDefaultAsync(k => k.Id == id, cancellationToken);
        if (key is null || key.RevokedAt is not null)
        {
            return false;
        }

        key.Revoke(actor, clock.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        await audit.RecordAsync(AuditActorKind.Person, actor, AuditActions.ApiKeyRevoked, key.Name, $"{key.Prefix}…", "revoked", cancellationToken);
        return true;
    }

    /// <summary>Checks a presented key for a scope; the key's name is returned for the history when it is accepted.</summary>
    public async Task<(ApiKeyCheck Check, string? KeyName)> CheckAsync(string? presented, string scope, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(presented))
        {
            return (ApiKeyCheck.Missing, null);
        }

        if (ApiKey.PrefixOf(presented) is not { } prefix)
        {
            return (ApiKeyCheck.Invalid, null);
        }

        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var key = await db.ApiKeys.SingleOrDefaultAsync(k => k.Prefix == prefix, cancellationToken);
        // Revoked and expired keys are as good as unknown ones (401); a valid key without the scope is a 403.
        if (key is null || !key.Matches(presented) || !key.IsUsable(now))
        {
            return (ApiKeyCheck.Invalid, null);
        }

        if (!key.HasScope(scope))
        {
            return (ApiKeyCheck.WrongScope, key.Name);
        }

        // Touching the row on every call would make each report a write; once a minute tells admins enough.
        if (key.LastUsedAt is null || now - key.LastUsedAt > TimeSpan.FromMinutes(1))
        {
            key.Used(now);
            await db.SaveChangesAsync(cancellationToken);
        }

        return (ApiKeyCheck.Accepted, key.Name);
    }

    private static ApiKeyView View(ApiKey key) =>
        new(key.Id, key.Name, key.Prefix, key.ScopeList, key.CreatedBy, key.CreatedAt, key.ExpiresAt, key.LastUsedAt, key.RevokedAt);
}
