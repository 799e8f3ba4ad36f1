using Portal.Core.Findings;
using Portal.Core.Workloads;

namespace Portal.Integrations.Kubernetes;

public static class KubernetesSetup
{
    /// <summary>The workload source over the Kubernetes API for the clusters in Kubernetes:Clusters.</summary>
    public static IHostApplicationBuilder AddKubernetesIntegration(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<KubernetesOptions>()
            .BindConfiguration(KubernetesOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IWorkloadSource, KubernetesWorkloadSource>();
        builder.Services.AddSingleton<IWorkloadActions, KubernetesWorkloadActions>();
        builder.Services.AddSingleton<IVulnerabilityReportSource, TrivyOperatorReportSource>();
        return builder;
    }
}
