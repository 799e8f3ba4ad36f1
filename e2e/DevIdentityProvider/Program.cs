using DevIdentityProvider;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

// Start scripts may launch the built assembly from any working directory; appsettings.json sits beside it.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory,
});

// Read once: the issuer and endpoint paths are fixed for the lifetime of the process anyway.
var provider = ProviderOptions.Load(builder.Configuration);
builder.Services.AddSingleton(provider);

// A fresh file per run: nothing survives a restart, which is what a test identity provider wants.
var databaseDirectory = Directory.CreateTempSubdirectory("dev-identity-provider-");
var databasePath = Path.Combine(databaseDirectory.FullName, "store.db");
builder.Services.AddDbContext<ProviderDbContext>(options =>
{
    options.UseSqlite($"Data Source={databasePath}");
    options.UseOpenIddict();
});

builder.Services
    .AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
    .AddCookie(options =>
    {
        // Cookies ignore ports, so on 127.0.0.1 the portal would otherwise read and overwrite this cookie.
        options.Cookie.Name = "devidp.session";
        options.LoginPath = SignInPage.Path;
        options.ExpireTimeSpan = TimeSpan.FromHours(8);
        options.SlidingExpiration = true;
    });
builder.Services.AddAntiforgery(options => options.Cookie.Name = "devidp.antiforgery");

// Sessions should not outlive the process, like the store and the signing keys.
builder.Services.AddDataProtection().UseEphemeralDataProtectionProvider();

builder.Services.AddOpenIddict()
    .AddCore(options => options.UseEntityFrameworkCore().UseDbContext<ProviderDbContext>())
    .AddServer(options =>
    {
        options.SetIssuer(new Uri(provider.Issuer, UriKind.Absolute))
            .SetConfigurationEndpointUris(provider.ConfigurationPath)
            .SetAuthorizationEndpointUris(provider.AuthorizePath)
            .SetTokenEndpointUris(provider.TokenPath)
            .SetEndSessionEndpointUris(provider.LogoutPath)
            .SetJsonWebKeySetEndpointUris(provider.KeysPath);

        options.AllowAuthorizationCodeFlow()
            .RequireProofKeyForCodeExchange()
            .AllowImplicitFlow()
            .AllowHybridFlow()
            .AllowRefreshTokenFlow();

        // Microsoft.Identity.Web asks for "openid profile offline_access" by default.
        options.RegisterScopes(Scopes.OpenId, Scopes.Profile, Scopes.Email, Scopes.Roles, Scopes.OfflineAccess);
        options.RegisterClaims(
            Claims.Subject, "oid", "tid", Claims.Name, Claims.PreferredUsername, Claims.Email, "roles");

        // Keys live only as long as the process; clients re-read the JWKS after a restart.
        options.AddEphemeralEncryptionKey()
            .AddEphemeralSigningKey()
            .DisableAccessTokenEncryption();

        options.UseAspNetCore()
            .EnableAuthorizationEndpointPassthrough()
            .EnableTokenEndpointPassthrough()
            .EnableEndSessionEndpointPassthrough()
            // The local stack and browser tests talk plain http on the loopback address.
            .DisableTransportSecurityRequirement();
    });

var app = builder.Build();

await ClientRegistration.RegisterClientsAsync(app.Services, provider);
app.Lifetime.ApplicationStopped.Register(() =>
{
    SqliteConnection.ClearAllPools();
    databaseDirectory.Delete(recursive: true);
});

app.UseAuthentication();

app.MapGet("/health", () => Results.Text("ok"));
app.MapAuthorizationEndpoints(provider);
app.MapLogoutEndpoint(provider);
app.MapSignInPage();

app.Logger.LogInformation(
    "Development identity provider for tenant {TenantId}; issuer {Issuer}; discovery {Discovery}",
    provider.TenantId, provider.Issuer, $"{provider.BaseUrl}/{provider.ConfigurationPath}");

await app.RunAsync();
