using System.Collections.ObjectModel;
using System.Globalization;
using System.Text.Json;

namespace Portal.Core.Registry;

/// <summary>
/// Typed reads of JSON properties that fail with a <see cref="ManifestFormatException"/> naming the field by its
/// path (e.g. "layers[2].size"), so an operator can see exactly what a registry sent wrong. A JSON null counts as
/// absent: Go encoders emit null for empty optional maps and slices.
/// </summary>
internal static class JsonFields
{
    // Manifests are small (registries cap them at 4 MiB); nesting deeper than this is not a manifest.
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 64 };

    public static JsonDocument ParseDocument(ReadOnlySpan<byte> json, string what)
    {
        if (json.IsEmpty)
        {
            throw new ManifestFormatException($"{what} is empty.");
        }

        try
        {
            return JsonDocument.Parse(json.ToArray(), Options);
        }
        catch (JsonException ex)
        {
            throw new ManifestFormatException($"{what} is not valid JSON: {ex.Message}");
        }
    }

    public static JsonElement? Optional(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    public static JsonElement RequiredObject(JsonElement parent, string name, string path) =>
        Optional(parent, name) is { } value
            ? ExpectObject(value, path)
            : throw new ManifestFormatException($"{path} is required.");

    public static JsonElement ExpectObject(JsonElement value, string path) =>
        value.ValueKind == JsonValueKind.Object
            ? value
            : throw new ManifestFormatException($"{path} must be a JSON object, not {Describe(value)}.");

    public static JsonElement RequiredArray(JsonElement parent, string name, string path) =>
        Optional(parent, name) is { } value
            ? value.ValueKind == JsonValueKind.Array
                ? value
                : throw new ManifestFormatException($"{path} must be a JSON array, not {Describe(value)}.")
            : throw new ManifestFormatException($"{path} is required.");

    public static string RequiredString(JsonElement parent, string name, string path) =>
        OptionalString(parent, name, path) ?? throw new ManifestFormatException($"{path} is required.");

    public static string? OptionalString(JsonElement parent, string name, string path) =>
        Optional(parent, name) switch
        {
            null => null,
            { ValueKind: JsonValueKind.String } value => value.GetString(),
            { } value => throw new ManifestFormatException($"{path} must be a string, not {Describe(value)}."),
        };

    public static long RequiredInt64(JsonElement parent, string name, string path)
    {
        var value = Optional(parent, name) ?? throw new ManifestFormatException($"{path} is required.");
        if (value.ValueKind != JsonValueKind.Number)
        {
            throw new ManifestFormatException($"{path} must be a number, not {Describe(value)}.");
        }

        return value.TryGetInt64(out var number)
            ? number
            : throw new ManifestFormatException($"{path} must be a whole number, not {value.GetRawText()}.");
    }

    /// <summary>A string-to-string map such as annotations or labels; empty when absent.</summary>
    public static IReadOnlyDictionary<string, string> StringMap(JsonElement parent, string name, string path)
    {
        if (Optional(parent, name) is not { } value)
        {
            return ReadOnlyDictionary<string, string>.Empty;
        }

        ExpectObject(value, path);
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            map[property.Name] = property.Value.ValueKind == JsonValueKind.String
                ? property.Value.GetString()!
                : throw new ManifestFormatException(
                    $"{path}.{property.Name} must be a string, not {Describe(property.Value)}.");
        }

        return map.AsReadOnly();
    }

    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => string.Create(CultureInfo.InvariantCulture, $"the number {value.GetRawText()}"),
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
