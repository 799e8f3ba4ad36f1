using System.Text.Json;
using System.Text.Json.Serialization;

namespace Portal.Core.Findings.Parsers;

// Trivy's JSON report (`trivy image --format json`, SchemaVersion 2), as written by pkg/types/report.go and the
// fanal/trivy-db types it embeds. Every member Trivy has written since SchemaVersion 2 (v0.20) is modelled, including
// ones the portal does not use, because unknown members are rejected. Members are optional unless Trivy always
// writes them. Names match Trivy's exactly (Go field names), except the image config, which is the OCI config file.

internal sealed record TrivyReportDto
{
    public int? SchemaVersion { get; init; }
    public string? ReportID { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public string? ArtifactID { get; init; }
    public string? ArtifactName { get; init; }
    public string? ArtifactType { get; init; }
    public TrivyMetadataDto? Metadata { get; init; }
    public IReadOnlyList<TrivyResultDto>? Results { get; init; }
    public TrivyVersionDto? Trivy { get; init; }
}

internal sealed record TrivyVersionDto
{
    public string? Version { get; init; }
}

internal sealed record TrivyMetadataDto
{
    public long? Size { get; init; }
    public TrivyOsDto? OS { get; init; }

    // Container images
    public string? ImageID { get; init; }
    public IReadOnlyList<string>? DiffIDs { get; init; }
    public IReadOnlyList<string>? RepoTags { get; init; }
    public IReadOnlyList<string>? RepoDigests { get; init; }
    public string? Reference { get; init; }
    public OciImageConfigDto? ImageConfig { get; init; }
    public IReadOnlyList<TrivyLayerDto>? Layers { get; init; }

