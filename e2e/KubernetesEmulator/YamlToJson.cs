using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace KubernetesEmulator;

/// <summary>
/// Converts YAML documents to JSON nodes the way kubectl does (<c>sigs.k8s.io/yaml</c>, i.e. go-yaml with YAML 1.1
/// scalar resolution): only plain scalars are typed — <c>true</c>/<c>yes</c>/<c>on</c> and friends are booleans,
/// integers and floats are numbers, <c>null</c>/<c>~</c>/empty are null — while quoted, literal and folded scalars are
/// always strings (<c>cpu: "2"</c> stays the string "2"). Explicit <c>!!str</c>/<c>!!int</c>/... tags win. Mapping keys
/// are always strings; <c>&lt;&lt;</c> merge keys are honoured; aliases are expanded.
/// </summary>
internal static partial class YamlToJson
{
    private const string TagPrefix = "tag:yaml.org,2002:";

    private static readonly HashSet<string> Trues = new(StringComparer.Ordinal)
        { "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON" };

    private static readonly HashSet<string> Falses = new(StringComparer.Ordinal)
        { "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF" };

    private static readonly HashSet<string> Nulls = new(StringComparer.Ordinal) { "", "~", "null", "Null", "NULL" };

    /// <summary>Every non-empty document of a (multi-document) YAML text.</summary>
    public static IReadOnlyList<JsonNode> ConvertDocuments(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new FormatException($"Invalid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}", e);
        }

        var documents = new List<JsonNode>();
        foreach (var document in stream.Documents)
        {
            if (Convert(document.RootNode) is { } node)
            {
                documents.Add(node);
            }
        }

        return documents;
    }

    public static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode mapping => ConvertMapping(mapping),
        YamlSequenceNode sequence => new JsonArray([.. sequence.Children.Select(Convert)]),
        YamlScalarNode scalar => ConvertScalar(scalar),
        _ => throw new FormatException($"Unsupported YAML node at line {node.Start.Line}: {node.NodeType}"),
    };

    private static JsonObject ConvertMapping(YamlMappingNode mapping)
    {
        var result = new JsonObject();
        var merged = new List<JsonObject>();
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode key)
            {
                throw new FormatException($"Only scalar mapping keys can become JSON (line {keyNode.Start.Line}).");
            }

            if (key.Value == "<<" && key.Style is ScalarStyle.Plain or ScalarStyle.Any)
            {
                // YAML 1.1 merge key: earlier sources win over later ones, explicit keys win over all of them.
                var sources = valueNode is YamlSequenceNode many ? many.Children : [valueNode];
                merged.AddRange(sources.Select(Convert).OfType<JsonObject>());
                continue;
            }

            result[key.Value ?? ""] = Convert(valueNode);
        }

        foreach (var source in merged)
        {
            foreach (var (name, value) in source)
            {
                if (!result.ContainsKey(name))
                {
                    result[name] = value?.DeepClone();
                }
            }
        }

        return result;
    }

    private static JsonNode? ConvertScalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        var tag = scalar.Tag.IsEmpty ? null : scalar.Tag.Value;
        if (tag is not null && tag.StartsWith(TagPrefix, StringComparison.Ordinal))
        {
            return tag[TagPrefix.Length..] switch
            {
                "str" or "binary" or "timestamp" => JsonValue.Create(text),
                "null" => null,
                "bool" => Trues.Contains(text) ? JsonValue.Create(true)
                    : Falses.Contains(text) ? JsonValue.Create(false)
                    : throw new FormatException($"Cannot read \"{text}\" as !!bool (line {scalar.Start.Line})."),
                "int" or "float" => Number(text) ?? throw new FormatException(
                    $"Cannot read \"{text}\" as a number (line {scalar.Start.Line})."),
                _ => JsonValue.Create(text),
            };
        }

        if (scalar.Style is not (ScalarStyle.Plain or ScalarStyle.Any) || tag is not null)
        {
            return JsonValue.Create(text);
        }

        if (Nulls.Contains(text))
        {
            return null;
        }

        if (Trues.Contains(text))
        {
            return JsonValue.Create(true);
        }

        if (Falses.Contains(text))
        {
            return JsonValue.Create(false);
        }

        return Number(text) ?? JsonValue.Create(text);
    }

    private static JsonValue? Number(string text)
    {
        var plain = text.Replace("_", "", StringComparison.Ordinal);
        if (DecimalInteger().IsMatch(plain))
        {
            if (plain.Length > 1 && plain.TrimStart('+', '-') is ['0', .. var rest] && rest.All(c => c is >= '0' and <= '7'))
            {
                // YAML 1.1 octal (0755), as go-yaml reads it.
                var value = System.Convert.ToInt64(rest.Length == 0 ? "0" : rest, 8);
                return JsonValue.Create(plain.StartsWith('-') ? -value : value);
            }

            if (long.TryParse(plain, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
            {
                return JsonValue.Create(integer);
            }

            return decimal.TryParse(plain, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var big)
                ? JsonValue.Create(big)
                : null;
        }

        if (plain.StartsWith("0x", StringComparison.Ordinal) && plain.Length > 2
            && long.TryParse(plain.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
        {
            return JsonValue.Create(hex);
        }

        if (plain.StartsWith("0o", StringComparison.Ordinal) && plain.Length > 2 && plain[2..].All(c => c is >= '0' and <= '7'))
        {
            return JsonValue.Create(System.Convert.ToInt64(plain[2..], 8));
        }

        // .inf and .nan have no JSON form; they stay text.
        return Float().IsMatch(plain)
            && double.TryParse(plain, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && double.IsFinite(real)
            ? JsonValue.Create(real)
            : null;
    }

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex DecimalInteger();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex Float();
}
