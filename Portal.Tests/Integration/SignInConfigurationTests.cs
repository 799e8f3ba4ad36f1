using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Portal.Hosting;
using Portal.Security;

namespace Portal.Tests.Integration;

/// <summary>
/// The plain-http relaxations for the local identity provider exist only when configuration asks for them; the
/// shipped configuration never does, and a provider off this machine is never relaxed.
/// </summary>
public sealed class SignInConfigurationTests
{
    private const string Tenant = "7f0d1c2e-5a4b-4c3d-9e8f-0a1b2c3d4e5f";

    [Fact]
    public void ShippedConfigurationRequiresHttpsMetadataAndValidatesIssuerTheEntraWay()
    {
        using var factory = Portal(environment: "Production", new()
        {
            ["AzureAd:TenantId"] = Tenant,
            ["AzureAd:ClientId"] = "portal",
            ["AzureAd:ClientSecret"] = "secret",
        });

        var local = factory.Services.GetRequiredService<IOptions<LocalProviderOptions>>().Value;
        var oidc = factory.Services.GetRequiredService<IOptionsMonitor<OpenIdConnectOptions>>().Get(OpenIdConnectDefaults.AuthenticationScheme);

        local.AllowInsecureLocalProvider.ShouldBeFalse();
        oidc.RequireHttpsMetadata.ShouldBeTrue();
        oidc.Authority.ShouldStartWith("https://login.microsoftonline.com/");
        oidc.TokenValidationParameters.ValidIssuer.ShouldBeNull();
    }

    [Fact]
    public void LocalStackSettingsRelaxHttpsOnlyForTheLoopbackProvider()
    {
        using var factory = Portal(environment: "Local", LocalProvider("http://127.0.0.1:5081/", allowInsecure: true));

        var oidc = factory.Services.GetRequiredService<IOptionsMonitor<OpenIdConnectOptions>>().Get(OpenIdConnectDefaults.AuthenticationScheme);

        oidc.RequireHttpsMetadata.ShouldBeFalse();
        oidc.TokenValidationParameters.ValidIssuer.ShouldBe($"http://127.0.0.1:5081/{Tenant}/v2.0");
        oidc.TokenValidationParameters.IssuerValidator!($"http://127.0.0.1:5081/{Tenant}/v2.0", null!, null!)
            .ShouldBe($"http://127.0.0.1:5081/{Tenant}/v2.0");
        Should.Throw<Exception>(() => oidc.TokenValidationParameters.IssuerValidator!("http://127.0.0.1:9999/other/v2.0", null!, null!));
    }

    [Fact]
    public void PlainHttpProviderIsRefusedAtStartWithoutTheLocalSetting()
    {
        var error = StartupValidationError(LocalProvider("http://127.0.0.1:5081/", allowInsecure: false));

        error.Message.ShouldContain("AzureAd:Instance 'http://127.0.0.1:5081/' must use https");
    }

    [Fact]
    public void PlainHttpProviderOffThisMachineIsRefusedEvenWithTheLocalSetting()
    {
        var error = StartupValidationError(LocalProvider("http://login.example.org/", allowInsecure: true));

        error.Message.ShouldContain("must use https");
    }

    [Fact]
    public void MissingClientIdStopsThePortalWithAMessageNamingTheSetting()
    {
        var error = StartupValidationError(new() { ["AzureAd:TenantId"] = Tenant });

        error.Message.ShouldContain("AzureAd:ClientId is required");
    }

    private static Dictionary<string, string?> LocalProvider(string instance, bool allowInsecure) => new()
    {
        ["AzureAd:Instance"] = instance,
        ["AzureAd:TenantId"] = Tenant,
        ["AzureAd:ClientId"] = "portal-local",
        ["AzureAd:ClientSecret"] = "portal-local-secret",
        ["Authentication:AllowInsecureLocalProvider"] = allowInsecure ? "true" : "false",
    };

    /// <summary>
    /// What ValidateOnStart reports for these settings on top of the repository's appsettings.json, using the portal's
    /// own configuration loading and sign-in registration. (Asking a host that fails to start races its disposal.)
    /// </summary>
    private static OptionsValidationException StartupValidationError(Dictionary<string, string?> settings)
    {
        var root = RepositorySettings.FindSettingsDirectory(AppContext.BaseDirectory)!;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = "Production",
            ContentRootPath = Path.Combine(root, "Portal"),
        });
        builder.AddRepositorySettings();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddPortalAuthentication();
        using var app = builder.Build();
        return Should.Throw<OptionsValidationException>(() => app.Services.GetRequiredService<IOptions<EntraOptions>>().Value);
    }

    /// <summary>The portal with the repository's own appsettings.json and only the given settings on top.</summary>
    private static WebApplicationFactory<Program> Portal(string environment, Dictionary<string, string?> settings)
    {
        var database = Path.Combine(Path.GetTempPath(), $"portal-config-{Guid.NewGuid():N}.db");
        settings["ConnectionStrings:Portal"] = $"Data Source={database}";
                return new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment(environment);
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        });
    }
}
