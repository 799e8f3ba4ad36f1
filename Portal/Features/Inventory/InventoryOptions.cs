using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Portal.Core.Inventory;

namespace Portal.Features.Inventory;

/// <summary>How images are read into channels (Prod or Dev).</summary>
public sealed class InventoryOptions : IValidatableObject
{
    public const string SectionName = "Inventory";

    /// <summary>The image label that names the channel, e.g. deploymenttype=prod.</summary>
    [Required]
    public string ChannelLabel { get; set; } = ChannelSettings.Default.LabelKey;

    /// <summary>Values of <see cref="ChannelLabel"/> that mean a development build.</summary>
    public List<string> DevLabelValues { get; set; } = [.. ChannelSettings.Default.DevLabelValues];

    /// <summary>When the label is absent: a regular expression over tags that marks development builds.</summary>
    [Required]
    public string DevTagPattern { get; set; } = ChannelSettings.Default.DevTagPattern;

    /// <summary>
    /// For a registry that sends its push and delete events: how long incremental syncs may read only the repositories
    /// events named before one checks every tag again by HEAD (which catches an event lost on the way).
    /// </summary>
    public TimeSpan VerifyEvery { get; set; } = TimeSpan.FromDays(1);

    public ChannelSettings ToChannelSettings() => new(ChannelLabel, DevLabelValues, DevTagPattern);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        string? error = null;
        try
        {
            _ = new Regex(DevTagPattern, RegexOptions.None, TimeSpan.FromMilliseconds(100));
        }
        catch (ArgumentException ex)
        {
            error = $"Inventory:DevTagPattern is not a valid regular expression: {ex.Message}";
        }

        if (VerifyEvery < TimeSpan.Zero)
        {
            yield return new ValidationResult("Inventory:VerifyEvery must not be negative.", [nameof(VerifyEvery)]);
        }

        if (error is not null)
        {
            yield return new ValidationResult(error, [nameof(DevTagPattern)]);
        }
    }
}