    // Git repositories (`trivy repo`)
    public string? RepoURL { get; init; }
    public string? Branch { get; init; }
    public IReadOnlyList<string>? Tags { get; init; }
    public string? Commit { get; init; }
    public string? CommitMsg { get; init; }
    public string? Author { get; init; }
    public string? Committer { get; init; }
}

internal sealed record TrivyOsDto
{
    public string? Family { get; init; }
    public string? Name { get; init; }
    public bool? EOSL { get; init; }
    public bool? Extended { get; init; }
}

internal sealed record TrivyLayerDto
{
    public long? Size { get; init; }
    public string? Digest { get; init; }
    public string? DiffID { get; init; }
    public string? CreatedBy { get; init; }
}

/// <summary>go-containerregistry's v1.ConfigFile, which Trivy copies into Metadata.ImageConfig.</summary>
internal sealed record OciImageConfigDto
{
    [JsonPropertyName("architecture")] public string? Architecture { get; init; }
    [JsonPropertyName("author")] public string? Author { get; init; }
    [JsonPropertyName("container")] public string? Container { get; init; }
    [JsonPropertyName("created")] public string? Created { get; init; }
    [JsonPropertyName("docker_version")] public string? DockerVersion { get; init; }
    [JsonPropertyName("history")] public IReadOnlyList<OciHistoryDto>? History { get; init; }
    [JsonPropertyName("os")] public string? OS { get; init; }
    [JsonPropertyName("rootfs")] public OciRootFsDto? RootFS { get; init; }
    [JsonPropertyName("config")] public OciContainerConfigDto? Config { get; init; }
    [JsonPropertyName("container_config")] public OciContainerConfigDto? ContainerConfig { get; init; }
    [JsonPropertyName("osversion")] public string? OSVersion { get; init; }
    [JsonPropertyName("os.version")] public string? OSVersionDotted { get; init; }
    [JsonPropertyName("os.features")] public IReadOnlyList<string>? OSFeatures { get; init; }
    [JsonPropertyName("variant")] public string? Variant { get; init; }
    [JsonPropertyName("throwaway")] public bool? Throwaway { get; init; }
}

internal sealed record OciHistoryDto
{
    [JsonPropertyName("author")] public string? Author { get; init; }
    [JsonPropertyName("created")] public string? Created { get; init; }
    [JsonPropertyName("created_by")] public string? CreatedBy { get; init; }
    [JsonPropertyName("comment")] public string? Comment { get; init; }
    [JsonPropertyName("empty_layer")] public bool? EmptyLayer { get; init; }
}

internal sealed record OciRootFsDto
{
    [JsonPropertyName("type")] public string? Type { get; init; }
    [JsonPropertyName("diff_ids")] public IReadOnlyList<string>? DiffIDs { get; init; }
}

internal sealed record OciContainerConfigDto
{
    public bool? AttachStderr { get; init; }
    public bool? AttachStdin { get; init; }
    public bool? AttachStdout { get; init; }
    public IReadOnlyList<string>? Cmd { get; init; }
    public OciHealthcheckDto? Healthcheck { get; init; }
    public string? Domainname { get; init; }
    public IReadOnlyList<string>? Entrypoint { get; init; }
    public IReadOnlyList<string>? Env { get; init; }
    public string? Hostname { get; init; }
    public string? Image { get; init; }
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
    public IReadOnlyList<string>? OnBuild { get; init; }
    public bool? OpenStdin { get; init; }
    public bool? StdinOnce { get; init; }
    public bool? Tty { get; init; }
    public string? User { get; init; }
    public IReadOnlyDictionary<string, EmptyDto>? Volumes { get; init; }
    public string? WorkingDir { get; init; }
    public IReadOnlyDictionary<string, EmptyDto>? ExposedPorts { get; init; }
    public bool? ArgsEscaped { get; init; }
    public bool? NetworkDisabled { get; init; }
    public string? MacAddress { get; init; }
    public string? StopSignal { get; init; }
    public IReadOnlyList<string>? Shell { get; init; }
}

internal sealed record OciHealthcheckDto
{
    public IReadOnlyList<string>? Test { get; init; }
    public long? Interval { get; init; }
    public long? Timeout { get; init; }
    public long? StartPeriod { get; init; }
    public long? StartInterval { get; init; }
    public int? Retries { get; init; }
}

/// <summary>Go's struct{} (set members such as Volumes and ExposedPorts): an object with nothing in it.</summary>
internal sealed record EmptyDto;

internal sealed record TrivyResultDto
{
    public required string Target { get; init; }
    public string? Class { get; init; }
    public string? Type { get; init; }
    public IReadOnlyList<TrivyPackageDto>? Packages { get; init; }
    public IReadOnlyList<TrivyVulnerabilityDto>? Vulnerabilities { get; init; }
    public TrivyMisconfSummaryDto? MisconfSummary { get; init; }
    public IReadOnlyList<TrivyMisconfigurationDto>? Misconfigurations { get; init; }
    public IReadOnlyList<TrivySecretDto>? Secrets { get; init; }
    public IReadOnlyList<TrivyLicenseDto>? Licenses { get; init; }
    public IReadOnlyList<TrivyCustomResourceDto>? CustomResources { get; init; }
    public IReadOnlyList<TrivyModifiedFindingDto>? ExperimentalModifiedFindings { get; init; }
}

internal sealed record TrivyPackageDto
{
    public string? ID { get; init; }
    public string? Name { get; init; }
    public TrivyPackageIdentifierDto? Identifier { get; init; }
    public string? Version { get; init; }
    public string? Release { get; init; }
    public int? Epoch { get; init; }
    public string? Arch { get; init; }
    public bool? Dev { get; init; }
    public string? SrcName { get; init; }
    public string? SrcVersion { get; init; }
    public string? SrcRelease { get; init; }
    public int? SrcEpoch { get; init; }
    public IReadOnlyList<string>? Licenses { get; init; }
    public string? Maintainer { get; init; }
    public IReadOnlyList<TrivyExternalReferenceDto>? ExternalReferences { get; init; }
    public string? Modularitylabel { get; init; }
    public TrivyBuildInfoDto? BuildInfo { get; init; }
    public bool? Indirect { get; init; }
    public string? Relationship { get; init; }
    public IReadOnlyList<string>? DependsOn { get; init; }
    public TrivyLayerDto? Layer { get; init; }
    public string? FilePath { get; init; }
    public string? Digest { get; init; }
    public IReadOnlyList<TrivyLocationDto>? Locations { get; init; }
    public IReadOnlyList<string>? InstalledFiles { get; init; }
    public string? AnalyzedBy { get; init; }
}

internal sealed record TrivyPackageIdentifierDto
{
    public string? PURL { get; init; }
    public string? UID { get; init; }
    public string? BOMRef { get; init; }
}

internal sealed record TrivyExternalReferenceDto
{
    public string? Type { get; init; }
    public string? URL { get; init; }
}

internal sealed record TrivyBuildInfoDto
{
    public IReadOnlyList<string>? ContentSets { get; init; }
    public string? Nvr { get; init; }
    public string? Arch { get; init; }
}

internal sealed record TrivyLocationDto
{
    public int? StartLine { get; init; }
    public int? EndLine { get; init; }
}

internal sealed record TrivyVulnerabilityDto
{
    public required string VulnerabilityID { get; init; }
    public IReadOnlyList<string>? VendorIDs { get; init; }
    public string? PkgID { get; init; }
    public string? PkgName { get; init; }
    public string? PkgPath { get; init; }
    public TrivyPackageIdentifierDto? PkgIdentifier { get; init; }
    public string? InstalledVersion { get; init; }
    public string? FixedVersion { get; init; }
    public string? Status { get; init; }
    public TrivyLayerDto? Layer { get; init; }
    public string? SeveritySource { get; init; }
    public string? PrimaryURL { get; init; }
    public string? Ref { get; init; }
    public TrivyDataSourceDto? DataSource { get; init; }
    public string? Fingerprint { get; init; }

