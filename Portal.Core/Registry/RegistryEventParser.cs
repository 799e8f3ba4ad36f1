using System.Text.Json;

namespace Portal.Core.Registry;

/// <summary>What happened in a registry: an image was pushed, or a manifest or tag deleted.</summary>
public enum RegistryEventAction
{
    Push,
    Delete,
}

/// <summary>One push or delete a registry reported, reduced to what tells the inventory which repository to read again.</summary>
public sealed record RegistryEvent(RegistryEventAction Action, string Repository, string? Tag, string? Digest);

/// <summary>A registry's events, and how many it sent that do not change the inventory (pulls, blob mounts).</summary>
public sealed record RegistryEventBatch(IReadOnlyList<RegistryEvent> Events, int Ignored);

public sealed class RegistryEventFormatException(string message) : Exception(message);

/// <summary>
/// Reads the notifications registries send on push and delete:
/// <list type="bullet">
/// <item>CNCF Distribution (<c>notifications.endpoints</c>): an envelope <c>{"events": [...]}</c> of
/// <c>application/vnd.docker.distribution.events.v1+json</c>, each event with <c>action</c> and
/// <c>target.repository</c>, <c>target.tag</c>, <c>target.digest</c>;</item>
/// <item>Azure Container Registry webhooks: one such event on its own, not in an envelope;</item>
/// <item>Harbor webhooks (<c>PUSH_ARTIFACT</c>, <c>DELETE_ARTIFACT</c>): <c>event_data.repository.repo_full_name</c> and
/// <c>event_data.resources[].tag</c> and <c>.digest</c>.</item>
/// </list>
/// No library in the feed reads these; the shapes are small and documented by each registry.
/// </summary>
public static class RegistryEventParser
{
    public static RegistryEventBatch Parse(ReadOnlyMemory<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException ex)
        {
            throw new RegistryEventFormatException($"The body is not valid JSON: {ex.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new RegistryEventFormatException("The body must be a JSON object: a Distribution envelope, an ACR event or a Harbor event.");
            }

            if (root.TryGetProperty("events", out var events))
            {
                if (events.ValueKind != JsonValueKind.Array)
                {
                    throw new RegistryEventFormatException("'events' must be an array.");
                }

                return Collect(events.EnumerateArray().Select((e, i) => ReadDistributionEvent(e, $"events[{i}]")));
            }

            if (root.TryGetProperty("action", out _) && root.TryGetProperty("target", out _))
            {
                return Collect([ReadDistributionEvent(root, "the event")]);
            }

            if (root.TryGetProperty("type", out var type) && root.TryGetProperty("event_data", out var data))
            {
                return Collect(ReadHarborEvent(type, data));
            }

            throw new RegistryEventFormatException(
                "Not a registry event: expected a Distribution envelope ('events'), an ACR event ('action' and 'target') or a Harbor event ('type' and 'event_data').");
        }
    }

    private static RegistryEventBatch Collect(IEnumerable<RegistryEvent?> events)
    {
        var kept = new List<RegistryEvent>();
        var ignored = 0;
        foreach (var e in events)
        {
            if (e is null)
            {
                ignored++;
            }
            else
            {
                kept.Add(e);
            }
        }

        return new RegistryEventBatch(kept, ignored);
    }

    private static RegistryEvent? ReadDistributionEvent(JsonElement e, string where)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw new RegistryEventFormatException($"{where} is not an object.");
        }

        var action = e.TryGetProperty("action", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;
        RegistryEventAction? kind = action switch
        {
            "push" => RegistryEventAction.Push,
            "delete" => RegistryEventAction.Delete,
            null => throw new RegistryEventFormatException($"{where} has no 'action'."),
            _ => null, // pull, mount: nothing in the inventory changes
        };
        if (kind is null)
        {
            return null;
        }

        if (!e.TryGetProperty("target", out var target) || target.ValueKind != JsonValueKind.Object)
        {
            throw new RegistryEventFormatException($"{where} has no 'target'.");
        }

        // Distribution also reports every layer and config blob it receives; only manifests change what tags point at.
        if (String(target, "mediaType") is { Length: > 0 } mediaType && !MediaTypes.ManifestAcceptTypes.Contains(mediaType))
        {
            return null;
        }

        return Event(kind.Value, String(target, "repository"), String(target, "tag"), String(target, "digest"), where);
    }

    private static IEnumerable<RegistryEvent?> ReadHarborEvent(JsonElement type, JsonElement data)
    {
        RegistryEventAction? kind = type.ValueKind == JsonValueKind.String ? type.GetString() switch
        {
            "PUSH_ARTIFACT" => RegistryEventAction.Push,
            "DELETE_ARTIFACT" => RegistryEventAction.Delete,
            _ => null,
        } : throw new RegistryEventFormatException("'type' must be a string.");
        if (kind is null)
        {
            return [null];
        }

        var repository = data.ValueKind == JsonValueKind.Object && data.TryGetProperty("repository", out var r) && r.ValueKind == JsonValueKind.Object
            ? String(r, "repo_full_name")
            : null;
        var resources = data.TryGetProperty("resources", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().ToList()
            : [];
        if (resources.Count == 0)
        {
            return [Event(kind.Value, repository, null, null, "event_data")];
        }

        return resources.Select((resource, i) => resource.ValueKind == JsonValueKind.Object
            ? Event(kind.Value, repository, String(resource, "tag"), String(resource, "digest"), $"event_data.resources[{i}]")
            : throw new RegistryEventFormatException($"event_data.resources[{i}] is not an object.")).ToList();
    }

    private static RegistryEvent Event(RegistryEventAction action, string? repository, string? tag, string? digest, string where)
    {
        if (string.IsNullOrEmpty(repository))
        {
            throw new RegistryEventFormatException($"{where} names no repository.");
        }

        if (ImageReference.ValidateRepository(repository) is { } repositoryError)
        {
            throw new RegistryEventFormatException($"{where}: {repositoryError}");
        }

        if (!string.IsNullOrEmpty(tag) && ImageReference.ValidateTag(tag) is { } tagError)
        {
            throw new RegistryEventFormatException($"{where}: {tagError}");
        }

        if (!string.IsNullOrEmpty(digest) && !Registry.Digest.TryParse(digest, out _, out var digestError))
        {
            throw new RegistryEventFormatException($"{where}: {digestError}");
        }

        return new RegistryEvent(action, repository, string.IsNullOrEmpty(tag) ? null : tag, string.IsNullOrEmpty(digest) ? null : digest);
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
