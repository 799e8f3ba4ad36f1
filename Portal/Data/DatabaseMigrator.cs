using Microsoft.Extensions.Options;
using Portal.Features.Inventory;
using Portal.Jobs;

namespace Portal.Data;

/// <summary>
/// Brings the database up to date when the portal starts: after options are validated (so a wrong setting is
/// reported as such) and before the job scheduler starts (so no job meets a missing table). Then adds the
/// registries and gateway remotes configuration names.
/// </summary>
internal sealed class DatabaseMigrator(IServiceProvider services) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await services.MigratePortalDatabaseAsync(cancellationToken);
        await services.RecoverInterruptedJobRunsAsync(cancellationToken);
        if (services.GetRequiredService<IOptions<DatabaseOptions>>().Value.MigrateOnStartup)
        {
            await services.GetRequiredService<RegistrySeeder>().SeedAsync(cancellationToken);
            await services.GetRequiredService<Features.Gateway.RemoteSeeder>().SeedAsync(cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
