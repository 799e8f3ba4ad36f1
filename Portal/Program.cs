using MudBlazor.Services;
using Portal.Api;
using Portal.Components;
using Portal.Data;
using Portal.Features;
using Portal.Features.Admission;
using Portal.Features.Gateway;
using Portal.Hosting;
using Portal.Integrations.ClamAv;
using Portal.Integrations.Kubernetes;
using Portal.Integrations.Registry;
using Portal.Integrations.ScanCommand;
using Portal.Jobs;
using Portal.Operations;
using Portal.Security;

var builder = WebApplication.CreateBuilder(args);
builder.AddRepositorySettings();
// Running from build output under a custom environment (the local stack) still needs Blazor's static web assets.
builder.WebHost.UseStaticWebAssets();

builder.AddPortalOperations();
builder.AddPortalData();
builder.AddPortalAuthentication();
builder.AddPortalFeatures();
builder.AddPortalAdmission();
builder.AddRegistryIntegration();
builder.AddKubernetesIntegration();
builder.AddMalwareScanning();
builder.AddContentGateway();
builder.AddVulnerabilityScanCommand();
builder.Services.AddPortalApi();
builder.AddPortalJobs();
builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.Services.AddMudServices();

var app = builder.Build();

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/error", createScopeForErrors: true);
    app.UseHsts();
}

app.UseStatusCodePages();
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();

app.MapStaticAssets().AllowAnonymous();
app.MapPortalOperations();
app.MapSignInEndpoints();
app.MapPortalApi();
app.MapScanReportEndpoints();
app.MapXrayWebhookEndpoints();
app.MapRegistryEventEndpoints();
app.MapFindingEndpoints();
app.MapLifecycleEndpoints();
app.MapLifecycleRequestEndpoints();
app.MapMigrationEndpoints();
app.MapNotificationEndpoints();
app.MapAdmissionEndpoints();
app.MapContentEndpoints();
app.MapContentUploadEndpoints();
app.MapGatewayEndpoints();
app.MapGatewayContentEndpoints();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

await app.RunAsync();

/// <summary>Entry point; public so integration tests can host the portal with WebApplicationFactory.</summary>
public partial class Program;
