using System.Text.Json;
using System.Text.Json.Serialization;

namespace Portal.Core.Findings.Parsers;

// Harbor's pluggable scanner spec, HarborVulnerabilityReport (scanner-adapter-openapi v1.1/v1.2): the body of
// `application/vnd.security.vulnerability.report; version=1.1`, which shares its schema with the older
// `application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0`. Members Harbor core and the Trivy adapter
// add beyond the spec (artifact digests of an index, the layer) are modelled too.

internal sealed record HarborReportDto
{
    [JsonPropertyName("generated_at")] public string? GeneratedAt { get; init; }
    [JsonPropertyName("artifact")] public HarborArtifactDto? Artifact { get; init; }
    [JsonPropertyName("scanner")] public HarborScannerDto? Scanner { get; init; }
    [JsonPropertyName("severity")] public string? Severity { get; init; }
    [JsonPropertyName("vulnerabilities")] public IReadOnlyList<HarborVulnerabilityDto>? Vulnerabilities { get; init; }
}

internal sealed record HarborArtifactDto
{
    [JsonPropertyName("repository")] public string? Repository { get; init; }
    [JsonPropertyName("digest")] public string? Digest { get; init; }
    [JsonPropertyName("tag")] public string? Tag { get; init; }
    [JsonPropertyName("mime_type")] public string? MimeType { get; init; }
}

internal sealed record HarborScannerDto
{
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("vendor")] public string? Vendor { get; init; }
    [JsonPropertyName("version")] public string? Version { get; init; }
}

internal sealed record HarborVulnerabilityDto
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("package")] public string? Package { get; init; }
    [JsonPropertyName("version")] public string? Version { get; init; }
    [JsonPropertyName("fix_version")] public string? FixVersion { get; init; }
    [JsonPropertyName("severity")] public string? Severity { get; init; }
    [JsonPropertyName("description")] public string? Description { get; init; }
    [JsonPropertyName("links")] public IReadOnlyList<string>? Links { get; init; }

    // Harbor 1.x core wrote this member without a JSON tag, so under its Go name.
    [JsonPropertyName("Links")] public IReadOnlyList<string>? LegacyLinks { get; init; }
    [JsonPropertyName("layer")] public HarborLayerDto? Layer { get; init; }
    [JsonPropertyName("preferred_cvss")] public HarborCvssDto? PreferredCvss { get; init; }
    [JsonPropertyName("cwe_ids")] public IReadOnlyList<string>? CweIds { get; init; }

    // "additionalProperties: true" in the spec: each scanner puts its own data here.
    [JsonPropertyName("vendor_attributes")] public IReadOnlyDictionary<string, JsonElement>? VendorAttributes { get; init; }
    [JsonPropertyName("artifact_digest")] public string? ArtifactDigest { get; init; }
    [JsonPropertyName("artifact_digests")] public IReadOnlyList<string>? ArtifactDigests { get; init; }
}

internal sealed record HarborLayerDto
{
    [JsonPropertyName("digest")] public string? Digest { get; init; }
    [JsonPropertyName("diff_id")] public string? DiffId { get; init; }
}

/// <summary>The spec's CVSSDetails.</summary>
internal sealed record HarborCvssDto
{
    [JsonPropertyName("score_v3")] public double? ScoreV3 { get; init; }
    [JsonPropertyName("score_v2")] public double? ScoreV2 { get; init; }
    [JsonPropertyName("vector_v3")] public string? VectorV3 { get; init; }
    [JsonPropertyName("vector_v2")] public string? VectorV2 { get; init; }
}
