using System.Text.Json;
using System.Text.Json.Serialization;

namespace Portal.Core.Findings.Parsers;

// Trivy Operator's VulnerabilityReport custom resource (aquasecurity.github.io/v1alpha1,
// pkg/apis/aquasecurity/v1alpha1/vulnerability_types.go) and the Kubernetes object metadata around it, as
// `kubectl get vulnerabilityreports -o json|yaml` prints them.

internal sealed record VulnerabilityReportDto
{
    // Optional because items of a typed list (VulnerabilityReportList) may leave them out; checked by the parser.
    [JsonPropertyName("apiVersion")] public string? ApiVersion { get; init; }
    [JsonPropertyName("kind")] public string? Kind { get; init; }
    [JsonPropertyName("metadata")] public KubernetesObjectMetaDto? Metadata { get; init; }
    [JsonPropertyName("report")] public required VulnerabilityReportDataDto Report { get; init; }
}

internal sealed record VulnerabilityReportListDto
{
    [JsonPropertyName("apiVersion")] public required string ApiVersion { get; init; }
    [JsonPropertyName("kind")] public required string Kind { get; init; }
    [JsonPropertyName("metadata")] public KubernetesListMetaDto? Metadata { get; init; }

    // Read item by item, so that an item of another kind is named as such rather than as a pile of unknown fields.
    [JsonPropertyName("items")] public IReadOnlyList<JsonElement>? Items { get; init; }
}

internal sealed record VulnerabilityReportDataDto
{
    [JsonPropertyName("updateTimestamp")] public string? UpdateTimestamp { get; init; }
    [JsonPropertyName("scanner")] public OperatorScannerDto? Scanner { get; init; }
    [JsonPropertyName("registry")] public OperatorRegistryDto? Registry { get; init; }
    [JsonPropertyName("artifact")] public required OperatorArtifactDto Artifact { get; init; }
    [JsonPropertyName("os")] public OperatorOsDto? OS { get; init; }
    [JsonPropertyName("summary")] public OperatorSummaryDto? Summary { get; init; }
    [JsonPropertyName("vulnerabilities")] public IReadOnlyList<OperatorVulnerabilityDto>? Vulnerabilities { get; init; }
}

internal sealed record OperatorScannerDto
{
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("vendor")] public string? Vendor { get; init; }
    [JsonPropertyName("version")] public string? Version { get; init; }
}

internal sealed record OperatorRegistryDto
{
    [JsonPropertyName("server")] public string? Server { get; init; }
}

internal sealed record OperatorArtifactDto
{
    [JsonPropertyName("repository")] public string? Repository { get; init; }
    [JsonPropertyName("digest")] public string? Digest { get; init; }
    [JsonPropertyName("tag")] public string? Tag { get; init; }
    [JsonPropertyName("mimeType")] public string? MimeType { get; init; }
}

internal sealed record OperatorOsDto
{
    [JsonPropertyName("family")] public string? Family { get; init; }
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("eosl")] public bool? Eosl { get; init; }
}

internal sealed record OperatorSummaryDto
{
    [JsonPropertyName("criticalCount")] public int? CriticalCount { get; init; }
    [JsonPropertyName("highCount")] public int? HighCount { get; init; }
    [JsonPropertyName("mediumCount")] public int? MediumCount { get; init; }
    [JsonPropertyName("lowCount")] public int? LowCount { get; init; }
    [JsonPropertyName("unknownCount")] public int? UnknownCount { get; init; }
    [JsonPropertyName("noneCount")] public int? NoneCount { get; init; }
}

