namespace Portal.Features.Gateway;

public static class GatewaySetup
{
    /// <summary>The content gateway: remotes, content store, scan queue and the store-scan-forward pipeline.</summary>
    public static IHostApplicationBuilder AddContentGateway(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<GatewayOptions>()
            .BindConfiguration(GatewayOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<GatewayRemotes>();
        services.AddSingleton<RemoteSeeder>();
        services.AddSingleton<ContentStore>();
        services.AddSingleton<ScanQueue>();
        services.AddSingleton<ScannerDefinitions>();
        services.AddSingleton<SimpleIndexPages>();
        services.AddSingleton<GatewayRescan>();
        services.AddSingleton<ImmediateSync>();
        services.AddSingleton<RemoteHealth>();
        services.AddSingleton<GatewayContent>();
        services.AddSingleton(provider =>
        {
            var gateway = ActivatorUtilities.CreateInstance<ContentGateway>(provider);
            var pages = provider.GetRequiredService<SimpleIndexPages>();
            provider.GetRequiredService<GatewayRemotes>().Changed += remoteId =>
            {
                gateway.ForgetCached(remoteId);
                pages.Forget(remoteId);
            };
            return gateway;
        });

        // Redirects are followed by the gateway itself, only while they stay under the remote; no retries or overall
        // timeout from a resilience handler, since a download may rightly take minutes (Gateway:DownloadTimeoutSeconds).
        services.AddHttpClient(ContentGateway.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                AutomaticDecompression = System.Net.DecompressionMethods.None,
                ConnectTimeout = TimeSpan.FromSeconds(15),
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            });
        return builder;
    }
}
