using System.Text.Json;
using System.Text.Json.Serialization;

namespace Portal.Core.Findings.Parsers;

// JFrog Xray's three shapes the portal reads: the webhook payload a policy rule posts (schema_version 1.1, and the
// older payload without schema_version), the violations API (POST /api/v1/violations, and the rows of a violations or
// vulnerabilities report from the Reports API), and the artifact summary API (POST /api/v1/summary/artifact).

// ---- shared ----

/// <summary>
/// A CVE as Xray lists it. The webhook and summary APIs write "score/vector" strings (cvss_v3 "9.8/CVSS:3.0/AV:N/..."),
/// the Reports API separate score and vector members.
/// </summary>
internal sealed record XrayCveDto
{
    [JsonPropertyName("cve")] public string? Cve { get; init; }
    [JsonPropertyName("cwe")] public IReadOnlyList<string>? Cwe { get; init; }
    [JsonPropertyName("cvss_v2")] public string? CvssV2 { get; init; }
    [JsonPropertyName("cvss_v3")] public string? CvssV3 { get; init; }
    [JsonPropertyName("cvss_v2_score")] public double? CvssV2Score { get; init; }
    [JsonPropertyName("cvss_v2_vector")] public string? CvssV2Vector { get; init; }
    [JsonPropertyName("cvss_v3_score")] public double? CvssV3Score { get; init; }
    [JsonPropertyName("cvss_v3_vector")] public string? CvssV3Vector { get; init; }
}

/// <summary>JFrog Security research data (Xray 3.42.3 and later).</summary>
internal sealed record XrayExtendedInformationDto
{
    [JsonPropertyName("short_description")] public string? ShortDescription { get; init; }
    [JsonPropertyName("full_description")] public string? FullDescription { get; init; }
    [JsonPropertyName("jfrog_research_severity")] public string? JfrogResearchSeverity { get; init; }
    [JsonPropertyName("jfrog_research_severity_reasons")] public IReadOnlyList<XraySeverityReasonDto>? JfrogResearchSeverityReasons { get; init; }
    [JsonPropertyName("remediation")] public string? Remediation { get; init; }
}

internal sealed record XraySeverityReasonDto
{
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("description")] public string? Description { get; init; }
    [JsonPropertyName("is_positive")] public bool? IsPositive { get; init; }
}

/// <summary>An artifact a webhook issue (or a detailed violation) impacts, with the files in it that carry the issue.</summary>
internal sealed record XrayImpactedArtifactDto
{
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("display_name")] public string? DisplayName { get; init; }
    [JsonPropertyName("path")] public string? Path { get; init; }
    [JsonPropertyName("pkg_type")] public string? PkgType { get; init; }
    [JsonPropertyName("sha256")] public string? Sha256 { get; init; }
    [JsonPropertyName("sha1")] public string? Sha1 { get; init; }
    [JsonPropertyName("depth")] public int? Depth { get; init; }
    [JsonPropertyName("parent_sha")] public string? ParentSha { get; init; }
    [JsonPropertyName("infected_files")] public IReadOnlyList<XrayInfectedFileDto>? InfectedFiles { get; init; }

    // Payloads before schema 1.1 carried a single file.
    [JsonPropertyName("infected_file")] public XrayInfectedFileDto? InfectedFile { get; init; }
}

internal sealed record XrayInfectedFileDto
{
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("path")] public string? Path { get; init; }
    [JsonPropertyName("sha256")] public string? Sha256 { get; init; }
    [JsonPropertyName("depth")] public int? Depth { get; init; }
    [JsonPropertyName("parent_sha")] public string? ParentSha { get; init; }
    [JsonPropertyName("display_name")] public string? DisplayName { get; init; }
    [JsonPropertyName("pkg_type")] public string? PkgType { get; init; }
}

// ---- webhook ----

