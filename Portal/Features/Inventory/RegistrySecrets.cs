using Microsoft.AspNetCore.DataProtection;

namespace Portal.Features.Inventory;

/// <summary>Registry passwords and tokens at rest: protected with ASP.NET Core Data Protection, readable only by the portal.</summary>
public sealed class RegistrySecrets(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("Portal.Registries.Secret.v1");

    public string? Protect(string? secret) => string.IsNullOrEmpty(secret) ? null : _protector.Protect(secret);

    public string? Unprotect(string? protectedSecret) => protectedSecret is null ? null : _protector.Unprotect(protectedSecret);
}
