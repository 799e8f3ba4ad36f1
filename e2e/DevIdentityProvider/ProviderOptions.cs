namespace DevIdentityProvider;

public sealed class ProviderOptions
{
    public const string SectionName = "Provider";

    private const string DefaultBaseUrl = "http://127.0.0.1:5081";

    public string? BaseUrl { get; set; }

    public string TenantId { get; set; } = "7f0d1c2e-5a4b-4c3d-9e8f-0a1b2c3d4e5f";

    // Lists carry no defaults in code: the configuration binder appends to existing items,
    // so an index-based override such as Clients:0:RedirectUris:0 would add instead of replace.
    public List<ClientOptions> Clients { get; set; } = [];

    public List<UserOptions> Users { get; set; } = [];

    // Entra issues tokens as "{authority}/{tenant}/v2.0"; Microsoft.Identity.Web relies on that shape.
    public string Issuer => $"{BaseUrl}/{TenantId}/v2.0";

    // Relative paths: OpenIddict resolves them against the request's base address (not the issuer),
    // which puts them at the site root next to the tenant segment, as in Entra.
    public string ConfigurationPath => $"{TenantId}/v2.0/.well-known/openid-configuration";

    public string AuthorizePath => $"{TenantId}/oauth2/v2.0/authorize";

    public string TokenPath => $"{TenantId}/oauth2/v2.0/token";

    public string LogoutPath => $"{TenantId}/oauth2/v2.0/logout";

    public string KeysPath => $"{TenantId}/discovery/v2.0/keys";

    public static ProviderOptions Load(IConfiguration configuration)
    {
        var options = configuration.GetSection(SectionName).Get<ProviderOptions>() ?? new ProviderOptions();
        options.BaseUrl = (string.IsNullOrWhiteSpace(options.BaseUrl) ? ListeningUrl(configuration) : options.BaseUrl).TrimEnd('/');
        return options;
    }

    // A port change usually arrives through --urls alone; following it keeps the issuer
    // pointing at the address the provider really listens on.
    private static string ListeningUrl(IConfiguration configuration)
    {
        var urls = configuration["urls"]?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return urls is [var single]
            && Uri.TryCreate(single, UriKind.Absolute, out var uri)
            && uri.Host is not ("0.0.0.0" or "[::]")
            ? uri.GetLeftPart(UriPartial.Authority)
            : DefaultBaseUrl;
    }

    public UserOptions? FindUser(string userName) =>
        Users.Find(u => string.Equals(u.UserName, userName, StringComparison.OrdinalIgnoreCase));

    public UserOptions? FindUserByObjectId(string objectId) =>
        Users.Find(u => string.Equals(u.ObjectId, objectId, StringComparison.OrdinalIgnoreCase));
}

public sealed class ClientOptions
{
    public string ClientId { get; set; } = "";

    public string ClientSecret { get; set; } = "";

    public string DisplayName { get; set; } = "";

    public List<string> RedirectUris { get; set; } = [];

    public List<string> PostLogoutRedirectUris { get; set; } = [];
}

public sealed class UserOptions
{
    public string UserName { get; set; } = "";

    public string Password { get; set; } = "";

    public string DisplayName { get; set; } = "";

    public string ObjectId { get; set; } = "";

    public List<string> Roles { get; set; } = [];
}
