using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace Portal.Features.Admission;

public static class AdmissionSetup
{
    /// <summary>
    /// The admission webhook's services, and with a configured certificate an HTTPS listener of its own
    /// (Admission:Tls:Port) next to the portal's other addresses.
    /// </summary>
    public static WebApplicationBuilder AddPortalAdmission(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<AdmissionOptions>()
            .BindConfiguration(AdmissionOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => string.IsNullOrWhiteSpace(o.Tls.CertificatePath) || File.Exists(o.Tls.CertificatePath),
                "Admission:Tls:CertificatePath names a file that does not exist.")
            .Validate(o => string.IsNullOrWhiteSpace(o.Tls.KeyPath) || File.Exists(o.Tls.KeyPath),
                "Admission:Tls:KeyPath names a file that does not exist.")
            .Validate(o => string.IsNullOrWhiteSpace(o.Tls.CaCertificatePath) || File.Exists(o.Tls.CaCertificatePath),
                "Admission:Tls:CaCertificatePath names a file that does not exist.")
            .ValidateOnStart();
        services.AddSingleton<EstateChanges>();
        services.AddSingleton<IInterceptor, EstateChangeInterceptor>();
        services.AddSingleton<AdmissionPolicies>();
        services.AddSingleton<AdmissionView>();
        services.AddHostedService(sp => sp.GetRequiredService<AdmissionView>());
        services.AddSingleton<AdmissionDecisions>();
        services.AddHostedService(sp => sp.GetRequiredService<AdmissionDecisions>());
        services.AddSingleton<WebhookConfigurationGenerator>();
        services.AddHealthChecks().AddCheck<AdmissionViewHealthCheck>("admission-view", tags: ["ready"]);

        var tls = builder.Configuration.GetSection(AdmissionOptions.SectionName).Get<AdmissionOptions>()?.Tls ?? new AdmissionTlsOptions();
        if (!string.IsNullOrWhiteSpace(tls.CertificatePath))
        {
            // Kestrel uses configured URLs only when code adds no listener of its own, so the HTTPS address joins them
            // rather than replacing them; the certificate is read again when its file changes (cert-manager renews it).
            var certificate = new CertificateFile(tls.CertificatePath, tls.KeyPath);
            var urls = builder.WebHost.GetSetting(WebHostDefaults.ServerUrlsKey);
            var all = (string.IsNullOrWhiteSpace(urls) ? ["http://localhost:5000"] : urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                .Append($"https://*:{tls.Port}")
                .ToArray();
            builder.WebHost.UseUrls(all);
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https => https.ServerCertificateSelector = (_, _) => certificate.Current));
        }

        return builder;
    }
}

/// <summary>A PEM certificate (and key) read from files, read again when the certificate file's time changes.</summary>
internal sealed class CertificateFile(string certificatePath, string? keyPath)
{
    private readonly Lock _lock = new();
    private X509Certificate2? _certificate;
    private DateTime _writtenAt;

    public X509Certificate2 Current
    {
        get
        {
            var written = File.GetLastWriteTimeUtc(certificatePath);
            lock (_lock)
            {
                if (_certificate is null || written != _writtenAt)
                {
                    var loaded = X509Certificate2.CreateFromPemFile(certificatePath, string.IsNullOrWhiteSpace(keyPath) ? null : keyPath);
                    // Windows' TLS needs a key in a store-backed form; elsewhere the ephemeral key is used as is.
                    _certificate = OperatingSystem.IsWindows() ? X509CertificateLoader.LoadPkcs12(loaded.Export(X509ContentType.Pkcs12), null) : loaded;
                    _writtenAt = written;
                }

                return _certificate;
            }
        }
    }
}

/// <summary>Ready only once the admission view is built: until then the API server should not be sent here.</summary>
internal sealed class AdmissionViewHealthCheck(AdmissionView view) : Microsoft.Extensions.Diagnostics.HealthChecks.IHealthCheck
{
    public Task<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult> CheckHealthAsync(
        Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(view.Current is null
            ? Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Unhealthy("The admission view is not built yet.")
            : Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy());
}
