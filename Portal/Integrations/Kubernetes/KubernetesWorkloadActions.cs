using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Options;
using Portal.Core.Workloads;

namespace Portal.Integrations.Kubernetes;

/// <summary>
/// Reads and patches Kubeflow Notebooks with the official client: a JSON merge patch for the stop annotation, a JSON
/// patch with a <c>test</c> operation for an image change, so a notebook changed by someone else since it was read is
/// left as it is.
/// </summary>
public sealed class KubernetesWorkloadActions(IOptions<KubernetesOptions> options) : IWorkloadActions
{
    private const string Plural = "notebooks";

    public async Task<NotebookObject?> ReadNotebookAsync(string cluster, string @namespace, string name, CancellationToken cancellationToken)
    {
        using var client = Client(cluster);
        var (_, notebook) = await GetAsync(client, @namespace, name, cancellationToken);
        if (notebook is not { } found)
        {
            return null;
        }

        var observed = KubernetesWorkloadSource.ToNotebook(found);
        return new NotebookObject(cluster, observed.Namespace, observed.Name, observed.Stopped, observed.Containers);
    }

    public async Task StopNotebookAsync(string cluster, string @namespace, string name, DateTimeOffset at, CancellationToken cancellationToken)
    {
        using var client = Client(cluster);
        var (version, notebook) = await GetAsync(client, @namespace, name, cancellationToken);
        if (notebook is null)
        {
            throw new InvalidOperationException($"Notebook {@namespace}/{name} no longer exists in cluster {cluster}.");
        }

        if (KubernetesWorkloadSource.ToNotebook(notebook.Value).Stopped)
        {
            return;
        }

        // Kubeflow's notebook controller scales the notebook's StatefulSet to zero while this annotation is present;
        // its value is the time it was stopped, as the Kubeflow UI writes it.
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["annotations"] = new JsonObject
                {
                    [KubernetesWorkloadSource.StoppedAnnotation] = at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
                },
            },
        };
        await client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch),
            KubernetesWorkloadSource.KubeflowGroup, version, @namespace, Plural, name, cancellationToken: cancellationToken);
    }

    public async Task SetNotebookImageAsync(
        string cluster, string @namespace, string name, string container, string fromImage, string toImage, CancellationToken cancellationToken)
    {
        using var client = Client(cluster);
        var (version, notebook) = await GetAsync(client, @namespace, name, cancellationToken);
        if (notebook is not { } found)
        {
            throw new InvalidOperationException($"Notebook {@namespace}/{name} no longer exists in cluster {cluster}.");
        }

        var containers = found.GetProperty("spec").GetProperty("template").GetProperty("spec").GetProperty("containers");
        var index = containers.EnumerateArray().Select((c, i) => (c, i))
            .Where(x => x.c.TryGetProperty("name", out var n) && n.GetString() == container).Select(x => (int?)x.i).FirstOrDefault()
            ?? throw new InvalidOperationException($"Notebook {@namespace}/{name} has no container named {container}.");
        var path = $"/spec/template/spec/containers/{index}/image";
        var patch = new JsonArray
        {
            new JsonObject { ["op"] = "test", ["path"] = path, ["value"] = fromImage },
            new JsonObject { ["op"] = "replace", ["path"] = path, ["value"] = toImage },
        };
        await client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch(patch.ToJsonString(), V1Patch.PatchType.JsonPatch),
            KubernetesWorkloadSource.KubeflowGroup, version, @namespace, Plural, name, cancellationToken: cancellationToken);
    }

    private k8s.Kubernetes Client(string cluster)
    {
        var settings = options.Value.Clusters.FirstOrDefault(c => string.Equals(c.Name, cluster, StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException($"Cluster '{cluster}' is not configured.");
        return new k8s.Kubernetes(KubernetesWorkloadSource.ConfigurationFor(settings));
    }

    // The notebook and the API version that served it (v1, or v1beta1 on older Kubeflow).
    private static async Task<(string Version, JsonElement? Notebook)> GetAsync(
        k8s.Kubernetes client, string @namespace, string name, CancellationToken cancellationToken)
    {
        foreach (var version in KubernetesWorkloadSource.KubeflowVersions)
        {
            try
            {
                var notebook = (JsonElement)await client.CustomObjects.GetNamespacedCustomObjectAsync(
                    KubernetesWorkloadSource.KubeflowGroup, version, @namespace, Plural, name, cancellationToken);
                return (version, notebook);
            }
            catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
            {
                // Not served at this version, or no such notebook: try the next version, then say it is gone.
            }
        }

        return (KubernetesWorkloadSource.KubeflowVersions[0], null);
    }
}