    // Not supposed to be used in open-source Trivy; free-form when a build fills it.
    public JsonElement? Custom { get; init; }

    // trivy-db's Vulnerability, embedded.
    public string? Title { get; init; }
    public string? Description { get; init; }
    public string? Severity { get; init; }
    public IReadOnlyList<string>? CweIDs { get; init; }
    public IReadOnlyDictionary<string, int>? VendorSeverity { get; init; }
    public IReadOnlyDictionary<string, TrivyCvssDto>? CVSS { get; init; }
    public IReadOnlyList<string>? References { get; init; }
    public string? PublishedDate { get; init; }
    public string? LastModifiedDate { get; init; }
}

internal sealed record TrivyDataSourceDto
{
    public string? ID { get; init; }
    public string? Name { get; init; }
    public string? URL { get; init; }
    public string? BaseID { get; init; }
}

/// <summary>trivy-db's CVSS, one per vendor ("nvd", "redhat", "ghsa", ...). Trivy Operator reuses it.</summary>
internal sealed record TrivyCvssDto
{
    public string? V2Vector { get; init; }
    public string? V3Vector { get; init; }
    public string? V40Vector { get; init; }
    public double? V2Score { get; init; }
    public double? V3Score { get; init; }
    public double? V40Score { get; init; }
}

internal sealed record TrivyMisconfSummaryDto
{
    public int? Successes { get; init; }
    public int? Failures { get; init; }
    public int? Exceptions { get; init; }
}

internal sealed record TrivyMisconfigurationDto
{
    public string? Type { get; init; }
    public string? ID { get; init; }
    public string? AVDID { get; init; }
    public string? Title { get; init; }
    public string? Description { get; init; }
    public string? Message { get; init; }
    public string? Namespace { get; init; }
    public string? Query { get; init; }
    public string? Resolution { get; init; }
    public string? Severity { get; init; }
    public string? PrimaryURL { get; init; }
    public IReadOnlyList<string>? References { get; init; }
    public required string Status { get; init; }
    public TrivyLayerDto? Layer { get; init; }
    public TrivyCauseMetadataDto? CauseMetadata { get; init; }
    public IReadOnlyList<string>? Traces { get; init; }
}

internal sealed record TrivyCauseMetadataDto
{
    public string? Resource { get; init; }
    public string? Provider { get; init; }
    public string? Service { get; init; }
    public int? StartLine { get; init; }
    public int? EndLine { get; init; }
    public TrivyCodeDto? Code { get; init; }
    public IReadOnlyList<TrivyOccurrenceDto>? Occurrences { get; init; }
    public TrivyRenderedCauseDto? RenderedCause { get; init; }
}

internal sealed record TrivyOccurrenceDto
{
    public string? Resource { get; init; }
    public string? Filename { get; init; }
    public TrivyLocationDto? Location { get; init; }
}

internal sealed record TrivyRenderedCauseDto
{
    public string? Raw { get; init; }
    public string? Highlighted { get; init; }
}

internal sealed record TrivyCodeDto
{
    public IReadOnlyList<TrivyCodeLineDto>? Lines { get; init; }
}

internal sealed record TrivyCodeLineDto
{
    public int? Number { get; init; }
    public string? Content { get; init; }
    public bool? IsCause { get; init; }
    public string? Annotation { get; init; }
    public bool? Truncated { get; init; }
    public string? Highlighted { get; init; }
    public bool? FirstCause { get; init; }
    public bool? LastCause { get; init; }
}

internal sealed record TrivySecretDto
{
    public required string RuleID { get; init; }
    public string? Category { get; init; }
    public string? Severity { get; init; }
    public string? Title { get; init; }
    public int? StartLine { get; init; }
    public int? EndLine { get; init; }
    public TrivyCodeDto? Code { get; init; }
    public string? Match { get; init; }
    public TrivyLayerDto? Layer { get; init; }
    public int? Offset { get; init; }
}

internal sealed record TrivyLicenseDto
{
    public string? Severity { get; init; }
    public string? Category { get; init; }
    public string? PkgName { get; init; }
    public string? FilePath { get; init; }
    public string? Name { get; init; }
    public string? Text { get; init; }
    public double? Confidence { get; init; }
    public string? Link { get; init; }
}

internal sealed record TrivyCustomResourceDto
{
    public string? Type { get; init; }
    public string? FilePath { get; init; }
    public TrivyLayerDto? Layer { get; init; }

    // Whatever a Trivy module chose to report; free-form by design.
    public JsonElement? Data { get; init; }
}

internal sealed record TrivyModifiedFindingDto
{
    public string? Type { get; init; }
    public string? Status { get; init; }
    public string? Statement { get; init; }
    public string? Source { get; init; }

    // The suppressed finding itself; its shape depends on Type (vulnerability, misconfiguration, secret, license).
    public JsonElement? Finding { get; init; }
}
