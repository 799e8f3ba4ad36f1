using System.ComponentModel.DataAnnotations;

namespace Portal.Features.Admission;

/// <summary>The admission webhook: TLS, links in messages, how often the in-memory view is rebuilt, and what the generated webhook configuration says.</summary>
public sealed class AdmissionOptions
{
    public const string SectionName = "Admission";

    /// <summary>
    /// The API server only calls webhooks over HTTPS. When true, the review endpoint answers only requests that arrived
    /// over HTTPS and is not offered over plain http at all (404), so it is never reachable unauthenticated in clear
    /// text. Set false only when a proxy in front of the portal terminates the API server's TLS.
    /// </summary>
    public bool RequireTls { get; set; } = true;

    /// <summary>The view is rebuilt at once after changes, and at least this often so nothing stays stale.</summary>
    [Range(1, 1440)]
    public int RefreshMinutes { get; set; } = 5;

    /// <summary>The largest review accepted; the API server limits objects to about 1.5 MiB.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 3 * 1024 * 1024;

    public AdmissionTlsOptions Tls { get; set; } = new();

    public AdmissionWebhookOptions Webhook { get; set; } = new();
}

/// <summary>The certificate the portal serves the webhook with (PEM files, e.g. from cert-manager), on a port of its own.</summary>
public sealed class AdmissionTlsOptions
{
    /// <summary>The server certificate (PEM); empty: no HTTPS listener is added (TLS terminated elsewhere, or no webhook).</summary>
    public string? CertificatePath { get; set; }

    /// <summary>Its private key (PEM); empty when the key is in the certificate file.</summary>
    public string? KeyPath { get; set; }

    /// <summary>The CA that signed it, for the caBundle; empty: the certificate itself (self-signed).</summary>
    public string? CaCertificatePath { get; set; }

    [Range(1, 65535)]
    public int Port { get; set; } = 8443;
}

/// <summary>What the generated ValidatingWebhookConfiguration says; admins can change the choices on the Settings tab before copying.</summary>
public sealed class AdmissionWebhookOptions
{
    [RegularExpression("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")]
    public string Name { get; set; } = "image-governance-portal";

    public string? ServiceName { get; set; } = "image-governance-portal";
    public string? ServiceNamespace { get; set; } = "image-governance";

    [Range(1, 65535)]
    public int ServicePort { get; set; } = 443;

    /// <summary>When set, the configuration calls this URL instead of the in-cluster service.</summary>
    [Url]
    public string? Url { get; set; }

    [Range(1, 30)]
    public int TimeoutSeconds { get; set; } = 5;

    [RegularExpression("^(Fail|Ignore)$")]
    public string FailurePolicy { get; set; } = "Fail";
}
