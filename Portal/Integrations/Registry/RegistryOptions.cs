using System.ComponentModel.DataAnnotations;

namespace Portal.Integrations.Registry;

/// <summary>How the portal talks to registries, and registries to add on first start.</summary>
public sealed class RegistryOptions
{
    public const string SectionName = "Registries";

    /// <summary>The page size asked for with ?n= on _catalog and tags/list; registries may answer with fewer.</summary>
    [Range(1, 10_000, ErrorMessage = "Registries:PageSize must be between 1 and 10000.")]
    public int PageSize { get; set; } = 1_000;

    /// <summary>Seconds one request may take before it is retried (twice at most).</summary>
    [Range(1, 600, ErrorMessage = "Registries:RequestTimeoutSeconds must be between 1 and 600.")]
    public int RequestTimeoutSeconds { get; set; } = 30;

    /// <summary>Registries added when none with the same name exists yet (credentials from configuration or secrets).</summary>
    public List<SeedRegistry> Seed { get; set; } = [];
}

public sealed class SeedRegistry
{
    [Required]
    public string Name { get; set; } = "";

    [Required]
    public string Url { get; set; } = "";

    public string? Username { get; set; }
    public string? Secret { get; set; }
    public string? ArtifactoryRepositoryKey { get; set; }
    public bool AllowInsecure { get; set; }
    public int MaxConcurrency { get; set; } = 4;
}
