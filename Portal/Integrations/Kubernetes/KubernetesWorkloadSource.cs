using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Options;
using Portal.Core.Workloads;

namespace Portal.Integrations.Kubernetes;

/// <summary>
/// Reads pods, ReplicaSets, Kubeflow Notebooks and Profiles and Kubeflow's contributor RoleBindings with the official
/// client, every list paged with limit and continue. Everything is read before anything is returned.
/// </summary>
public sealed class KubernetesWorkloadSource(IOptions<KubernetesOptions> options, ILogger<KubernetesWorkloadSource> logger) : IWorkloadSource
{
    public const string KubeflowGroup = "kubeflow.org";

    // Kubeflow serves Notebooks at v1 and v1beta1 and Profiles at v1 and v1beta1; older installs only the beta.
    internal static readonly string[] KubeflowVersions = ["v1", "v1beta1"];

    // Kubeflow's access management writes these on the RoleBindings that share a namespace with a contributor.
    private const string UserAnnotation = "user";
    private const string RoleAnnotation = "role";
    internal const string StoppedAnnotation = "kubeflow-resource-stopped";
    private const string CreatorAnnotation = "notebooks.kubeflow.org/creator";

    public IReadOnlyList<string> Clusters => options.Value.Clusters.Select(c => c.Name).ToList();

