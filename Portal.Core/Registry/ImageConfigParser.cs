using System.Collections.ObjectModel;
using System.Globalization;
using System.Text.Json;

namespace Portal.Core.Registry;

/// <summary>Reads Docker and OCI image config blobs (the two formats share the fields read here).</summary>
public static class ImageConfigParser
{
    public static ImageConfig Parse(ReadOnlySpan<byte> json)
    {
        using var document = JsonFields.ParseDocument(json, "Image config");
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new ManifestFormatException($"Image config must be a JSON object, not {JsonFields.Describe(root)}.");
        }

        // Labels live under "config"; either may be null or absent (artifacts use the empty config "{}").
        var labels = JsonFields.Optional(root, "config") is { } config
            ? JsonFields.StringMap(JsonFields.ExpectObject(config, "config"), "Labels", "config.Labels")
            : ReadOnlyDictionary<string, string>.Empty;

        return new ImageConfig(
            ReadCreated(root),
            labels,
            JsonFields.OptionalString(root, "os", "os"),
            JsonFields.OptionalString(root, "architecture", "architecture"),
            JsonFields.OptionalString(root, "variant", "variant"));
    }

    private static DateTimeOffset? ReadCreated(JsonElement root)
    {
        var text = JsonFields.OptionalString(root, "created", "created");
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        // RFC 3339 as Go writes it, often with nanoseconds, which .NET cannot hold:
        // cut the fraction to the 7 digits .NET keeps before parsing.
        return DateTimeOffset.TryParseExact(
            TrimFraction(text),
            "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
            CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal,
            out var created)
            ? created
            : throw new ManifestFormatException($"created must be an RFC 3339 date-time, not '{text}'.");
    }

    private static string TrimFraction(string text)
    {
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
        {
            return text;
        }

        var end = dot + 1;
        while (end < text.Length && char.IsAsciiDigit(text[end]))
        {
            end++;
        }

        return end - dot - 1 > 7 ? string.Concat(text.AsSpan(0, dot + 8), text.AsSpan(end)) : text;
    }
}
