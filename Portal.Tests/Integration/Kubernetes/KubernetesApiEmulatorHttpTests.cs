using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using KubernetesEmulator;

namespace Portal.Tests.Integration.Kubernetes;

/// <summary>
/// The emulator's wire protocol below what KubernetesClient exercises: discovery, continue tokens in the real format,
/// generateName, server-side apply, dry run, delete-collection, and what Add does to a stored object.
/// </summary>
public sealed class KubernetesApiEmulatorHttpTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Fixture(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "Fixtures", "kubernetes", .. parts]);

    [Fact]
    public async Task ServesVersionHealthAndDiscoveryForTheRegisteredResources()
    {
        await using var emulator = await KubernetesApiEmulator.StartAsync(cancellationToken: Ct);
        using var http = new HttpClient { BaseAddress = emulator.BaseAddress };

        var version = await http.GetFromJsonAsync<JsonElement>("version", Ct);
        var healthz = await http.GetStringAsync("healthz", Ct);
        var groups = await http.GetFromJsonAsync<JsonElement>("apis", Ct);
        var kubeflow = await http.GetFromJsonAsync<JsonElement>("apis/kubeflow.org/v1beta1", Ct);
        var core = await http.GetFromJsonAsync<JsonElement>("api/v1", Ct);

        version.GetProperty("gitVersion").GetString()!.ShouldStartWith("v1.");
        healthz.ShouldBe("ok");
        groups.GetProperty("groups").EnumerateArray().Select(g => g.GetProperty("name").GetString())
            .ShouldBe(["apps", "aquasecurity.github.io", "argoproj.io", "batch", "kubeflow.org", "rbac.authorization.k8s.io"]);
        kubeflow.GetProperty("resources").EnumerateArray()
            .Select(r => (r.GetProperty("name").GetString(), r.GetProperty("kind").GetString(), r.GetProperty("namespaced").GetBoolean()))
            .ShouldBe([("notebooks", "Notebook", true), ("profiles", "Profile", false)]);
        core.GetProperty("resources").EnumerateArray().Select(r => r.GetProperty("name").GetString()).ShouldContain("pods");
    }

    [Fact]
    public async Task ContinueTokensHaveTheRealServersFormat()
    {
        await using var emulator = await KubernetesApiEmulator.StartAsync(cancellationToken: Ct);
        emulator.LoadFile(Fixture("podlist", "cloudability-metrics-agent", "pods.json"));
        using var http = new HttpClient { BaseAddress = emulator.BaseAddress };

        var all = await http.GetFromJsonAsync<JsonElement>("api/v1/pods?limit=2", Ct);
        var namespaced = await http.GetFromJsonAsync<JsonElement>("api/v1/namespaces/kube-system/pods?limit=1", Ct);

        var listVersion = long.Parse(all.GetProperty("metadata").GetProperty("resourceVersion").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var token = Decode(all.GetProperty("metadata").GetProperty("continue").GetString()!);
        token.GetProperty("v").GetString().ShouldBe("meta.k8s.io/v1");
        token.GetProperty("rv").GetInt64().ShouldBe(listVersion);
        token.GetProperty("start").GetString().ShouldBe("kube-system/aws-node-48cfw\0", "the key after the last item, with its namespace");
        Decode(namespaced.GetProperty("metadata").GetProperty("continue").GetString()!).GetProperty("start").GetString()
            .ShouldBe("aws-node-48cfw\0", "relative to the namespace in a namespaced list");
    }

    [Fact]
    public async Task CreatesWithGenerateNameAppliesAndHonoursDryRun()
    {
        await using var emulator = await KubernetesApiEmulator.StartAsync(cancellationToken: Ct);
        using var http = new HttpClient { BaseAddress = emulator.BaseAddress };

        using var generated = await http.PostAsync("apis/argoproj.io/v1alpha1/namespaces/team/workflows", Json("""
            {"apiVersion":"argoproj.io/v1alpha1","kind":"Workflow","metadata":{"generateName":"scan-"},"spec":{"entrypoint":"main"}}
            """), Ct);
        using var dryRun = await http.PostAsync("api/v1/namespaces/team/configmaps?dryRun=All", Json("""
            {"metadata":{"name":"settings"},"data":{"a":"1"}}
            """), Ct);
        using var apply = new HttpRequestMessage(HttpMethod.Patch, "apis/apps/v1/namespaces/team/deployments/web?fieldManager=portal")
        {
            Content = new StringContent("""
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: web
                spec:
                  replicas: 3
                """, Encoding.UTF8),
        };
        apply.Content.Headers.ContentType = new MediaTypeHeaderValue("application/apply-patch+yaml");
        using var applied = await http.SendAsync(apply, Ct);

        generated.StatusCode.ShouldBe(HttpStatusCode.Created);
        var workflow = await generated.Content.ReadFromJsonAsync<JsonElement>(Ct);
        workflow.GetProperty("metadata").GetProperty("name").GetString()!.ShouldMatch("^scan-[a-z0-9]{5}$");
        workflow.GetProperty("metadata").GetProperty("generation").GetInt64().ShouldBe(1);
        dryRun.StatusCode.ShouldBe(HttpStatusCode.Created);
        emulator.Find("v1", "ConfigMap", "team", "settings").ShouldBeNull("a dry run stores nothing");
        applied.StatusCode.ShouldBe(HttpStatusCode.Created, await applied.Content.ReadAsStringAsync(Ct));
        emulator.Find("apps/v1", "Deployment", "team", "web")!["spec"]!["replicas"]!.GetValue<long>().ShouldBe(3);
    }

    [Fact]
    public async Task DeletesACollectionBySelector()
    {
        await using var emulator = await KubernetesApiEmulator.StartAsync(cancellationToken: Ct);
        emulator.LoadFile(Fixture("podlist", "cloudability-metrics-agent", "pods.json"));
        using var http = new HttpClient { BaseAddress = emulator.BaseAddress };

        using var response = await http.DeleteAsync("api/v1/namespaces/kube-system/pods?labelSelector=k8s-app%3Dkube-dns", Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var deleted = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        deleted.GetProperty("kind").GetString().ShouldBe("PodList");
        deleted.GetProperty("items").GetArrayLength().ShouldBe(2);
        var left = await http.GetFromJsonAsync<JsonElement>("api/v1/pods", Ct);
        left.GetProperty("items").GetArrayLength().ShouldBe(4);
    }

    [Fact]
    public async Task AddReplacesAnObjectKeepingItsIdentityWithANewResourceVersion()
    {
        await using var emulator = await KubernetesApiEmulator.StartAsync(cancellationToken: Ct);
        emulator.LoadFile(Fixture("kubeflow-notebook", "_v1_notebook.yaml"), "team");
        var before = emulator.Find("kubeflow.org/v1", "Notebook", "team", "notebook-sample-v1")!;
        var changed = before.DeepClone().AsObject();
        changed["metadata"]!.AsObject().Remove("uid");
        changed["spec"]!["template"]!["spec"]!["containers"]![0]!["image"] = "jupyter:v2";

        emulator.Add(changed);

        var after = emulator.Find("kubeflow.org/v1", "Notebook", "team", "notebook-sample-v1")!;
        after["metadata"]!["uid"]!.GetValue<string>().ShouldBe(before["metadata"]!["uid"]!.GetValue<string>());
        after["metadata"]!["resourceVersion"]!.GetValue<string>().ShouldNotBe(before["metadata"]!["resourceVersion"]!.GetValue<string>());
        after["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>().ShouldBe("jupyter:v2");
        JsonNode.DeepEquals(before, emulator.Find("kubeflow.org/v1", "Notebook", "team", "notebook-sample-v1")).ShouldBeFalse();
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static JsonElement Decode(string token)
    {
        var base64 = token.Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
        return JsonDocument.Parse(Convert.FromBase64String(base64)).RootElement.Clone();
    }
}
