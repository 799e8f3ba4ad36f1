using Portal.Core.Findings.Parsers;
using Portal.Features.ApiKeys;
using Portal.Features.Audit;
using Portal.Features.Dashboard;
using Portal.Features.Findings;
using Portal.Features.Inventory;
using Portal.Features.Notifications;
using Portal.Features.Preferences;
using Portal.Features.Workloads;

namespace Portal.Features;

public static class FeaturesSetup
{
    /// <summary>Application services that pages, endpoints and jobs call. Registered one by one, on purpose.</summary>
    public static IHostApplicationBuilder AddPortalFeatures(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<AuditLog>();
        services.AddSingleton<AuditSearch>();
        services.AddSingleton<UserPreferencesService>();
        services.AddSingleton<DashboardSummary>();
        services.AddOptions<InventoryOptions>()
            .BindConfiguration(InventoryOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<RegistrySecrets>();
        services.AddSingleton<ImageClassification>();
        services.AddSingleton<RegistryManagement>();
        services.AddSingleton<RegistryEventReceiver>();
        services.AddSingleton<ImageCatalog>();
        services.AddSingleton<ClassificationRules>();
        services.AddSingleton<RegistrySeeder>();
        services.AddSingleton<WorkloadImageLinker>();
        services.AddSingleton<WorkloadCatalog>();
        services.AddSingleton<FindingIngestion>();
        services.AddSingleton<ApiKeyManagement>();
        services.AddSingleton<FindingExceptions>();
        services.AddSingleton<FindingCatalog>();
        services.AddSingleton<Malware.LayerScanner>();
        services.AddSingleton<Malware.ImageMalwareScanning>();
        services.AddSingleton<Malware.LayerVerdicts>();
        services.AddSingleton<Lifecycle.LifecyclePolicies>();
        services.AddSingleton<Lifecycle.Holds>();
        services.AddSingleton<Lifecycle.LifecyclePlanner>();
        services.AddSingleton<Lifecycle.LifecycleActions>();
        services.AddScoped<Lifecycle.LifecycleExecution>(); // it syncs workloads first, and WorkloadSync is scoped
        services.AddSingleton<Lifecycle.ImageLifecycles>();
        services.AddSingleton<Lifecycle.ManualEols>();
        services.AddSingleton<Lifecycle.Extensions>();
        services.AddSingleton<Migrations.MigrationPaths>();
        services.AddSingleton<Migrations.MigrationChoices>();
        services.AddNotificationComposition();
        services.AddOptions<FindingsOptions>()
            .BindConfiguration(FindingsOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<Portal.Api.XrayWebhookOptions>().BindConfiguration(Portal.Api.XrayWebhookOptions.SectionName);
        services.AddOptions<ScanReportReaderOptions>()
            .BindConfiguration(ScanReportReaderOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddNotificationDelivery();
        return builder;
    }
}
