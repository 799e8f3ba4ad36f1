using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using Portal.Api;
using Portal.Core.Admission;

namespace Portal.Features.Admission;

/// <summary>The choices behind a generated webhook configuration; the Settings tab starts from the configured ones.</summary>
public sealed record WebhookChoices(
    string Name, bool UseService, string? ServiceName, string? ServiceNamespace, int ServicePort, string? Url, int TimeoutSeconds, string FailurePolicy);

/// <summary>
/// Writes the ValidatingWebhookConfiguration for the cluster: pods on CREATE and UPDATE (and ephemeral containers),
/// admissionReviewVersions v1, sideEffects None (the decision log is the portal's own, not the cluster's), the CA
/// bundle of the certificate the portal serves, and a namespace selector that leaves out the exempt namespaces, so
/// the API server does not even call for them (the portal ignores them too, for namespaces added later).
/// </summary>
public sealed class WebhookConfigurationGenerator(IOptions<AdmissionOptions> options)
{
    public WebhookChoices Defaults()
    {
        var webhook = options.Value.Webhook;
        return new WebhookChoices(webhook.Name, string.IsNullOrWhiteSpace(webhook.Url), webhook.ServiceName, webhook.ServiceNamespace, webhook.ServicePort,
            webhook.Url, webhook.TimeoutSeconds, webhook.FailurePolicy);
    }

    /// <summary>The CA bundle (base64 of the PEM), or null when no certificate is configured.</summary>
    public string? CaBundle()
    {
        var tls = options.Value.Tls;
        var path = string.IsNullOrWhiteSpace(tls.CaCertificatePath) ? tls.CertificatePath : tls.CaCertificatePath;
        return string.IsNullOrWhiteSpace(path) || !File.Exists(path) ? null : Convert.ToBase64String(File.ReadAllBytes(path));
    }

    public string Generate(WebhookChoices choices, AdmissionPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(choices);
        ArgumentNullException.ThrowIfNull(policy);
        var yaml = new StringBuilder();
        yaml.AppendLine("apiVersion: admissionregistration.k8s.io/v1");
        yaml.AppendLine("kind: ValidatingWebhookConfiguration");
        yaml.AppendLine("metadata:");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"  name: {choices.Name}");
        yaml.AppendLine("webhooks:");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"  - name: pods.{choices.Name}.portal");
        yaml.AppendLine("    admissionReviewVersions: [\"v1\"]");
        yaml.AppendLine("    sideEffects: None");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"    failurePolicy: {choices.FailurePolicy}");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"    timeoutSeconds: {choices.TimeoutSeconds}");
        yaml.AppendLine("    matchPolicy: Equivalent");
        yaml.AppendLine("    clientConfig:");
        if (choices.UseService)
        {
            yaml.AppendLine("      service:");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"        name: {choices.ServiceName}");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"        namespace: {choices.ServiceNamespace}");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"        port: {choices.ServicePort}");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"        path: {AdmissionEndpoints.ValidatePath}");
        }
        else
        {
            yaml.AppendLine(CultureInfo.InvariantCulture, $"      url: {Quote(choices.Url?.TrimEnd('/') + AdmissionEndpoints.ValidatePath)}");
        }

        yaml.AppendLine(CultureInfo.InvariantCulture, $"      caBundle: {CaBundle() ?? "\"\" # set Admission:Tls:CertificatePath (or CaCertificatePath) to fill this in"}");
        yaml.AppendLine("    rules:");
        yaml.AppendLine("      - apiGroups: [\"\"]");
        yaml.AppendLine("        apiVersions: [\"v1\"]");
        yaml.AppendLine("        operations: [\"CREATE\", \"UPDATE\"]");
        yaml.AppendLine("        resources: [\"pods\", \"pods/ephemeralcontainers\"]");
        yaml.AppendLine("        scope: Namespaced");
        if (policy.ExemptNamespaces.Count > 0)
        {
            // kubernetes.io/metadata.name is set on every namespace by the API server (1.21 and later).
            yaml.AppendLine("    namespaceSelector:");
            yaml.AppendLine("      matchExpressions:");
            yaml.AppendLine("        - key: kubernetes.io/metadata.name");
            yaml.AppendLine("          operator: NotIn");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"          values: [{string.Join(", ", policy.ExemptNamespaces.Select(Quote))}]");
        }

        return yaml.ToString();
    }

    private static string Quote(string? text) => "\"" + (text ?? "").Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
