using System.Text.Json;
using System.Text.Json.Nodes;

namespace KubernetesEmulator;

/// <summary>
/// Turns real-format manifests and API output into objects to store: YAML (multi-document) or JSON, single objects or
/// lists (<c>kind: List</c>, or typed lists such as <c>PodList</c> whose items lack apiVersion/kind), and objects whose
/// apiVersion/kind were stripped but whose <c>metadata.selfLink</c> still says what they are (archived API output).
/// </summary>
internal sealed class ObjectLoader(ResourceRegistry registry)
{
    /// <exception cref="FormatException">The text is not YAML/JSON, or an object lacks what it needs.</exception>
    /// <exception cref="InvalidOperationException">An object's apiVersion/kind is not a registered resource.</exception>
    public List<(ResourceType Resource, JsonObject Object)> Parse(string text, string? defaultNamespace, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.AsSpan().TrimStart();
        IReadOnlyList<JsonNode> documents;
        if (trimmed.Length > 0 && trimmed[0] is '{' or '[')
        {
            try
            {
                documents = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true }) is { } node ? [node] : [];
            }
            catch (JsonException e)
            {
                throw new FormatException($"{source}: invalid JSON: {e.Message}", e);
            }
        }
        else
        {
            try
            {
                documents = YamlToJson.ConvertDocuments(text);
            }
            catch (FormatException e)
            {
                throw new FormatException($"{source}: {e.Message}", e);
            }
        }

        var result = new List<(ResourceType, JsonObject)>();
        for (var i = 0; i < documents.Count; i++)
        {
            Expand(documents[i], defaultNamespace ?? "default", documents.Count > 1 ? $"{source}, document {i + 1}" : source, result, null, null);
        }

        return result;
    }

    private void Expand(JsonNode node, string defaultNamespace, string where, List<(ResourceType, JsonObject)> result,
        string? inheritedApiVersion, string? inheritedKind)
    {
        if (node is JsonArray array)
        {
            for (var i = 0; i < array.Count; i++)
            {
                Expand(array[i] ?? throw new FormatException($"{where}: item {i} is null"), defaultNamespace, $"{where}, item {i}", result,
                    inheritedApiVersion, inheritedKind);
            }

            return;
        }

        if (node is not JsonObject obj)
        {
            throw new FormatException($"{where}: expected an object, found {node.GetValueKind()}");
        }

        var apiVersion = (string?)obj["apiVersion"] ?? inheritedApiVersion;
        var kind = (string?)obj["kind"] ?? inheritedKind;
        if (obj["items"] is JsonArray items && kind is not null && (kind == "List" || (kind.EndsWith("List", StringComparison.Ordinal)
            && apiVersion is not null && FindByKind(apiVersion, kind) is null)))
        {
            // Items of a typed list (PodList) carry no apiVersion/kind of their own on the wire.
            var itemKind = kind == "List" ? null : kind[..^"List".Length];
            var itemApiVersion = kind == "List" ? null : apiVersion;
            for (var i = 0; i < items.Count; i++)
            {
                Expand(items[i] ?? throw new FormatException($"{where}: item {i} is null"), defaultNamespace, $"{where}, item {i}", result,
                    itemApiVersion, itemKind);
            }

            return;
        }

        ResourceType resource;
        if (apiVersion is null || kind is null)
        {
            resource = FromSelfLink(obj) ?? throw new FormatException(
                $"{where}: the object has no apiVersion/kind (and no metadata.selfLink to tell what it is)");
        }
        else
        {
            resource = FindByKind(apiVersion, kind) ?? throw new InvalidOperationException(
                $"{where}: no resource is registered for apiVersion \"{apiVersion}\", kind \"{kind}\" "
                + "(a typo? otherwise register it with KubernetesApiEmulator.RegisterResource)");
        }

        var copy = (JsonObject)obj.DeepClone();
        var version = apiVersion is null ? resource.Versions[0] : ResourceRegistry.SplitApiVersion(apiVersion).Version;
        copy["apiVersion"] = resource.ApiVersion(version);
        copy["kind"] = resource.Kind;
        if (copy["metadata"] is not JsonObject metadata || string.IsNullOrEmpty((string?)metadata["name"]))
        {
            throw new FormatException($"{where}: the {resource.Kind} has no metadata.name");
        }

        if (resource.Namespaced)
        {
            if (string.IsNullOrEmpty((string?)metadata["namespace"]))
            {
                metadata["namespace"] = defaultNamespace;
            }
        }
        else
        {
            metadata.Remove("namespace");
        }

        result.Add((resource, copy));
    }

    /// <summary>Finds a registered resource for an object (throws <see cref="ArgumentException"/> naming what is missing).</summary>
    public ResourceType Resolve(JsonObject obj)
    {
        var apiVersion = (string?)obj["apiVersion"];
        var kind = (string?)obj["kind"];
        if (apiVersion is null || kind is null)
        {
            return FromSelfLink(obj) ?? throw new ArgumentException("The object has no apiVersion/kind.", nameof(obj));
        }

        return FindByKind(apiVersion, kind) ?? throw new ArgumentException(
            $"No resource is registered for apiVersion \"{apiVersion}\", kind \"{kind}\".", nameof(obj));
    }

    public ResourceType? FindByKind(string apiVersion, string kind)
    {
        var (group, version) = ResourceRegistry.SplitApiVersion(apiVersion);
        return registry.FindByKind(group, version, kind);
    }

    private ResourceType? FromSelfLink(JsonObject obj)
    {
        if ((string?)obj["metadata"]?["selfLink"] is not { Length: > 0 } selfLink)
        {
            return null;
        }

        var segments = selfLink.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var (group, version, rest) = segments switch
        {
            ["api", var v, .. var r] => ("", v, r),
            ["apis", var g, var v, .. var r] => (g, v, r),
            _ => ("", "", Array.Empty<string>()),
        };
        var plural = rest switch
        {
            ["namespaces", _, var p, _] => p,
            [var p, _] => p,
            _ => null,
        };
        return plural is null ? null : registry.FindByPath(group, version, plural);
    }
}