internal sealed record OperatorVulnerabilityDto
{
    [JsonPropertyName("vulnerabilityID")] public required string VulnerabilityID { get; init; }
    [JsonPropertyName("resource")] public string? Resource { get; init; }
    [JsonPropertyName("installedVersion")] public string? InstalledVersion { get; init; }
    [JsonPropertyName("fixedVersion")] public string? FixedVersion { get; init; }
    [JsonPropertyName("publishedDate")] public string? PublishedDate { get; init; }
    [JsonPropertyName("lastModifiedDate")] public string? LastModifiedDate { get; init; }
    [JsonPropertyName("severity")] public string? Severity { get; init; }
    [JsonPropertyName("title")] public string? Title { get; init; }
    [JsonPropertyName("description")] public string? Description { get; init; }
    [JsonPropertyName("cvsssource")] public string? CvssSource { get; init; }
    [JsonPropertyName("primaryLink")] public string? PrimaryLink { get; init; }
    [JsonPropertyName("links")] public IReadOnlyList<string>? Links { get; init; }
    [JsonPropertyName("score")] public double? Score { get; init; }
    [JsonPropertyName("target")] public string? Target { get; init; }
    [JsonPropertyName("cvss")] public IReadOnlyDictionary<string, TrivyCvssDto>? Cvss { get; init; }
    [JsonPropertyName("class")] public string? Class { get; init; }
    [JsonPropertyName("packageType")] public string? PackageType { get; init; }
    [JsonPropertyName("packagePath")] public string? PackagePath { get; init; }
    [JsonPropertyName("packagePURL")] public string? PackagePurl { get; init; }
}

/// <summary>Kubernetes ObjectMeta (metav1), every member the API server writes.</summary>
internal sealed record KubernetesObjectMetaDto
{
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("generateName")] public string? GenerateName { get; init; }
    [JsonPropertyName("namespace")] public string? Namespace { get; init; }
    [JsonPropertyName("selfLink")] public string? SelfLink { get; init; }
    [JsonPropertyName("uid")] public string? Uid { get; init; }
    [JsonPropertyName("resourceVersion")] public string? ResourceVersion { get; init; }
    [JsonPropertyName("generation")] public long? Generation { get; init; }
    [JsonPropertyName("creationTimestamp")] public string? CreationTimestamp { get; init; }
    [JsonPropertyName("deletionTimestamp")] public string? DeletionTimestamp { get; init; }
    [JsonPropertyName("deletionGracePeriodSeconds")] public long? DeletionGracePeriodSeconds { get; init; }
    [JsonPropertyName("labels")] public IReadOnlyDictionary<string, string>? Labels { get; init; }
    [JsonPropertyName("annotations")] public IReadOnlyDictionary<string, string>? Annotations { get; init; }
    [JsonPropertyName("ownerReferences")] public IReadOnlyList<KubernetesOwnerReferenceDto>? OwnerReferences { get; init; }
    [JsonPropertyName("finalizers")] public IReadOnlyList<string>? Finalizers { get; init; }
    [JsonPropertyName("managedFields")] public IReadOnlyList<KubernetesManagedFieldsDto>? ManagedFields { get; init; }
}

internal sealed record KubernetesOwnerReferenceDto
{
    [JsonPropertyName("apiVersion")] public string? ApiVersion { get; init; }
    [JsonPropertyName("kind")] public string? Kind { get; init; }
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("uid")] public string? Uid { get; init; }
    [JsonPropertyName("controller")] public bool? Controller { get; init; }
    [JsonPropertyName("blockOwnerDeletion")] public bool? BlockOwnerDeletion { get; init; }
}

internal sealed record KubernetesManagedFieldsDto
{
    [JsonPropertyName("manager")] public string? Manager { get; init; }
    [JsonPropertyName("operation")] public string? Operation { get; init; }
    [JsonPropertyName("apiVersion")] public string? ApiVersion { get; init; }
    [JsonPropertyName("time")] public string? Time { get; init; }
    [JsonPropertyName("fieldsType")] public string? FieldsType { get; init; }

    // A field-set trie ("f:metadata": {"f:labels": {...}}) whose keys are the object's own field names: free-form.
    [JsonPropertyName("fieldsV1")] public JsonElement? FieldsV1 { get; init; }
    [JsonPropertyName("subresource")] public string? Subresource { get; init; }
}

/// <summary>Kubernetes ListMeta.</summary>
internal sealed record KubernetesListMetaDto
{
    [JsonPropertyName("selfLink")] public string? SelfLink { get; init; }
    [JsonPropertyName("resourceVersion")] public string? ResourceVersion { get; init; }
    [JsonPropertyName("continue")] public string? Continue { get; init; }
    [JsonPropertyName("remainingItemCount")] public long? RemainingItemCount { get; init; }
}