internal sealed record XrayWebhookDto
{
    [JsonPropertyName("schema_version")] public string? SchemaVersion { get; init; }
    [JsonPropertyName("alert_id")] public string? AlertId { get; init; }
    [JsonPropertyName("created")] public string? Created { get; init; }
    [JsonPropertyName("top_severity")] public string? TopSeverity { get; init; }
    [JsonPropertyName("watch_name")] public string? WatchName { get; init; }
    [JsonPropertyName("policy_name")] public string? PolicyName { get; init; }
    [JsonPropertyName("policy_rule")] public string? PolicyRule { get; init; }
    [JsonPropertyName("issues")] public required IReadOnlyList<XrayWebhookIssueDto> Issues { get; init; }
}

internal sealed record XrayWebhookIssueDto
{
    [JsonPropertyName("vulnerability_id")] public string? VulnerabilityId { get; init; }
    [JsonPropertyName("issue_id")] public string? IssueId { get; init; }
    [JsonPropertyName("severity")] public string? Severity { get; init; }
    [JsonPropertyName("type")] public string? Type { get; init; }
    [JsonPropertyName("provider")] public string? Provider { get; init; }
    [JsonPropertyName("created")] public string? Created { get; init; }
    [JsonPropertyName("summary")] public string? Summary { get; init; }
    [JsonPropertyName("description")] public string? Description { get; init; }
    [JsonPropertyName("cve")] public string? Cve { get; init; }
    [JsonPropertyName("cves")] public IReadOnlyList<XrayCveDto>? Cves { get; init; }
    [JsonPropertyName("impacted_artifacts")] public IReadOnlyList<XrayImpactedArtifactDto>? ImpactedArtifacts { get; init; }
}

// ---- violations API ----

/// <summary>POST /api/v1/violations.</summary>
internal sealed record XrayViolationsDto
{
    [JsonPropertyName("total_violations")] public long? TotalViolations { get; init; }
    [JsonPropertyName("violations")] public required IReadOnlyList<XrayViolationDto> Violations { get; init; }
}

internal sealed record XrayViolationDto
{
    [JsonPropertyName("violation_id")] public string? ViolationId { get; init; }
    [JsonPropertyName("description")] public string? Description { get; init; }
    [JsonPropertyName("summary")] public string? Summary { get; init; }
    [JsonPropertyName("severity")] public string? Severity { get; init; }
    [JsonPropertyName("type")] public string? Type { get; init; }
    [JsonPropertyName("provider")] public string? Provider { get; init; }
    [JsonPropertyName("infected_components")] public IReadOnlyList<string>? InfectedComponents { get; init; }
    [JsonPropertyName("infected_versions")] public IReadOnlyList<string>? InfectedVersions { get; init; }
    [JsonPropertyName("fix_versions")] public IReadOnlyList<string>? FixVersions { get; init; }
    [JsonPropertyName("created")] public string? Created { get; init; }
    [JsonPropertyName("updated")] public string? Updated { get; init; }
    [JsonPropertyName("watch_name")] public string? WatchName { get; init; }
    [JsonPropertyName("watch_id")] public string? WatchId { get; init; }
    [JsonPropertyName("policy_name")] public string? PolicyName { get; init; }
    [JsonPropertyName("rule_name")] public string? RuleName { get; init; }
    [JsonPropertyName("matched_policies")] public IReadOnlyList<XrayMatchedPolicyDto>? MatchedPolicies { get; init; }
    [JsonPropertyName("issue_id")] public string? IssueId { get; init; }
    [JsonPropertyName("violation_details_url")] public string? ViolationDetailsUrl { get; init; }

    // Storage paths ("default/docker-local/app/v1/") in the list response; objects like the webhook's in details.
    [JsonPropertyName("impacted_artifacts")] public IReadOnlyList<JsonElement>? ImpactedArtifacts { get; init; }
    [JsonPropertyName("properties")] public IReadOnlyList<XrayCveDto>? Properties { get; init; }
    [JsonPropertyName("references")] public IReadOnlyList<string>? References { get; init; }
    [JsonPropertyName("extended_information")] public XrayExtendedInformationDto? ExtendedInformation { get; init; }
}

internal sealed record XrayMatchedPolicyDto
{
    [JsonPropertyName("policy")] public string? Policy { get; init; }
    [JsonPropertyName("rule")] public string? Rule { get; init; }
    [JsonPropertyName("is_blocking")] public bool? IsBlocking { get; init; }
}

