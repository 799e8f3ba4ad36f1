using System.ComponentModel.DataAnnotations;

namespace Portal.Security;

/// <summary>
/// The <c>AzureAd</c> section as the portal checks it at start-up. Microsoft.Identity.Web reads the same
/// section; this class exists so a wrong setting stops the portal with a message naming the setting.
/// </summary>
public sealed class EntraOptions : IValidatableObject
{
    public const string SectionName = "AzureAd";

    [Required(ErrorMessage = "AzureAd:Instance is required (for Entra ID: https://login.microsoftonline.com/).")]
    public string? Instance { get; set; }

    [Required(ErrorMessage = "AzureAd:TenantId is required.")]
    public string? TenantId { get; set; }

    [Required(ErrorMessage = "AzureAd:ClientId is required.")]
    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    public string? ResponseType { get; set; }

    /// <summary>Set only by the local stack: see <see cref="LocalProviderOptions"/>.</summary>
    internal bool AllowInsecureLocalProvider { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Uri.TryCreate(Instance, UriKind.Absolute, out var instance))
        {
            yield return new ValidationResult($"AzureAd:Instance '{Instance}' is not an absolute URL.", [nameof(Instance)]);
            yield break;
        }

        if (instance.Scheme != Uri.UriSchemeHttps && !(AllowInsecureLocalProvider && instance.IsLoopback))
        {
            yield return new ValidationResult(
                $"AzureAd:Instance '{Instance}' must use https. Plain http is allowed only for a provider on loopback "
                + "when Authentication:AllowInsecureLocalProvider is true (the local stack sets it).",
                [nameof(Instance)]);
        }

        if (string.Equals(ResponseType, "code", StringComparison.OrdinalIgnoreCase) && string.IsNullOrWhiteSpace(ClientSecret))
        {
            yield return new ValidationResult("AzureAd:ClientSecret is required when AzureAd:ResponseType is 'code'.", [nameof(ClientSecret)]);
        }
    }
}

/// <summary>
/// Relaxations for a local OpenID Connect provider over plain http. Off unless configuration turns them on;
/// the shipped appsettings.json never does.
/// </summary>
public sealed class LocalProviderOptions
{
    public const string SectionName = "Authentication";

    public bool AllowInsecureLocalProvider { get; set; }
}
