using Microsoft.Extensions.Options;

namespace Portal.Features.Gateway;

/// <summary>Adds the remotes named in configuration (Gateway:Remotes) that do not exist yet; never changes existing ones.</summary>
public sealed class RemoteSeeder(GatewayRemotes remotes, IOptions<GatewayOptions> options, ILogger<RemoteSeeder> logger)
{
    public async Task SeedAsync(CancellationToken cancellationToken)
    {
        var existing = (await remotes.ListAsync(cancellationToken)).Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var seed in options.Value.Remotes.Where(s => !existing.Contains(s.Name.Trim())))
        {
            var result = await remotes.AddAsync(seed.ToDefinition(), "configuration", cancellationToken);
            if (!result.Succeeded)
            {
                throw new OptionsValidationException(GatewayOptions.SectionName, typeof(GatewayOptions),
                    [$"Gateway:Remotes '{seed.Name}' is not valid: {string.Join(" ", result.Errors)}"]);
            }

            logger.LogInformation("Added gateway remote {Remote} for {Url} from configuration", seed.Name, seed.UpstreamUrl);
        }
    }
}