/// <summary>Reports API content (POST /api/v1/reports/violations/{id} and /reports/vulnerabilities/{id}).</summary>
internal sealed record XrayReportRowsDto
{
    [JsonPropertyName("total_rows")] public long? TotalRows { get; init; }
    [JsonPropertyName("rows")] public required IReadOnlyList<XrayReportRowDto> Rows { get; init; }
}

internal sealed record XrayReportRowDto
{
    [JsonPropertyName("type")] public string? Type { get; init; }
    [JsonPropertyName("vulnerable_component")] public string? VulnerableComponent { get; init; }
    [JsonPropertyName("impacted_artifact")] public string? ImpactedArtifact { get; init; }
    [JsonPropertyName("path")] public string? Path { get; init; }
    [JsonPropertyName("watch_id")] public string? WatchId { get; init; }
    [JsonPropertyName("watch_name")] public string? WatchName { get; init; }
    [JsonPropertyName("policy_names")] public IReadOnlyList<string>? PolicyNames { get; init; }
    [JsonPropertyName("summary")] public string? Summary { get; init; }
    [JsonPropertyName("description")] public string? Description { get; init; }
    [JsonPropertyName("severity")] public string? Severity { get; init; }
    [JsonPropertyName("package_type")] public string? PackageType { get; init; }
    [JsonPropertyName("issue_id")] public string? IssueId { get; init; }
    [JsonPropertyName("provider")] public string? Provider { get; init; }
    [JsonPropertyName("updated")] public string? Updated { get; init; }
    [JsonPropertyName("published")] public string? Published { get; init; }
    [JsonPropertyName("artifact_scan_time")] public string? ArtifactScanTime { get; init; }
    [JsonPropertyName("references")] public IReadOnlyList<string>? References { get; init; }
    [JsonPropertyName("cves")] public IReadOnlyList<XrayCveDto>? Cves { get; init; }
    [JsonPropertyName("cvss2_max_score")] public double? Cvss2MaxScore { get; init; }
    [JsonPropertyName("cvss3_max_score")] public double? Cvss3MaxScore { get; init; }
    [JsonPropertyName("fixed_versions")] public IReadOnlyList<string>? FixedVersions { get; init; }
}

// ---- artifact summary API ----

internal sealed record XraySummaryDto
{
    [JsonPropertyName("artifacts")] public required IReadOnlyList<XraySummaryArtifactDto> Artifacts { get; init; }
    [JsonPropertyName("errors")] public IReadOnlyList<XraySummaryErrorDto>? Errors { get; init; }
}

internal sealed record XraySummaryErrorDto
{
    [JsonPropertyName("identifier")] public string? Identifier { get; init; }
    [JsonPropertyName("error")] public string? Error { get; init; }
}

internal sealed record XraySummaryArtifactDto
{
    [JsonPropertyName("general")] public required XraySummaryGeneralDto General { get; init; }
    [JsonPropertyName("issues")] public IReadOnlyList<XraySummaryIssueDto>? Issues { get; init; }
    [JsonPropertyName("licenses")] public IReadOnlyList<XraySummaryLicenseDto>? Licenses { get; init; }
    [JsonPropertyName("operational_risks")] public IReadOnlyList<XrayOperationalRiskDto>? OperationalRisks { get; init; }
    [JsonPropertyName("error")] public string? Error { get; init; }
}

internal sealed record XraySummaryGeneralDto
{
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("component_id")] public string? ComponentId { get; init; }
    [JsonPropertyName("pkg_type")] public string? PkgType { get; init; }
    [JsonPropertyName("path")] public string? Path { get; init; }
    [JsonPropertyName("sha256")] public string? Sha256 { get; init; }
}

