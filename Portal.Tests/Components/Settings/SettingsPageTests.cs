using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NSubstitute;
using Portal.Components.Pages.Settings;
using Portal.Core.Malware;
using Portal.Data;
using Portal.Features.Admission;
using Portal.Features.Audit;
using Portal.Features.Gateway;
using Portal.Features.Jobs;
using Portal.Features.Lifecycle;
using Portal.Features.Notifications;
using Portal.Integrations.ClamAv;
using Portal.Integrations.ScanCommand;
using Portal.Operations;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Components.Settings;

/// <summary>The Settings page opens the tab a shared link names.</summary>
public sealed class SettingsPageTests(PostgresServer postgres) : SettingsComponentContext(postgres)
{
    [Theory]
    [InlineData("settings?tab=lifecycle", "policy-classes")]
    [InlineData("settings?tab=admission", "admission-modes")]
    [InlineData("settings?tab=api-keys", "api-keys-table")]
    [InlineData("settings?tab=scanners", "scanner-settings")]
    [InlineData("settings?tab=gateway", "remotes-table")]
    [InlineData("settings?tab=templates", "template-editor")]
    [InlineData("settings?tab=configuration", "settings-table")]
    public void DeepLinkOpensTheNamedTab(string uri, string testId)
    {
        Services.AddSingleton(Options.Create(new DatabaseOptions()));
        Services.AddSingleton(Options.Create(new JobsOptions()));
        Services.AddSingleton(Options.Create(new AuditOptions()));
        Services.AddSingleton(Options.Create(new TelemetryOptions()));
        Services.AddSingleton(Options.Create(new MalwareScanningOptions()));
        Services.AddSingleton(Options.Create(new ClamAvOptions()));
        Services.AddSingleton(Options.Create(new ScanCommandOptions()));
        Services.AddSingleton(Substitute.For<IVirusScanner>());
        Services.AddSingleton<LifecyclePolicies>();
        Services.AddSingleton(Options.Create(new NotificationOptions()));
        Services.AddSingleton<NotificationTemplates>();
        Services.AddSingleton(Options.Create(new AdmissionOptions()));
        Services.AddSingleton<AdmissionPolicies>();
        Services.AddSingleton<WebhookConfigurationGenerator>();
        Services.AddSingleton<GatewayRemotes>();
        Services.AddSingleton<RemoteHealth>();
        Services.AddHttpClient();
        Services.GetRequiredService<NavigationManager>().NavigateTo(uri);

        var page = RenderTab<SettingsPage>();

        page.WaitForAssertion(() => page.FindAll($"[data-testid={testId}]").Count.ShouldBe(1));
    }
}
