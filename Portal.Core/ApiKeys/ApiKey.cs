using System.Security.Cryptography;
using System.Text;

namespace Portal.Core.ApiKeys;

/// <summary>What an API key may be used for.</summary>
public static class ApiKeyScopes
{
    /// <summary>POST scan reports to /api/v1/scan-reports.</summary>
    public const string ScanReportsWrite = "scan-reports:write";

    /// <summary>Read through the content gateway where a remote requires a key.</summary>
    public const string GatewayRead = "gateway:read";

    /// <summary>Upload into the content gateway.</summary>
    public const string GatewayUpload = "gateway:upload";

    /// <summary>POST a registry's push and delete events to /api/v1/registries/{id}/events.</summary>
    public const string RegistryEventsWrite = "registry-events:write";

    public static IReadOnlyList<string> All { get; } = [ScanReportsWrite, GatewayRead, GatewayUpload, RegistryEventsWrite];
}

/// <summary>
/// A key that a machine (a CI pipeline, a scanner) presents instead of signing in. Only a SHA-256 hash of the secret is
/// stored: the key is random (256 bits), so a slow password hash adds nothing, and the plain key is shown once.
/// The visible prefix identifies a key in lists and logs without revealing it.
/// </summary>
public sealed class ApiKey
{
    public const int MaxNameLength = 100;
    public const string KeyPrefix = "igp_";
    public const int VisiblePrefixLength = 12;

    private ApiKey()
    {
        Name = string.Empty;
        Prefix = string.Empty;
        Hash = string.Empty;
        Scopes = string.Empty;
        CreatedBy = string.Empty;
    }

    public long Id { get; private set; }
    public string Name { get; private set; }

    /// <summary>The first characters of the key, e.g. "igp_3fK9xQ2a", shown in lists and used to find the key.</summary>
    public string Prefix { get; private set; }
    public string Hash { get; private set; }

    /// <summary>Space-separated scopes from <see cref="ApiKeyScopes"/>.</summary>
    public string Scopes { get; private set; }
    public string CreatedBy { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? ExpiresAt { get; private set; }
    public DateTimeOffset? LastUsedAt { get; private set; }
    public DateTimeOffset? RevokedAt { get; private set; }
    public string? RevokedBy { get; private set; }

    public IReadOnlyList<string> ScopeList => Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Issues a new key; the returned plain key is the only time anyone sees it.</summary>
    public static (ApiKey Key, string PlainKey) Issue(
        string name, IEnumerable<string> scopes, string createdBy, DateTimeOffset now, DateTimeOffset? expiresAt)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        var plain = KeyPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var key = new ApiKey
        {
            Name = name.Trim(),
            Prefix = plain[..VisiblePrefixLength],
            Hash = HashOf(plain),
            Scopes = string.Join(' ', scopes.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)),
            CreatedBy = createdBy,
            CreatedAt = now,
            ExpiresAt = expiresAt,
        };
        return (key, plain);
    }

    /// <summary>The prefix a presented key would have, to look its record up; null when it cannot be one of ours.</summary>
    public static string? PrefixOf(string? presented) =>
        presented is { Length: > VisiblePrefixLength } && presented.StartsWith(KeyPrefix, StringComparison.Ordinal) && presented.Length < 200
            ? presented[..VisiblePrefixLength]
            : null;

    /// <summary>Whether a presented key is this one, usable now, with the scope asked for. Compares in fixed time.</summary>
    public bool Accepts(string presented, string scope, DateTimeOffset now) =>
        Matches(presented) && IsUsable(now) && HasScope(scope);

    /// <summary>Whether a presented key is this one (whatever its state). Compares in fixed time.</summary>
    public bool Matches(string presented)
    {
        ArgumentNullException.ThrowIfNull(presented);
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(HashOf(presented)), Encoding.ASCII.GetBytes(Hash));
    }

    public bool HasScope(string scope) => ScopeList.Contains(scope, StringComparer.Ordinal);

    public bool IsUsable(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);

    public void Used(DateTimeOffset now) => LastUsedAt = now;

    public void Revoke(string actor, DateTimeOffset now)
    {
        RevokedAt ??= now;
        RevokedBy ??= actor;
    }

    private static string HashOf(string plain) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(plain)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
