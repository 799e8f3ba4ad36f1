using System.ComponentModel.DataAnnotations;

namespace Portal.Operations;

public enum TelemetryExporter
{
    None,
    Console,
    Otlp,
}

public sealed class TelemetryOptions : IValidatableObject
{
    public const string SectionName = "Telemetry";

    public TelemetryExporter Exporter { get; set; } = TelemetryExporter.None;

    /// <summary>The OTLP collector, e.g. http://otel-collector:4317; required when Exporter is Otlp.</summary>
    public string? OtlpEndpoint { get; set; }

    [Required]
    public string ServiceName { get; set; } = "image-governance-portal";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Exporter == TelemetryExporter.Otlp && !Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out _))
        {
            yield return new ValidationResult(
                $"Telemetry:OtlpEndpoint '{OtlpEndpoint}' must be an absolute URL when Telemetry:Exporter is Otlp.",
                [nameof(OtlpEndpoint)]);
        }
    }
}
