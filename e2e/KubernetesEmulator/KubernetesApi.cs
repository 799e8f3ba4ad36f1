using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KubernetesEmulator;

/// <summary>One request, as the HTTP layer hands it over.</summary>
internal sealed record ApiRequest(string Method, string Path, IReadOnlyDictionary<string, string> Query, string? ContentType, string? Body);

/// <summary>One answer; error answers are <c>Status</c> objects with <c>code</c> equal to <see cref="StatusCode"/>.</summary>
internal sealed record ApiResponse(int StatusCode, byte[] Body, string ContentType = "application/json");

/// <summary>
/// The REST paths and semantics of kube-apiserver for the registered resources: list (paging, selectors), get, create,
/// replace, patch (JSON, merge, strategic merge for built-in types, apply) and delete, plus discovery and <c>/version</c>.
/// Synchronous: the HTTP layer reads the body first, so everything here runs under the store's lock without I/O.
/// </summary>
internal sealed class KubernetesApi(ResourceRegistry registry, ObjectStore store, Func<Uri> baseAddress)
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly string[] Verbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update"];

    public ApiResponse Handle(ApiRequest request)
    {
        try
        {
            return Route(request);
        }
        catch (KubernetesStatusException e)
        {
            return Json(e.Code, e.Status);
        }
    }

    private ApiResponse Route(ApiRequest request)
    {
        var segments = request.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var read = request.Method is "GET" or "HEAD";
        switch (segments)
        {
            case ["version"] when read:
                return Json(200, VersionInfo());
            case ["healthz" or "livez" or "readyz"] when read:
                return new ApiResponse(200, "ok"u8.ToArray(), "text/plain; charset=utf-8");
            case ["api"] when read:
                return Json(200, ApiVersions());
            case ["apis"] when read:
                return Json(200, GroupList());
            case ["apis", var group] when read:
                return Json(200, Group(group) ?? throw KubernetesStatus.ResourceNotFound());
            case ["api", var version, .. var rest]:
                return Resource(request, "", version, rest);
            case ["apis", var group, var version, .. var rest]:
                return Resource(request, group, version, rest);
            default:
                throw KubernetesStatus.ResourceNotFound();
        }
    }

    private ApiResponse Resource(ApiRequest request, string group, string version, string[] rest)
    {
        if (rest.Length == 0)
        {
            return request.Method == "GET"
                ? Json(200, ResourceList(group, version) ?? throw KubernetesStatus.ResourceNotFound())
                : throw KubernetesStatus.MethodNotAllowed();
        }

        ResourceType resource;
        string? ns = null;
        string? name;
        string[] subresource;
        if (rest is ["namespaces", var n, var plural, ..] && registry.FindByPath(group, version, plural) is { Namespaced: true } namespaced)
        {
            resource = namespaced;
            ns = n;
            name = rest.Length > 3 ? rest[3] : null;
            subresource = rest.Length > 4 ? rest[4..] : [];
        }
        else
        {
            resource = registry.FindByPath(group, version, rest[0]) ?? throw KubernetesStatus.ResourceNotFound();
            name = rest.Length > 1 ? rest[1] : null;
            subresource = rest.Length > 2 ? rest[2..] : [];
            if (resource.Namespaced && name is not null)
            {
                throw KubernetesStatus.ResourceNotFound();
            }
        }

        if (subresource.Length > 0)
        {
            // Subresources (status, scale, log, ...) are not emulated.
            throw KubernetesStatus.ResourceNotFound();
        }

        var dryRun = request.Query.TryGetValue("dryRun", out var dry) && dry == "All";
        return (name, request.Method) switch
        {
            (null, "GET") => List(request, resource, version, ns),
            (null, "POST") when ns is not null || !resource.Namespaced => Create(request, resource, version, ns, dryRun),
            (null, "DELETE") => DeleteCollection(request, resource, version, ns, dryRun),
            (not null, "GET") => Get(resource, version, ns, name),
            (not null, "PUT") => Replace(request, resource, version, ns, name, dryRun),
            (not null, "PATCH") => Patch(request, resource, version, ns, name, dryRun),
            (not null, "DELETE") => Delete(request, resource, version, ns, name, dryRun),
            _ => throw KubernetesStatus.MethodNotAllowed(),
        };
    }

    private ApiResponse List(ApiRequest request, ResourceType resource, string version, string? ns)
    {
        if (request.Query.TryGetValue("watch", out var watch) && watch is "true" or "1")
        {
            throw KubernetesStatus.BadRequest("the Kubernetes API emulator does not serve watch requests");
        }

        var query = ParseListQuery(request.Query);
        var items = new ArrayBufferWriter<byte>();
        ListPage page;
        using (var itemWriter = new Utf8JsonWriter(items, WriterOptions))
        {
            itemWriter.WriteStartArray();
            page = store.List(resource, ns, query, (_, obj) => WriteObject(itemWriter, obj, resource, version));
            itemWriter.WriteEndArray();
        }

        var output = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(output, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("kind", resource.ListKind);
            writer.WriteString("apiVersion", resource.ApiVersion(version));
            writer.WriteStartObject("metadata");
            writer.WriteString("resourceVersion", page.ResourceVersion);
            if (page.Continue is not null)
            {
                writer.WriteString("continue", page.Continue);
            }

            if (page.RemainingItemCount is { } remaining)
            {
                writer.WriteNumber("remainingItemCount", remaining);
            }

            writer.WriteEndObject();
            writer.WritePropertyName("items");
            writer.WriteRawValue(items.WrittenSpan, skipInputValidation: true);
            writer.WriteEndObject();
        }

        return new ApiResponse(200, output.WrittenSpan.ToArray());
    }

    private static ListQuery ParseListQuery(IReadOnlyDictionary<string, string> query)
    {
        var limit = 0;
        if (query.TryGetValue("limit", out var limitText) && limitText.Length > 0
            && !int.TryParse(limitText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out limit))
        {
            throw KubernetesStatus.BadRequest($"limit: Invalid value: \"{limitText}\": must be an integer");
        }

        return new ListQuery(
            Math.Max(limit, 0),
            query.GetValueOrDefault("continue"),
            LabelSelector.Parse(query.GetValueOrDefault("labelSelector")),
            FieldSelector.Parse(query.GetValueOrDefault("fieldSelector")));
    }

    private ApiResponse Get(ResourceType resource, string version, string? ns, string name) =>
        Object(200, store.Get(resource, ns, name) ?? throw KubernetesStatus.NotFound(resource, name), resource, version);

    private ApiResponse Create(ApiRequest request, ResourceType resource, string version, string? ns, bool dryRun)
    {
        var obj = ParseObject(request.Body, resource, version);
        var metadata = Metadata(obj);
        CheckNamespace(metadata, resource, ns);
        var name = (string?)metadata["name"];
        if (string.IsNullOrEmpty(name))
        {
            var generateName = (string?)metadata["generateName"];
            if (string.IsNullOrEmpty(generateName))
            {
                throw KubernetesStatus.Invalid(resource, "",
                    $"{resource.Kind} \"\" is invalid: metadata.name: Required value: name or generateName is required");
            }

            name = generateName + RandomSuffix();
            metadata["name"] = name;
        }

        // The server owns these: whatever the client sent is replaced.
        metadata.Remove("uid");
        metadata.Remove("creationTimestamp");
        metadata.Remove("resourceVersion");
        metadata.Remove("deletionTimestamp");
        metadata["generation"] = 1;
        var created = store.Write(resource, ns, name, dryRun, current =>
        {
            if (current is not null)
            {
                throw KubernetesStatus.AlreadyExists(resource, name);
            }

            store.FillServerFields(metadata, keepResourceVersion: false);
            return (obj, obj);
        });
        return Object(201, created, resource, version);
    }

    private ApiResponse Replace(ApiRequest request, ResourceType resource, string version, string? ns, string name, bool dryRun)
    {
        var obj = ParseObject(request.Body, resource, version);
        var metadata = Metadata(obj);
        CheckNamespace(metadata, resource, ns);
        var bodyName = (string?)metadata["name"];
        if (bodyName != name)
        {
            throw KubernetesStatus.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
        }

        var replaced = store.Write(resource, ns, name, dryRun, current =>
        {
            if (current is null)
            {
                throw KubernetesStatus.NotFound(resource, name);
            }

            CheckResourceVersion(metadata, current, resource, name);
            KeepServerFields(obj, current);
            return (obj, obj);
        });
        return Object(200, replaced, resource, version);
    }

    private ApiResponse Patch(ApiRequest request, ResourceType resource, string version, string? ns, string name, bool dryRun)
    {
        var mediaType = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        var supported = mediaType is Patches.JsonPatch or Patches.MergePatch or Patches.ApplyPatch
            || (mediaType == Patches.StrategicMergePatch && resource.BuiltIn);
        if (!supported)
        {
            throw KubernetesStatus.UnsupportedMediaType(resource);
        }

        var body = request.Body ?? "";
        if (mediaType == Patches.ApplyPatch && string.IsNullOrEmpty(request.Query.GetValueOrDefault("fieldManager")))
        {
            throw new KubernetesStatusException(422, "Invalid",
                "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch",
                new JsonObject { ["group"] = "meta.k8s.io", ["kind"] = "PatchOptions" });
        }

        var (patched, created) = store.Write(resource, ns, name, dryRun, current =>
        {
            if (current is null && mediaType != Patches.ApplyPatch)
            {
                throw KubernetesStatus.NotFound(resource, name);
            }

            // Patch a second copy: the first stays as it was, for the resourceVersion check and the immutable fields.
            var working = (JsonObject?)current?.DeepClone() ?? [];
            switch (mediaType)
            {
                case Patches.JsonPatch:
                    Patches.ApplyJsonPatch(working, body, resource, name);
                    break;
                case Patches.ApplyPatch:
                    // Server-side apply without field ownership: the applied configuration is merged in like a merge
                    // patch (lists replace rather than merge by key), and a missing object is created.
                    Patches.ApplyMergePatch(working, ParseApplyConfiguration(body));
                    break;
                default:
                    // Strategic merge patch is treated as a JSON merge patch: the patch-merge keys of built-in types
                    // (containers by name, ...) and $patch/$retainKeys directives are not emulated, lists replace.
                    Patches.ApplyMergePatch(working, ParseJson(body) as JsonObject
                        ?? throw KubernetesStatus.BadRequest("the patch body must be a JSON object"));
                    break;
            }

            if (current is null)
            {
                var metadata = Metadata(working);
                metadata["name"] = name;
                if (ns is not null)
                {
                    metadata["namespace"] = ns;
                }

                metadata.Remove("resourceVersion");
                metadata["generation"] = 1;
                working["apiVersion"] = resource.ApiVersion(version);
                working["kind"] = resource.Kind;
                store.FillServerFields(metadata, keepResourceVersion: false);
                return (working, (working, true));
            }

            CheckResourceVersion(Metadata(working), current, resource, name);
            KeepServerFields(working, current);
            return (working, (working, false));
        });
        return Object(created ? 201 : 200, patched, resource, version);
    }

    private ApiResponse Delete(ApiRequest request, ResourceType resource, string version, string? ns, string name, bool dryRun)
    {
        var preconditions = string.IsNullOrWhiteSpace(request.Body) ? null : (ParseJson(request.Body) as JsonObject)?["preconditions"];
        var deleted = store.Write(resource, ns, name, dryRun, current =>
        {
            if (current is null)
            {
                throw KubernetesStatus.NotFound(resource, name);
            }

            var metadata = Metadata(current);
            if ((string?)preconditions?["uid"] is { } uid && uid != (string?)metadata["uid"])
            {
                throw new KubernetesStatusException(409, "Conflict",
                    $"Precondition failed: UID in precondition: {uid}, UID in object meta: {metadata["uid"]}",
                    KubernetesStatus.Details(resource, name));
            }

            if ((string?)preconditions?["resourceVersion"] is { } rv && rv != (string?)metadata["resourceVersion"])
            {
                throw new KubernetesStatusException(409, "Conflict",
                    $"Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {metadata["resourceVersion"]}",
                    KubernetesStatus.Details(resource, name));
            }

            return ((JsonObject?)null, current);
        });

        // Finalizers and graceful deletion are not emulated: the object is gone at once, as after its grace period.
        return Object(200, deleted, resource, version);
    }

    private ApiResponse DeleteCollection(ApiRequest request, ResourceType resource, string version, string? ns, bool dryRun)
    {
        var query = ParseListQuery(request.Query);
        var deleted = store.DeleteCollection(resource, ns, query with { Limit = 0, Continue = null }, dryRun);
        var output = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(output, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("kind", resource.ListKind);
            writer.WriteString("apiVersion", resource.ApiVersion(version));
            writer.WriteStartObject("metadata");
            writer.WriteString("resourceVersion", store.ResourceVersion.ToString(CultureInfo.InvariantCulture));
            writer.WriteEndObject();
            writer.WriteStartArray("items");
            foreach (var obj in deleted)
            {
                WriteObject(writer, obj, resource, version);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return new ApiResponse(200, output.WrittenSpan.ToArray());
    }

    private void KeepServerFields(JsonObject next, JsonObject current)
    {
        var metadata = Metadata(next);
        var currentMetadata = Metadata(current);
        next["apiVersion"] = current["apiVersion"]?.DeepClone();
        next["kind"] = current["kind"]?.DeepClone();
        foreach (var field in (string[])["name", "namespace", "uid", "creationTimestamp"])
        {
            metadata[field] = currentMetadata[field]?.DeepClone();
            if (metadata[field] is null)
            {
                metadata.Remove(field);
            }
        }

        var generation = currentMetadata["generation"] is JsonValue g && g.TryGetValue<long>(out var value) ? value : 1;
        metadata["generation"] = JsonNode.DeepEquals(next["spec"], current["spec"]) ? generation : generation + 1;
        metadata["resourceVersion"] = store.NextResourceVersion();
    }

    private static void CheckResourceVersion(JsonObject metadata, JsonObject current, ResourceType resource, string name)
    {
        var wanted = (metadata["resourceVersion"] as JsonValue)?.ToString();
        if (!string.IsNullOrEmpty(wanted) && wanted != (string?)Metadata(current)["resourceVersion"])
        {
            throw KubernetesStatus.Conflict(resource, name);
        }
    }

    private static void CheckNamespace(JsonObject metadata, ResourceType resource, string? ns)
    {
        if (!resource.Namespaced)
        {
            metadata.Remove("namespace");
            return;
        }

        var given = (string?)metadata["namespace"];
        if (!string.IsNullOrEmpty(given) && given != ns)
        {
            throw KubernetesStatus.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }

        metadata["namespace"] = ns;
    }

    private static JsonObject ParseObject(string? body, ResourceType resource, string version)
    {
        if (ParseJson(body ?? "") is not JsonObject obj)
        {
            throw KubernetesStatus.BadRequest(
                $"the object provided is unrecognized (must be of type {resource.Kind}): the request body must be a JSON object");
        }

        var kind = (string?)obj["kind"];
        if (!string.IsNullOrEmpty(kind) && kind != resource.Kind)
        {
            throw KubernetesStatus.BadRequest(
                $"the object provided is unrecognized (must be of type {resource.Kind}): kind {kind} does not match the path");
        }

        var apiVersion = (string?)obj["apiVersion"];
        if (!string.IsNullOrEmpty(apiVersion) && ResourceRegistry.SplitApiVersion(apiVersion).Group != resource.Group)
        {
            throw KubernetesStatus.BadRequest(
                $"the API version in the data ({apiVersion}) does not match the expected API version ({resource.ApiVersion(version)})");
        }

        obj["apiVersion"] = resource.ApiVersion(version);
        obj["kind"] = resource.Kind;
        if (obj["metadata"] is not JsonObject)
        {
            obj["metadata"] = new JsonObject();
        }

        return obj;
    }

    private static JsonNode? ParseJson(string body)
    {
        try
        {
            return JsonNode.Parse(body);
        }
        catch (JsonException e)
        {
            throw KubernetesStatus.BadRequest($"the request body is not valid JSON: {e.Message}");
        }
    }

    private static JsonObject ParseApplyConfiguration(string body)
    {
        try
        {
            return YamlToJson.ConvertDocuments(body) is [JsonObject single]
                ? single
                : throw KubernetesStatus.BadRequest("the apply configuration must be a single object");
        }
        catch (FormatException e)
        {
            throw KubernetesStatus.BadRequest($"error decoding YAML: {e.Message}");
        }
    }

    private static JsonObject Metadata(JsonObject obj)
    {
        if (obj["metadata"] is JsonObject metadata)
        {
            return metadata;
        }

        metadata = [];
        obj["metadata"] = metadata;
        return metadata;
    }

    private static string RandomSuffix()
    {
        // The real server's alphabet for generateName: no vowels, no confusable characters.
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        return string.Create(5, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
            }
        });
    }

    private static ApiResponse Object(int code, JsonObject obj, ResourceType resource, string version)
    {
        var output = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(output, WriterOptions))
        {
            WriteObject(writer, obj, resource, version);
        }

        return new ApiResponse(code, output.WrittenSpan.ToArray());
    }

    /// <summary>Writes an object as served at <paramref name="version"/>: one stored object answers for every version of
    /// a multi-version custom resource (the real server converts; these versions share one schema).</summary>
    internal static void WriteObject(Utf8JsonWriter writer, JsonObject obj, ResourceType resource, string version)
    {
        writer.WriteStartObject();
        writer.WriteString("apiVersion", resource.ApiVersion(version));
        writer.WriteString("kind", resource.Kind);
        foreach (var (key, value) in obj)
        {
            if (key is "apiVersion" or "kind")
            {
                continue;
            }

            writer.WritePropertyName(key);
            if (value is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                value.WriteTo(writer);
            }
        }

        writer.WriteEndObject();
    }

    private static ApiResponse Json(int code, JsonNode body)
    {
        var output = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(output, WriterOptions))
        {
            body.WriteTo(writer);
        }

        return new ApiResponse(code, output.WrittenSpan.ToArray());
    }

    private static JsonObject VersionInfo() => new()
    {
        ["major"] = "1",
        ["minor"] = "34",
        ["emulationMajor"] = "1",
        ["emulationMinor"] = "34",
        ["minCompatibilityMajor"] = "1",
        ["minCompatibilityMinor"] = "33",
        ["gitVersion"] = "v1.34.1",
        ["gitCommit"] = "0000000000000000000000000000000000000000",
        ["gitTreeState"] = "clean",
        ["buildDate"] = "2025-09-09T19:00:00Z",
        ["goVersion"] = "go1.24.6",
        ["compiler"] = "gc",
        ["platform"] = "linux/amd64",
    };

    private JsonObject ApiVersions() => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject
        {
            ["clientCIDR"] = "0.0.0.0/0",
            ["serverAddress"] = baseAddress().Authority,
        }),
    };

    private JsonObject GroupList() => new()
    {
        ["kind"] = "APIGroupList",
        ["apiVersion"] = "v1",
        ["groups"] = new JsonArray([.. registry.All().Where(r => !r.IsCore).Select(r => r.Group).Distinct().Order(StringComparer.Ordinal)
            .Select(g => (JsonNode?)GroupBody(g))]),
    };

    private JsonObject? Group(string group)
    {
        if (!registry.All().Any(r => r.Group == group && !r.IsCore))
        {
            return null;
        }

        var body = new JsonObject { ["kind"] = "APIGroup", ["apiVersion"] = "v1" };
        foreach (var (key, value) in GroupBody(group).ToList())
        {
            body[key] = value?.DeepClone();
        }

        return body;
    }

    private JsonObject GroupBody(string group)
    {
        var versions = registry.All().Where(r => r.Group == group).SelectMany(r => r.Versions).Distinct().ToList();
        JsonObject Version(string v) => new() { ["groupVersion"] = $"{group}/{v}", ["version"] = v };
        return new JsonObject
        {
            ["name"] = group,
            ["versions"] = new JsonArray([.. versions.Select(v => (JsonNode?)Version(v))]),
            ["preferredVersion"] = Version(versions[0]),
        };
    }

    private JsonObject? ResourceList(string group, string version)
    {
        var resources = registry.All().Where(r => r.Group == group && r.Serves(version)).OrderBy(r => r.Plural, StringComparer.Ordinal).ToList();
        if (resources.Count == 0)
        {
            return null;
        }

        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = resources[0].ApiVersion(version),
            ["resources"] = new JsonArray([.. resources.Select(r => (JsonNode?)new JsonObject
            {
                ["name"] = r.Plural,
                ["singularName"] = r.Kind.ToLowerInvariant(),
                ["namespaced"] = r.Namespaced,
                ["kind"] = r.Kind,
                ["verbs"] = new JsonArray([.. Verbs.Select(v => (JsonNode?)v)]),
            })]),
        };
    }
}
