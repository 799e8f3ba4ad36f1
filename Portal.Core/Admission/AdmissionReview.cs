using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Portal.Core.Admission;

/// <summary>A container image in a pod under review: which container, of which kind, and the image as written.</summary>
public sealed record PodImage(string Container, string ContainerKind, string Image);

/// <summary>
/// The parts of an admission.k8s.io/v1 AdmissionReview of a pod the decision needs: who is being created or changed,
/// where, by what controller, and the images the request introduces (on UPDATE, only images the old pod did not have:
/// a label change on a pod whose image has since expired must not be refused).
/// </summary>
public sealed record AdmissionRequest(
    string Uid,
    string Operation,
    string? Namespace,
    string Workload,
    IReadOnlyList<string> WorkloadNames,
    IReadOnlyList<PodImage> Images,
    bool DryRun,
    string? User);

/// <summary>Why a body is not an AdmissionReview at all: there is no uid to answer, so the caller gets a plain HTTP error.</summary>
public sealed class AdmissionReviewFormatException(string message) : Exception(message);

/// <summary>
/// Reads AdmissionReview requests and writes AdmissionReview responses (admission.k8s.io/v1). A body that is a
/// review with a uid is answered in review form, even when what it asks is wrong (a refusal with code 400 and the
/// reason), because the API server shows that message to the user; anything less gets an exception for a 400 problem.
/// </summary>
public static class AdmissionReviewCodec
{
    public const string ApiVersion = "admission.k8s.io/v1";
    public const string Kind = "AdmissionReview";

    private static readonly string[] ContainerLists = ["initContainers", "containers", "ephemeralContainers"];

