using Microsoft.Extensions.Http.Resilience;
using Portal.Core.Inventory;

namespace Portal.Integrations.Registry;

public static class RegistrySetup
{
    /// <summary>The OCI Distribution client: pooled HttpClients with retries and timeouts, one for trusted TLS, one for loopback-only insecure use.</summary>
    public static IHostApplicationBuilder AddRegistryIntegration(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<RegistryOptions>()
            .BindConfiguration(RegistryOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        var timeout = TimeSpan.FromSeconds(builder.Configuration.GetValue($"{RegistryOptions.SectionName}:RequestTimeoutSeconds", 30));

        services.AddHttpClient(RegistryClientFactory.HttpClientName)
            .AddStandardResilienceHandler(options => Configure(options, timeout));
        services.AddHttpClient(RegistryClientFactory.InsecureHttpClientName)
#pragma warning disable CA5359 // Only ever used for a registry on this machine (checked when the client is made).
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
            })
#pragma warning restore CA5359
            .AddStandardResilienceHandler(options => Configure(options, timeout));

        services.AddSingleton<IRegistryClientFactory, RegistryClientFactory>();
        return builder;
    }

    private static void Configure(HttpStandardResilienceOptions options, TimeSpan attemptTimeout)
    {
        options.Retry.MaxRetryAttempts = 2;
        options.Retry.Delay = TimeSpan.FromMilliseconds(200);
        options.AttemptTimeout.Timeout = attemptTimeout;
        options.TotalRequestTimeout.Timeout = attemptTimeout * 4;
        options.CircuitBreaker.SamplingDuration = attemptTimeout * 2;
    }
}
