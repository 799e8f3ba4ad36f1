using Microsoft.Extensions.Options;
using Portal.Core.Auditing;
using Portal.Integrations.Registry;

namespace Portal.Features.Inventory;

/// <summary>Adds the registries named in configuration (Registries:Seed) that do not exist yet; never changes existing ones.</summary>
public sealed class RegistrySeeder(RegistryManagement registries, IOptions<RegistryOptions> options, ILogger<RegistrySeeder> logger)
{
    public const string Actor = "system:configuration";

    public async Task SeedAsync(CancellationToken cancellationToken)
    {
        var existing = (await registries.ListAsync(cancellationToken)).Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var seed in options.Value.Seed.Where(s => !existing.Contains(s.Name.Trim())))
        {
            var result = await registries.AddAsync(
                new RegistryInput(seed.Name, seed.Url, seed.Username, seed.Secret, seed.ArtifactoryRepositoryKey, seed.AllowInsecure, seed.MaxConcurrency),
                Actor, cancellationToken, AuditActorKind.System);
            if (!result.Succeeded)
            {
                throw new OptionsValidationException(RegistryOptions.SectionName, typeof(RegistryOptions),
                    [$"Registries:Seed '{seed.Name}' is not valid: {string.Join(" ", result.Errors)}"]);
            }

            logger.LogInformation("Added registry {Registry} at {Url} from configuration", seed.Name, seed.Url);
        }
    }
}
