using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.JsonPatch.SystemTextJson;
using Microsoft.AspNetCore.JsonPatch.SystemTextJson.Exceptions;

namespace KubernetesEmulator;

/// <summary>The patch formats the API server accepts, applied to a copy of the stored object.</summary>
internal static class Patches
{
    public const string JsonPatch = "application/json-patch+json";
    public const string MergePatch = "application/merge-patch+json";
    public const string StrategicMergePatch = "application/strategic-merge-patch+json";
    public const string ApplyPatch = "application/apply-patch+yaml";

    /// <summary>RFC 7386 JSON merge patch: objects merge recursively, <c>null</c> removes, everything else replaces.</summary>
    public static void ApplyMergePatch(JsonObject target, JsonObject patch)
    {
        foreach (var (key, value) in patch)
        {
            if (value is null)
            {
                target.Remove(key);
            }
            else if (value is JsonObject patchObject)
            {
                if (target[key] is JsonObject targetObject)
                {
                    ApplyMergePatch(targetObject, patchObject);
                }
                else
                {
                    var fresh = new JsonObject();
                    ApplyMergePatch(fresh, patchObject);
                    target[key] = fresh;
                }
            }
            else
            {
                target[key] = value.DeepClone();
            }
        }
    }

    /// <summary>
    /// RFC 6902 JSON patch with Microsoft.AspNetCore.JsonPatch.SystemTextJson, which works on <see cref="JsonObject"/>
    /// directly (case-sensitive paths, <c>~0</c>/<c>~1</c> escapes, <c>-</c> append, <c>test</c>). It applies operations
    /// in place one by one, so a failing operation leaves the earlier ones applied: callers patch a copy and keep it only
    /// when every operation succeeded, which gives the all-or-nothing the RFC asks for.
    /// </summary>
    /// <exception cref="KubernetesStatusException">400 when the patch document is malformed, 422 when it does not apply.</exception>
    public static void ApplyJsonPatch(JsonObject target, string body, ResourceType resource, string name)
    {
        JsonPatchDocument? document;
        try
        {
            document = JsonSerializer.Deserialize<JsonPatchDocument>(body);
        }
        catch (Exception e) when (e is JsonException or JsonPatchException or InvalidOperationException or NotSupportedException)
        {
            throw KubernetesStatus.BadRequest($"error decoding patch: {e.Message}");
        }

        if (document is null)
        {
            throw KubernetesStatus.BadRequest("error decoding patch: the patch document is null");
        }

        try
        {
            document.ApplyTo(target);
        }
        catch (Exception e)
        {
            // As kube-apiserver's patch handler: a patch that decodes but cannot be applied (a failed test, a missing
            // path) is 422 Unprocessable Entity with the generic message, the specific one in details.causes.
            throw KubernetesStatus.Invalid(resource, name, "the server rejected our request due to an error in our request",
                [new JsonObject { ["message"] = e.Message }]);
        }
    }
}
