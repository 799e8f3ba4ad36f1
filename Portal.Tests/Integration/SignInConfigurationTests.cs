using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
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
        var error = Should.Throw<OptionsValidationException>(() =>
        {
            using var factory = Portal(environment: "Production", LocalProvider("http://127.0.0.1:5081/", allowInsecure: false));
            _ = factory.Services;
        });

        error.Message.ShouldContain("AzureAd:Instance 'http://127.0.0.1:5081/' must use https");
    }

    [Fact]
    public void PlainHttpProviderOffThisMachineIsRefusedEvenWithTheLocalSetting()
    {
        var error = Should.Throw<OptionsValidationException>(() =>
        {
            using var factory = Portal(environment: "Production", LocalProvider("http://login.example.org/", allowInsecure: true));
            _ = factory.Services;
        });

        error.Message.ShouldContain("must use https");
    }

    [Fact]
    public void MissingClientIdStopsThePortalWithAMessageNamingTheSetting()
    {
        var error = Should.Throw<OptionsValidationException>(() =>
        {
            using var factory = Portal(environment: "Production", new() { ["AzureAd:TenantId"] = Tenant });
            _ = factory.Services;
        });

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
