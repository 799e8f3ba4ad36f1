using System.Text.Json;
using System.Text.Json.Nodes;
using Portal.Core.Admission;

namespace Portal.Tests.Core.Admission;

/// <summary>
/// Real pods (Fixtures/kubernetes: an EKS cluster's PodList and an OpenShift etcd pod) wrapped in AdmissionReview
/// requests exactly as the API server sends them, optionally with changed images or metadata.
/// </summary>
public static class AdmissionFixtures
{
    private static readonly Lazy<JsonArray> Pods = new(() =>
        (JsonArray)JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "kubernetes", "podlist", "cloudability-metrics-agent", "pods.json")))!["items"]!);

    /// <summary>A pod of the EKS PodList by name: "stress2" (stress-test, jfusterm/stress:latest), "aws-node-48cfw" (kube-system, with an init container), "coredns-7f5998f4c-5fblt" (a Deployment's).</summary>
    public static JsonObject Pod(string name) =>
        (JsonObject)Pods.Value.Single(p => (string?)p!["metadata"]!["name"] == name)!.DeepClone();

    /// <summary>The OpenShift etcd static pod: five containers and init containers on one image by digest.</summary>
    public static JsonObject EtcdPod() =>
        (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "kubernetes", "pod",
            "etcd-master-0.imeixner20210707.lab.upshift.rdu2.redhat.com.json")))!;

    public static JsonObject WithImage(this JsonObject pod, string image)
    {
        foreach (var container in pod["spec"]!["containers"]!.AsArray())
        {
            container!["image"] = image;
        }

        return pod;
    }

    public static JsonObject InNamespace(this JsonObject pod, string ns)
    {
        pod["metadata"]!["namespace"] = ns;
        return pod;
    }

    /// <summary>A pod as a controller creates it: no name yet, only generateName (the API server names it after admission).</summary>
    public static JsonObject Unnamed(this JsonObject pod)
    {
        var metadata = pod["metadata"]!.AsObject();
        metadata["generateName"] = (string)metadata["name"]! + "-";
        metadata.Remove("name");
        return pod;
    }

    public static string Review(JsonObject pod, string uid = "705ab4f5-6393-11e8-b7cc-42010a800002", string operation = "CREATE", JsonObject? old = null) =>
        AdmissionReviewCodec.WrapPod(pod.ToJsonString(), uid, operation: operation, oldPodJson: old?.ToJsonString());

    public static AdmissionRequest Request(string review)
    {
        var (_, request, error) = AdmissionReviewCodec.Read(System.Text.Encoding.UTF8.GetBytes(review));
        return request ?? throw new InvalidOperationException(error);
    }

    public static JsonElement Response(byte[] json) => JsonDocument.Parse(json).RootElement.GetProperty("response").Clone();
}
