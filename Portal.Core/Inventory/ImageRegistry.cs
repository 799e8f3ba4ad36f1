namespace Portal.Core.Inventory;

/// <summary>
/// A configured OCI Distribution endpoint. Credentials are optional: the client answers whatever the registry
/// asks for (Basic, or the Bearer token challenge) with them. The secret is kept only in protected form.
/// </summary>
public sealed class ImageRegistry
{
    public const int MaxNameLength = 100;
    public const int MaxUrlLength = 500;
    public const int MaxConcurrencyLimit = 32;

    private ImageRegistry()
    {
        Name = string.Empty;
        Url = string.Empty;
    }

    public int Id { get; private set; }
    public string Name { get; private set; }
    public string Url { get; private set; }
    public string? Username { get; private set; }

    /// <summary>The password or token, encrypted with ASP.NET Core Data Protection; never shown back.</summary>
    public string? ProtectedSecret { get; private set; }

    /// <summary>Artifactory's repository key, when Xray paths name it (default/KEY/image/tag).</summary>
    public string? ArtifactoryRepositoryKey { get; private set; }

    /// <summary>Plain http or unchecked TLS; only ever allowed for a registry on this machine.</summary>
    public bool AllowInsecure { get; private set; }

    public int MaxConcurrency { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? LastSyncedAt { get; private set; }

    /// <summary>
    /// The registry sends the portal its push and delete events (Distribution's notifications, ACR or Harbor webhooks):
    /// an incremental sync then reads only the repositories named since, and checks every tag by HEAD once per
    /// verification interval, which catches an event that was lost.
    /// </summary>
    public bool FollowsEvents { get; private set; }

    /// <summary>When a sync last checked every tag (a full sync, or an incremental one by HEAD).</summary>
    public DateTimeOffset? LastVerifiedAt { get; private set; }

    /// <summary>When the registry last sent an event.</summary>
    public DateTimeOffset? LastEventAt { get; private set; }

    /// <summary>How a registry's URL appears in image references: its host and non-default port, Docker Hub by one name.</summary>
    public static string ReferenceHostOf(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return url.ToLowerInvariant();
        }

        var host = uri.Authority.ToLowerInvariant();
        return host is "index.docker.io" or "registry-1.docker.io" ? Registry.ImageReference.DockerHub : host;
    }

    public bool HasSecret => ProtectedSecret is not null;

    public static ImageRegistry Create(
        string name, Uri url, string? username, string? protectedSecret, string? artifactoryRepositoryKey,
        bool allowInsecure, int maxConcurrency, DateTimeOffset now)
    {
        var registry = new ImageRegistry { CreatedAt = now };
        registry.Update(name, url, username, artifactoryRepositoryKey, allowInsecure, maxConcurrency);
        registry.ProtectedSecret = protectedSecret;
        return registry;
    }

    public void Update(string name, Uri url, string? username, string? artifactoryRepositoryKey, bool allowInsecure, int maxConcurrency)
    {
        var errors = Validate(name, url, allowInsecure, maxConcurrency);
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors));
        }

        Name = name.Trim();
        Url = url.GetLeftPart(UriPartial.Path).TrimEnd('/');
        Username = string.IsNullOrWhiteSpace(username) ? null : username.Trim();
        ArtifactoryRepositoryKey = string.IsNullOrWhiteSpace(artifactoryRepositoryKey) ? null : artifactoryRepositoryKey.Trim();
        AllowInsecure = allowInsecure;
        MaxConcurrency = maxConcurrency;
    }

    public void ReplaceSecret(string? protectedSecret) => ProtectedSecret = protectedSecret;

    public void MarkSynced(DateTimeOffset now, bool checkedEveryTag)
    {
        LastSyncedAt = now;
        if (checkedEveryTag)
        {
            LastVerifiedAt = now;
        }
    }

    public void FollowEvents(bool follows) => FollowsEvents = follows;

    public void EventsReceived(DateTimeOffset now) => LastEventAt = now;

    /// <summary>Whether an incremental sync may rely on events: they are sent, and every tag was checked recently enough.</summary>
    public bool CanSyncByEvents(DateTimeOffset now, TimeSpan verifyEvery) =>
        FollowsEvents && LastVerifiedAt is { } verified && now - verified < verifyEvery;

    /// <summary>Every rule a registry's settings must meet, as messages a person can act on.</summary>
    public static IReadOnlyList<string> Validate(string? name, Uri? url, bool allowInsecure, int maxConcurrency)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(name) || name.Trim().Length > MaxNameLength)
        {
            errors.Add($"A name of 1 to {MaxNameLength} characters is required.");
        }

        if (url is null || !url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            errors.Add("The URL must be an absolute http or https URL, e.g. https://registry.example.com.");
        }
        else
        {
            if (url.ToString().Length > MaxUrlLength)
            {
                errors.Add($"The URL is longer than {MaxUrlLength} characters.");
            }

            if (!string.IsNullOrEmpty(url.UserInfo) || !string.IsNullOrEmpty(url.Query) || !string.IsNullOrEmpty(url.Fragment))
            {
                errors.Add("The URL must not carry credentials, a query or a fragment; put credentials in their own fields.");
            }

            if (allowInsecure && !url.IsLoopback)
            {
                errors.Add("Insecure connections are allowed only for a registry on this machine (localhost, 127.0.0.1 or ::1).");
            }

            if (url.Scheme == Uri.UriSchemeHttp && !allowInsecure)
            {
                errors.Add("Plain http needs the insecure option, which only a registry on this machine may use.");
            }
        }

        if (maxConcurrency < 1 || maxConcurrency > MaxConcurrencyLimit)
        {
            errors.Add($"Concurrency must be between 1 and {MaxConcurrencyLimit}.");
        }

        return errors;
    }
}