internal sealed record XraySummaryIssueDto
{
    [JsonPropertyName("issue_id")] public string? IssueId { get; init; }
    [JsonPropertyName("summary")] public string? Summary { get; init; }
    [JsonPropertyName("description")] public string? Description { get; init; }
    [JsonPropertyName("issue_type")] public string? IssueType { get; init; }
    [JsonPropertyName("severity")] public string? Severity { get; init; }
    [JsonPropertyName("provider")] public string? Provider { get; init; }
    [JsonPropertyName("cves")] public IReadOnlyList<XrayCveDto>? Cves { get; init; }
    [JsonPropertyName("created")] public string? Created { get; init; }
    [JsonPropertyName("impact_path")] public IReadOnlyList<string>? ImpactPath { get; init; }
    [JsonPropertyName("applicability")] public IReadOnlyList<XrayApplicabilityDto>? Applicability { get; init; }
    [JsonPropertyName("applicability_details")] public IReadOnlyList<XrayApplicabilityDetailDto>? ApplicabilityDetails { get; init; }
    [JsonPropertyName("component_physical_paths")] public IReadOnlyList<string>? ComponentPhysicalPaths { get; init; }
    [JsonPropertyName("extended_information")] public XrayExtendedInformationDto? ExtendedInformation { get; init; }
}

internal sealed record XrayApplicabilityDto
{
    [JsonPropertyName("scanner_available")] public bool? ScannerAvailable { get; init; }
    [JsonPropertyName("component_id")] public string? ComponentId { get; init; }
    [JsonPropertyName("source_comp_id")] public string? SourceCompId { get; init; }
    [JsonPropertyName("cve_id")] public string? CveId { get; init; }
    [JsonPropertyName("scan_status")] public int? ScanStatus { get; init; }
    [JsonPropertyName("applicability")] public bool? Applicability { get; init; }
    [JsonPropertyName("scanner_explanation")] public string? ScannerExplanation { get; init; }
    [JsonPropertyName("evidence")] public IReadOnlyList<XrayEvidenceDto>? Evidence { get; init; }
    [JsonPropertyName("info")] public string? Info { get; init; }
    [JsonPropertyName("details")] public IReadOnlyList<XrayApplicabilityFileDto>? Details { get; init; }
}

internal sealed record XrayEvidenceDto
{
    [JsonPropertyName("column_names")] public IReadOnlyList<string>? ColumnNames { get; init; }
    [JsonPropertyName("rows")] public IReadOnlyList<IReadOnlyList<IReadOnlyList<string>>>? Rows { get; init; }
}

internal sealed record XrayApplicabilityFileDto
{
    [JsonPropertyName("file_path")] public string? FilePath { get; init; }
    [JsonPropertyName("details")] public string? Details { get; init; }
}

internal sealed record XrayApplicabilityDetailDto
{
    [JsonPropertyName("component_id")] public string? ComponentId { get; init; }
    [JsonPropertyName("source_comp_id")] public string? SourceCompId { get; init; }
    [JsonPropertyName("vulnerability_id")] public string? VulnerabilityId { get; init; }
    [JsonPropertyName("result")] public string? Result { get; init; }
}

internal sealed record XraySummaryLicenseDto
{
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("full_name")] public string? FullName { get; init; }
    [JsonPropertyName("more_info_url")] public IReadOnlyList<string>? MoreInfoUrl { get; init; }
    [JsonPropertyName("components")] public IReadOnlyList<string>? Components { get; init; }
}

internal sealed record XrayOperationalRiskDto
{
    [JsonPropertyName("component_id")] public string? ComponentId { get; init; }
    [JsonPropertyName("risk")] public string? Risk { get; init; }
    [JsonPropertyName("risk_reason")] public string? RiskReason { get; init; }
    [JsonPropertyName("is_eol")] public bool? IsEol { get; init; }
    [JsonPropertyName("eol_message")] public string? EolMessage { get; init; }
    [JsonPropertyName("latest_version")] public string? LatestVersion { get; init; }
    [JsonPropertyName("newer_versions")] public int? NewerVersions { get; init; }
    [JsonPropertyName("cadence")] public double? Cadence { get; init; }
    [JsonPropertyName("commits")] public long? Commits { get; init; }
    [JsonPropertyName("committers")] public int? Committers { get; init; }
    [JsonPropertyName("released")] public string? Released { get; init; }
}
