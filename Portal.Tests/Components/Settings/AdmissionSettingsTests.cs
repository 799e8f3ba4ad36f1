using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Components.Pages.Settings;
using Portal.Core.Admission;
using Portal.Core.Auditing;
using Portal.Core.Inventory;
using Portal.Features.Admission;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Components.Settings;

/// <summary>The Admission tab: the policy saved as an audited version, and the webhook configuration generated from the choices.</summary>
public sealed class AdmissionSettingsTests(PostgresServer postgres) : SettingsComponentContext(postgres)
{
    [Fact]
    public async Task SavingTheTabMakesAnAuditedVersionWithTheChosenModesAndExemptions()
    {
        AddServices(new AdmissionOptions());
        var tab = RenderTab<AdmissionSettings>(p => p.Add(t => t.Actor, "admin@example.org"));
        tab.WaitForAssertion(() => tab.Find("[data-testid=admission-version]").TextContent.ShouldContain("The defaults are in force"));

        await tab.InvokeAsync(() => tab.FindComponents<MudBlazor.MudSelect<AdmissionMode>>()
            .Single(s => s.Instance.Label == nameof(ImageClass.Curated)).Instance.ValueChanged.InvokeAsync(AdmissionMode.Enforce));
        tab.Find("[data-testid=admission-exempt]").Change("kube-system, monitoring");
        tab.Find("[data-testid=admission-save]").Click();

        tab.WaitForAssertion(() => tab.Find("[data-testid=admission-version]").TextContent.ShouldContain("Version 1, saved"));
        var policy = await Services.GetRequiredService<AdmissionPolicies>().CurrentAsync(Ct);
        policy.ModeOf(ImageClass.Curated).ShouldBe(AdmissionMode.Enforce);
        policy.ModeOf(ImageClass.Platform).ShouldBe(AdmissionMode.Off);
        policy.ExemptNamespaces.ShouldBe(["kube-system", "monitoring"]);
        await using var db = Database.CreateDbContext();
        (await db.AuditEntries.SingleAsync(e => e.Action == AuditActions.AdmissionPolicyChanged, Ct)).Actor.ShouldBe("admin@example.org");
        tab.Find("[data-testid=webhook-yaml]").GetAttribute("value")!.ShouldContain("values: [\"kube-system\", \"monitoring\"]");
    }

    [Fact]
    public void AnInvalidNamespaceIsNamedAndNothingIsSaved()
    {
        AddServices(new AdmissionOptions());
        var tab = RenderTab<AdmissionSettings>(p => p.Add(t => t.Actor, "admin@example.org"));
        tab.WaitForAssertion(() => tab.FindAll("[data-testid=admission-save]").Count.ShouldBe(1));

        tab.Find("[data-testid=admission-exempt]").Change("Kube_System");
        tab.Find("[data-testid=admission-save]").Click();

        tab.WaitForAssertion(() => tab.Find("[data-testid=admission-error]").TextContent.ShouldContain("Exempt namespace 'Kube_System' is not a Kubernetes namespace name"));
        tab.Find("[data-testid=admission-version]").TextContent.ShouldContain("The defaults are in force");
    }

    [Fact]
    public void TheGeneratedConfigurationCallsTheServiceWithTheCaBundleFailurePolicyTimeoutAndNamespaceSelector()
    {
        using var certificates = new TempDirectory("admission-tab");
        var ca = certificates.File("ca.pem");
        File.WriteAllText(ca, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
        AddServices(new AdmissionOptions { Tls = new AdmissionTlsOptions { CaCertificatePath = ca } });
        var tab = RenderTab<AdmissionSettings>(p => p.Add(t => t.Actor, "admin@example.org"));
        tab.WaitForAssertion(() => tab.FindAll("[data-testid=webhook-yaml]").Count.ShouldBe(1));

        var yaml = tab.Find("[data-testid=webhook-yaml]").GetAttribute("value")!;

        yaml.ShouldContain("kind: ValidatingWebhookConfiguration");
        yaml.ShouldContain("admissionReviewVersions: [\"v1\"]");
        yaml.ShouldContain("failurePolicy: Fail");
        yaml.ShouldContain("timeoutSeconds: 5");
        yaml.ShouldContain("""
                  service:
                    name: image-governance-portal
                    namespace: image-governance
                    port: 443
                    path: /api/v1/admission/validate
            """.Replace("\r\n", "\n", StringComparison.Ordinal));
        yaml.ShouldContain("caBundle: " + Convert.ToBase64String(File.ReadAllBytes(ca)));
        yaml.ShouldContain("operations: [\"CREATE\", \"UPDATE\"]");
        yaml.ShouldContain("resources: [\"pods\", \"pods/ephemeralcontainers\"]");
        yaml.ShouldContain("        - key: kubernetes.io/metadata.name\n          operator: NotIn\n          values: [\"kube-system\"]\n");
        tab.Find("[data-testid=failure-policy-note]").TextContent.ShouldContain("Ignore lets pods through when the portal cannot answer");
        tab.FindAll("[data-testid=webhook-no-ca]").ShouldBeEmpty();
    }

    [Fact]
    public void AUrlConfigurationNamesTheUrlAndTheChosenFailurePolicy()
    {
        AddServices(new AdmissionOptions { Webhook = new AdmissionWebhookOptions { Url = "https://portal.example.org/", FailurePolicy = "Ignore", TimeoutSeconds = 3 } });
        var tab = RenderTab<AdmissionSettings>(p => p.Add(t => t.Actor, "admin@example.org"));
        tab.WaitForAssertion(() => tab.FindAll("[data-testid=webhook-yaml]").Count.ShouldBe(1));

        var yaml = tab.Find("[data-testid=webhook-yaml]").GetAttribute("value")!;

        yaml.ShouldContain("url: \"https://portal.example.org/api/v1/admission/validate\"");
        yaml.ShouldContain("failurePolicy: Ignore");
        yaml.ShouldContain("timeoutSeconds: 3");
        yaml.ShouldNotContain("service:");
        tab.Find("[data-testid=webhook-no-ca]").TextContent.ShouldContain("caBundle is empty");
    }

    private void AddServices(AdmissionOptions options)
    {
        Services.AddSingleton(Options.Create(options));
        Services.AddSingleton<AdmissionPolicies>();
        Services.AddSingleton<WebhookConfigurationGenerator>();
    }
}
