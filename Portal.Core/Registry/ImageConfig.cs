namespace Portal.Core.Registry;

/// <summary>The parts of an image config blob the portal uses: when it was built, its labels and its platform.</summary>
public sealed record ImageConfig(
    DateTimeOffset? Created,
    IReadOnlyDictionary<string, string> Labels,
    string? Os,
    string? Architecture,
    string? Variant);