    /// <summary>The uid (always, or an exception) and either the request or what is wrong with it.</summary>
    public static (string Uid, AdmissionRequest? Request, string? Error) Read(ReadOnlySpan<byte> body)
    {
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 128 });
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException ex)
        {
            throw new AdmissionReviewFormatException($"The body is not JSON: {ex.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new AdmissionReviewFormatException("The body is not an AdmissionReview object.");
            }

            var apiVersion = String(root, "apiVersion");
            var kind = String(root, "kind");
            if (apiVersion != ApiVersion || kind != Kind)
            {
                throw new AdmissionReviewFormatException(
                    $"Expected apiVersion '{ApiVersion}' and kind '{Kind}', got '{apiVersion ?? "(none)"}' and '{kind ?? "(none)"}'. " +
                    "Register the webhook with admissionReviewVersions: [\"v1\"].");
            }

            if (!root.TryGetProperty("request", out var request) || request.ValueKind != JsonValueKind.Object)
            {
                throw new AdmissionReviewFormatException("The AdmissionReview has no request.");
            }

            if (String(request, "uid") is not { Length: > 0 } uid)
            {
                throw new AdmissionReviewFormatException("The AdmissionReview request has no uid.");
            }

            return ReadRequest(uid, request);
        }
    }

    private static (string, AdmissionRequest?, string?) ReadRequest(string uid, JsonElement request)
    {
        var kind = request.TryGetProperty("kind", out var k) && k.ValueKind == JsonValueKind.Object ? k : default;
        var group = kind.ValueKind == JsonValueKind.Object ? String(kind, "group") : null;
        var kindName = kind.ValueKind == JsonValueKind.Object ? String(kind, "kind") : null;
        if (kindName != "Pod" || !string.IsNullOrEmpty(group))
        {
            return (uid, null, $"Only pods are reviewed, this request is for '{(string.IsNullOrEmpty(group) ? "" : group + "/")}{kindName ?? "(no kind)"}'; " +
                "limit the webhook's rules to pods.");
        }

        var operation = String(request, "operation");
        if (operation is not ("CREATE" or "UPDATE"))
        {
            return (uid, null, $"Only CREATE and UPDATE of pods are reviewed, this request is '{operation ?? "(no operation)"}'; " +
                "limit the webhook's rules to CREATE and UPDATE.");
        }

        if (!request.TryGetProperty("object", out var pod) || pod.ValueKind != JsonValueKind.Object)
        {
            return (uid, null, "The request has no pod in 'object'.");
        }

        var images = new List<PodImage>();
        if (ImagesOf(pod, images) is { } podError)
        {
            return (uid, null, podError);
        }

        if (operation == "UPDATE" && request.TryGetProperty("oldObject", out var old) && old.ValueKind == JsonValueKind.Object)
        {
            var before = new List<PodImage>();
            if (ImagesOf(old, before) is { } oldError)
            {
                return (uid, null, "oldObject: " + oldError);
            }

            var had = before.Select(i => i.Image).ToHashSet(StringComparer.Ordinal);
            images.RemoveAll(i => had.Contains(i.Image));
        }

        var metadata = pod.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
        var ns = String(request, "namespace") ?? (metadata.ValueKind == JsonValueKind.Object ? String(metadata, "namespace") : null);
        var names = WorkloadNames(metadata, String(request, "name"));
        var user = request.TryGetProperty("userInfo", out var info) && info.ValueKind == JsonValueKind.Object ? String(info, "username") : null;
        var dryRun = request.TryGetProperty("dryRun", out var dry) && dry.ValueKind == JsonValueKind.True;
        return (uid, new AdmissionRequest(uid, operation, ns, names.Display, names.Candidates, images, dryRun, user), null);
    }

    private static string? ImagesOf(JsonElement pod, List<PodImage> images)
    {
        if (!pod.TryGetProperty("spec", out var spec) || spec.ValueKind != JsonValueKind.Object)
        {
            return "The pod has no spec.";
        }

        foreach (var list in ContainerLists)
        {
            if (!spec.TryGetProperty(list, out var containers) || containers.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            if (containers.ValueKind != JsonValueKind.Array)
            {
                return $"spec.{list} is not a list.";
            }

            var index = 0;
            foreach (var container in containers.EnumerateArray())
            {
                var name = container.ValueKind == JsonValueKind.Object ? String(container, "name") : null;
                var image = container.ValueKind == JsonValueKind.Object ? String(container, "image") : null;
                if (string.IsNullOrWhiteSpace(image))
                {
                    return $"spec.{list}[{index}] ({name ?? "no name"}) has no image.";
                }

                images.Add(new PodImage(name ?? $"{list}[{index}]", list, image));
                index++;
            }
        }

        return images.Count == 0 && !spec.TryGetProperty("containers", out _) ? "The pod spec has no containers." : null;
    }

    /// <summary>
    /// Names a hold on the workload may be placed under, best first: the Kubeflow notebook (its label), the controller
    /// (a ReplicaSet's Deployment, found by taking off the pod-template-hash), the pod's own name or generateName.
    /// </summary>
    private static (string Display, IReadOnlyList<string> Candidates) WorkloadNames(JsonElement metadata, string? requestName)
    {
        var candidates = new List<string>();
        string? display = null;
        if (metadata.ValueKind == JsonValueKind.Object)
        {
            var labels = metadata.TryGetProperty("labels", out var l) && l.ValueKind == JsonValueKind.Object ? l : default;
            if (labels.ValueKind == JsonValueKind.Object && String(labels, "notebook-name") is { Length: > 0 } notebook)
            {
                candidates.Add(notebook);
                display = $"Notebook {notebook}";
            }

            if (metadata.TryGetProperty("ownerReferences", out var owners) && owners.ValueKind == JsonValueKind.Array)
            {
                foreach (var owner in owners.EnumerateArray())
                {
                    if (owner.ValueKind != JsonValueKind.Object || !(owner.TryGetProperty("controller", out var c) && c.ValueKind == JsonValueKind.True))
                    {
                        continue;
                    }

                    var ownerKind = String(owner, "kind");
                    var ownerName = String(owner, "name");
                    if (ownerName is null)
                    {
                        continue;
                    }

                    var hash = labels.ValueKind == JsonValueKind.Object ? String(labels, "pod-template-hash") : null;
                    if (ownerKind == "ReplicaSet" && hash is not null && ownerName.EndsWith("-" + hash, StringComparison.Ordinal))
                    {
                        ownerName = ownerName[..^(hash.Length + 1)];
                        ownerKind = "Deployment";
                    }

                    candidates.Add(ownerName);
                    display ??= $"{ownerKind} {ownerName}";
                }
            }

            var name = String(metadata, "name") ?? requestName;
            if (name is { Length: > 0 })
            {
                candidates.Add(name);
                display ??= $"Pod {name}";
            }
            else if (String(metadata, "generateName") is { Length: > 0 } generated)
            {
                display ??= $"Pod {generated}*";
            }
        }

        return (display ?? "Pod (unnamed)", candidates);
    }

    private static string? String(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>The response review: same uid, allowed or not, the status message on refusal and the warnings.</summary>
    public static byte[] Write(string uid, bool allowed, int? code, string? message, IReadOnlyList<string> warnings)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + (message?.Length ?? 0) + warnings.Sum(w => w.Length + 4));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("apiVersion", ApiVersion);
            writer.WriteString("kind", Kind);
            writer.WriteStartObject("response");
            writer.WriteString("uid", uid);
            writer.WriteBoolean("allowed", allowed);
            if (!allowed)
            {
                writer.WriteStartObject("status");
                writer.WriteNumber("code", code ?? 403);
                writer.WriteString("reason", code == 400 ? "BadRequest" : "Forbidden");
                writer.WriteString("message", message ?? "Refused.");
                writer.WriteEndObject();
            }

            if (warnings.Count > 0)
            {
                writer.WriteStartArray("warnings");
                foreach (var warning in warnings)
                {
                    writer.WriteStringValue(warning);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Wraps a pod (its JSON) in a CREATE review, as the API server sends it; for tests, tools and the benchmark.</summary>
    public static string WrapPod(string podJson, string uid, string? ns = null, string operation = "CREATE", string? oldPodJson = null)
    {
        using var pod = JsonDocument.Parse(podJson);
        var metadata = pod.RootElement.TryGetProperty("metadata", out var m) ? m : default;
        ns ??= metadata.ValueKind == JsonValueKind.Object && metadata.TryGetProperty("namespace", out var n) ? n.GetString() : "default";
        var name = metadata.ValueKind == JsonValueKind.Object && metadata.TryGetProperty("name", out var nm) ? nm.GetString() : null;
        var builder = new StringBuilder();
        builder.Append("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{");
        builder.Append("\"uid\":").Append(JsonSerializer.Serialize(uid));
        builder.Append(",\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"}");
        builder.Append(",\"resource\":{\"group\":\"\",\"version\":\"v1\",\"resource\":\"pods\"}");
        builder.Append(",\"requestKind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"}");
        builder.Append(",\"requestResource\":{\"group\":\"\",\"version\":\"v1\",\"resource\":\"pods\"}");
        if (name is not null)
        {
            builder.Append(",\"name\":").Append(JsonSerializer.Serialize(name));
        }

        builder.Append(",\"namespace\":").Append(JsonSerializer.Serialize(ns));
        builder.Append(",\"operation\":").Append(JsonSerializer.Serialize(operation));
        builder.Append(",\"userInfo\":{\"username\":\"system:serviceaccount:kube-system:replicaset-controller\",\"uid\":\"6f7ad8b5-0000-4c1e-9d0a-000000000001\",\"groups\":[\"system:serviceaccounts\",\"system:serviceaccounts:kube-system\",\"system:authenticated\"]}");
        builder.Append(",\"object\":").Append(podJson);
        builder.Append(",\"oldObject\":").Append(oldPodJson ?? "null");
        builder.Append(",\"dryRun\":false");
        builder.Append(",\"options\":{\"kind\":\"").Append(operation == "CREATE" ? "CreateOptions" : "UpdateOptions").Append("\",\"apiVersion\":\"meta.k8s.io/v1\"}");
        builder.Append("}}");
        return builder.ToString();
    }
}
