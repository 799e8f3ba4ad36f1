using Microsoft.AspNetCore.DataProtection;
using Portal.Core.Inventory;

namespace Portal.Features.Inventory;

/// <summary>Registry passwords and tokens at rest: protected with ASP.NET Core Data Protection, readable only by the portal.</summary>
public sealed class RegistrySecrets(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("Portal.Registries.Secret.v1");

    public string? Protect(string? secret) => string.IsNullOrEmpty(secret) ? null : _protector.Protect(secret);

    public string? Unprotect(string? protectedSecret) => protectedSecret is null ? null : _protector.Unprotect(protectedSecret);

    /// <summary>How to reach <paramref name="registry"/>, with its secret unprotected for the client.</summary>
    public RegistryEndpoint EndpointFor(ImageRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return new RegistryEndpoint(new Uri(registry.Url), registry.Username, Unprotect(registry.ProtectedSecret),
            registry.AllowInsecure, registry.MaxConcurrency);
    }
}