    public async Task<ClusterSnapshot> ReadAsync(string cluster, Func<int, CancellationToken, Task> onPage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onPage);
        var settings = options.Value.Clusters.FirstOrDefault(c => string.Equals(c.Name, cluster, StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException($"Cluster '{cluster}' is not configured.");
        using var client = new k8s.Kubernetes(ConfigurationFor(settings));
        var read = 0;
        async Task Counted(int count)
        {
            read += count;
            await onPage(read, cancellationToken);
        }

        var pods = new List<ObservedPod>();
        await PageAsync(
            token => client.CoreV1.ListPodForAllNamespacesAsync(continueParameter: token, limit: settings.PageSize, cancellationToken: cancellationToken),
            list => list.Metadata?.ContinueProperty,
            async list =>
            {
                pods.AddRange(list.Items.Select(ToPod));
                await Counted(list.Items.Count);
            });

        var replicaSets = new List<ObservedController>();
        await PageAsync(
            token => client.AppsV1.ListReplicaSetForAllNamespacesAsync(continueParameter: token, limit: settings.PageSize, cancellationToken: cancellationToken),
            list => list.Metadata?.ContinueProperty,
            async list =>
            {
                replicaSets.AddRange(list.Items.Select(r => new ObservedController(r.Namespace(), r.Name(), ControllerOf(r.Metadata))));
                await Counted(list.Items.Count);
            });

        var roleBindings = new List<ObservedRoleBinding>();
        await PageAsync(
            token => client.RbacAuthorizationV1.ListRoleBindingForAllNamespacesAsync(continueParameter: token, limit: settings.PageSize, cancellationToken: cancellationToken),
            list => list.Metadata?.ContinueProperty,
            async list =>
            {
                foreach (var binding in list.Items)
                {
                    var annotations = binding.Metadata?.Annotations;
                    if (annotations is not null && annotations.TryGetValue(UserAnnotation, out var user) && user.Length > 0)
                    {
                        roleBindings.Add(new ObservedRoleBinding(
                            binding.Namespace(), binding.Name(), user, annotations.TryGetValue(RoleAnnotation, out var role) ? role : null));
                    }
                }

                await Counted(list.Items.Count);
            });

        var notebooks = new List<ObservedNotebook>();
        await ListKubeflowAsync(client, "notebooks", settings.PageSize, async items =>
        {
            notebooks.AddRange(items.Select(ToNotebook));
            await Counted(items.Count);
        }, cancellationToken);

        var profiles = new List<ObservedProfile>();
        await ListKubeflowAsync(client, "profiles", settings.PageSize, async items =>
        {
            profiles.AddRange(items.Select(ToProfile));
            await Counted(items.Count);
        }, cancellationToken);

        return new ClusterSnapshot(settings.Name, pods, notebooks, replicaSets, profiles, roleBindings);
    }

    internal static KubernetesClientConfiguration ConfigurationFor(ClusterOptions cluster)
    {
        var configuration = cluster.InCluster
            ? KubernetesClientConfiguration.InClusterConfig()
            : KubernetesClientConfiguration.BuildConfigFromConfigFile(
                Path.GetFullPath(cluster.KubeConfigPath!), string.IsNullOrWhiteSpace(cluster.Context) ? null : cluster.Context);
        configuration.HttpClientTimeout = TimeSpan.FromSeconds(cluster.RequestTimeoutSeconds);
        return configuration;
    }

    private static async Task PageAsync<TList>(Func<string?, Task<TList>> list, Func<TList, string?> next, Func<TList, Task> take)
    {
        string? token = null;
        do
        {
            var page = await list(token);
            await take(page);
            token = next(page);
        }
        while (!string.IsNullOrEmpty(token));
    }

    // A cluster without Kubeflow answers 404 for its resources: that means no notebooks, not a failure.
    private async Task ListKubeflowAsync(
        k8s.Kubernetes client, string plural, int pageSize, Func<IReadOnlyList<JsonElement>, Task> take, CancellationToken cancellationToken)
    {
        foreach (var version in KubeflowVersions)
        {
            try
            {
                await PageAsync(
                    async token => (JsonElement)await client.CustomObjects.ListClusterCustomObjectAsync(
                        KubeflowGroup, version, plural, continueParameter: token, limit: pageSize, cancellationToken: cancellationToken),
                    page => page.TryGetProperty("metadata", out var metadata) && metadata.TryGetProperty("continue", out var next)
                        ? next.GetString()
                        : null,
                    page => take(page.TryGetProperty("items", out var items) ? items.EnumerateArray().ToList() : []));
                return;
            }
            catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
            {
                logger.LogDebug("{Group}/{Version} {Plural} are not served by this cluster", KubeflowGroup, version, plural);
            }
        }
    }

    private static ObservedPod ToPod(V1Pod pod)
    {
        var spec = pod.Spec;
        var status = pod.Status;
        var containers = new List<ObservedContainer>();
        AddContainers(containers, ContainerType.Init, spec?.InitContainers?.Select(c => (c.Name, c.Image)), status?.InitContainerStatuses);
        AddContainers(containers, ContainerType.Container, spec?.Containers?.Select(c => (c.Name, c.Image)), status?.ContainerStatuses);
        AddContainers(containers, ContainerType.Ephemeral, spec?.EphemeralContainers?.Select(c => (c.Name, c.Image)), status?.EphemeralContainerStatuses);
        return new ObservedPod(
            pod.Namespace(), pod.Name(), status?.Phase, ToUtc(status?.StartTime), ToUtc(pod.Metadata?.CreationTimestamp),
            pod.Metadata?.Labels is { } labels ? new Dictionary<string, string>(labels) : new Dictionary<string, string>(),
            ControllerOf(pod.Metadata), containers);
    }

    private static void AddContainers(
        List<ObservedContainer> into, ContainerType type, IEnumerable<(string Name, string Image)>? specs, IList<V1ContainerStatus>? statuses)
    {
        foreach (var (name, image) in specs ?? [])
        {
            var imageId = statuses?.FirstOrDefault(s => s.Name == name)?.ImageID;
            into.Add(new ObservedContainer(name, type, image ?? "", imageId));
        }
    }

    private static Core.Workloads.OwnerReference? ControllerOf(V1ObjectMeta? metadata) =>
        metadata?.OwnerReferences?.FirstOrDefault(o => o.Controller == true) is { } owner
            ? new Core.Workloads.OwnerReference(owner.Kind, owner.Name)
            : null;

    internal static ObservedNotebook ToNotebook(JsonElement notebook)
    {
        var metadata = notebook.GetProperty("metadata");
        var annotations = metadata.TryGetProperty("annotations", out var a) && a.ValueKind == JsonValueKind.Object ? a : default;
        var podSpec = notebook.TryGetProperty("spec", out var spec) && spec.TryGetProperty("template", out var template)
            && template.TryGetProperty("spec", out var inner) ? inner : default;
        var containers = new List<ObservedContainer>();
        AddTemplateContainers(containers, podSpec, "initContainers", ContainerType.Init);
        AddTemplateContainers(containers, podSpec, "containers", ContainerType.Container);
        return new ObservedNotebook(
            StringOf(metadata, "namespace") ?? "default",
            StringOf(metadata, "name") ?? "",
            StringOf(metadata, "creationTimestamp") is { } created && DateTimeOffset.TryParse(created, null, System.Globalization.DateTimeStyles.AssumeUniversal, out var at) ? at : null,
            annotations.ValueKind == JsonValueKind.Object && annotations.TryGetProperty(StoppedAnnotation, out _),
            annotations.ValueKind == JsonValueKind.Object ? StringOf(annotations, CreatorAnnotation) : null,
            containers);
    }

    private static void AddTemplateContainers(List<ObservedContainer> into, JsonElement podSpec, string property, ContainerType type)
    {
        if (podSpec.ValueKind != JsonValueKind.Object || !podSpec.TryGetProperty(property, out var list) || list.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        foreach (var container in list.EnumerateArray())
        {
            into.Add(new ObservedContainer(StringOf(container, "name") ?? "", type, StringOf(container, "image") ?? "", null));
        }
    }

    private static ObservedProfile ToProfile(JsonElement profile)
    {
        var owner = profile.TryGetProperty("spec", out var spec) && spec.TryGetProperty("owner", out var o) ? o : default;
        return new ObservedProfile(
            StringOf(profile.GetProperty("metadata"), "name") ?? "",
            owner.ValueKind == JsonValueKind.Object ? StringOf(owner, "kind") : null,
            owner.ValueKind == JsonValueKind.Object ? StringOf(owner, "name") : null);
    }

    private static string? StringOf(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static DateTimeOffset? ToUtc(DateTime? value) => value switch
    {
        null => null,
        { Kind: DateTimeKind.Unspecified } unspecified => new DateTimeOffset(unspecified, TimeSpan.Zero),
        { } known => new DateTimeOffset(known.ToUniversalTime(), TimeSpan.Zero),
    };
}
