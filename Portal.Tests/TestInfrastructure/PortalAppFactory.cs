using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Portal.Core.Jobs;
using Portal.Features.Jobs;

namespace Portal.Tests.TestInfrastructure;

/// <summary>
/// The real portal in memory, on a SQLite file of its own (or the PostgreSQL given in settings), with a test
/// authentication scheme in front of the real policies and an identity provider whose metadata is given up
/// front, so a browser-style challenge is a real redirect without any network.
/// </summary>
public sealed class PortalAppFactory : WebApplicationFactory<Program>
{
    public const string ProviderAuthorizeEndpoint = "https://login.example.test/tenant/oauth2/v2.0/authorize";

    /// <summary>A Quartz cron expression whose first firing is in 2099.</summary>
    public const string NeverBeforeTheTestsEnd = "0 0 0 1 1 ? 2099";

    private readonly TempDirectory _directory = new("portal-app");
    private readonly Dictionary<string, string?> _settings;

    public PortalAppFactory()
        : this(null)
    {
    }

    private PortalAppFactory(IDictionary<string, string?>? settings)
    {
        _settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["AzureAd:Instance"] = "https://login.example.test/",
            ["AzureAd:TenantId"] = "tenant",
            ["AzureAd:ClientId"] = "portal-tests",
            ["AzureAd:ClientSecret"] = "not-a-secret",
            ["ConnectionStrings:Portal"] = $"Data Source={_directory.File("portal.db")}",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:Console:FormatterName"] = "simple",
        };
        // Only a test starts a job: a shipped schedule firing mid-test (a sync at :00 and :30, and the scans it
        // triggers) would add runs the test did not ask for. A test that needs a schedule sets its own.
        foreach (var job in JobCatalog.All)
        {
            _settings[$"Jobs:Schedules:{job.Name}"] = NeverBeforeTheTestsEnd;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
    }

    /// <summary>A portal with these settings on top of the test defaults.</summary>
    public static PortalAppFactory WithSettings(IDictionary<string, string?> settings) => new(settings);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, TestAuthHandler>(TestAuthHandler.SchemeName, _ => { });
            services.PostConfigure<AuthenticationOptions>(options => options.DefaultAuthenticateScheme = TestAuthHandler.SchemeName);
            services.PostConfigure<OpenIdConnectOptions>(OpenIdConnectDefaults.AuthenticationScheme, options =>
            {
                options.Configuration = new OpenIdConnectConfiguration
                {
                    Issuer = "https://login.example.test/tenant/v2.0",
                    AuthorizationEndpoint = ProviderAuthorizeEndpoint,
                    TokenEndpoint = "https://login.example.test/tenant/oauth2/v2.0/token",
                    EndSessionEndpoint = "https://login.example.test/tenant/oauth2/v2.0/logout",
                };
                options.ConfigurationManager = new StaticConfigurationManager<OpenIdConnectConfiguration>(options.Configuration);
            });
        });
    }

    /// <summary>Jobs run on Quartz's threads: waits (bounded) for the latest run of <paramref name="jobName"/> to end.</summary>
    public async Task<JobRunView> WaitForFinishedRunAsync(string jobName)
    {
        using var scope = Services.CreateScope();
        var overview = scope.ServiceProvider.GetRequiredService<JobsOverview>();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            var runs = await overview.RecentRunsAsync(jobName, 1, TestContext.Current.CancellationToken);
            if (runs is [{ Status: not JobRunStatus.Running } run])
            {
                return run;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        throw new TimeoutException($"The {jobName} job did not finish within 30 seconds.");
    }

    /// <summary>A client that does not follow redirects, so tests see the portal's own answer.</summary>
    public HttpClient CreatePortalClient() =>
        CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }
}
