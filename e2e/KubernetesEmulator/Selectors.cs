using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace KubernetesEmulator;

/// <summary>
/// A <c>labelSelector</c> as the real server parses it (<c>apimachinery/pkg/labels</c>): comma-separated requirements
/// <c>k=v</c>, <c>k==v</c>, <c>k!=v</c>, <c>k</c>, <c>!k</c>, <c>k in (a,b)</c>, <c>k notin (a,b)</c>, all of which must hold.
/// </summary>
internal sealed partial class LabelSelector
{
    private readonly IReadOnlyList<Func<JsonObject?, bool>> _requirements;

    private LabelSelector(IReadOnlyList<Func<JsonObject?, bool>> requirements) => _requirements = requirements;

    public static LabelSelector? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var requirements = new List<Func<JsonObject?, bool>>();
        foreach (var term in SplitTerms(text))
        {
            requirements.Add(ParseRequirement(term.Trim()));
        }

        return new LabelSelector(requirements);
    }

    public bool Matches(JsonObject obj)
    {
        var labels = obj["metadata"]?["labels"] as JsonObject;
        return _requirements.All(r => r(labels));
    }

    private static Func<JsonObject?, bool> ParseRequirement(string term)
    {
        if (term.StartsWith('!'))
        {
            var key = ValidKey(term[1..].Trim(), term);
            return labels => Value(labels, key) is null;
        }

        var set = SetRequirement().Match(term);
        if (set.Success)
        {
            var key = ValidKey(set.Groups["key"].Value, term);
            var values = set.Groups["values"].Value.Split(',').Select(v => ValidValue(v.Trim(), term)).ToHashSet(StringComparer.Ordinal);
            return set.Groups["op"].Value == "in"
                ? labels => Value(labels, key) is { } v && values.Contains(v)
                : labels => Value(labels, key) is not { } v || !values.Contains(v);
        }

        foreach (var op in (string[])["!=", "==", "="])
        {
            var at = term.IndexOf(op, StringComparison.Ordinal);
            if (at < 0)
            {
                continue;
            }

            var key = ValidKey(term[..at].Trim(), term);
            var value = ValidValue(term[(at + op.Length)..].Trim(), term);
            return op == "!="
                ? labels => Value(labels, key) != value
                : labels => Value(labels, key) == value;
        }

        var existsKey = ValidKey(term, term);
        return labels => Value(labels, existsKey) is not null;
    }

    private static string? Value(JsonObject? labels, string key) =>
        labels is not null && labels.TryGetPropertyValue(key, out var node) && node is JsonValue value
            ? value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString()
            : null;

    private static IEnumerable<string> SplitTerms(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
                case ',' when depth == 0:
                    yield return text[start..i];
                    start = i + 1;
                    break;
            }
        }

        yield return text[start..];
    }

    private static string ValidKey(string key, string term) =>
        LabelKey().IsMatch(key) ? key : throw Unparsable(term, $"invalid label key \"{key}\"");

    private static string ValidValue(string value, string term) =>
        value.Length == 0 || LabelValue().IsMatch(value) ? value : throw Unparsable(term, $"invalid label value: \"{value}\"");

    private static KubernetesStatusException Unparsable(string term, string why) =>
        KubernetesStatus.BadRequest($"unable to parse requirement: {why} (in \"{term}\")");

    [GeneratedRegex(@"^(?<key>\S+)\s+(?<op>in|notin)\s*\((?<values>[^()]*)\)$")]
    private static partial Regex SetRequirement();

    [GeneratedRegex(@"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")]
    private static partial Regex LabelKey();

    [GeneratedRegex(@"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")]
    private static partial Regex LabelValue();
}

/// <summary>
/// A <c>fieldSelector</c>: comma-separated <c>path=value</c>, <c>path==value</c>, <c>path!=value</c>. The real server
/// allows only a few fields per type (<c>metadata.name</c> and <c>metadata.namespace</c> everywhere, a handful more for
/// pods); the emulator accepts any dotted path and compares its value as text (missing is empty).
/// </summary>
internal sealed class FieldSelector
{
    private readonly IReadOnlyList<(string[] Path, string Value, bool Equal)> _terms;

    private FieldSelector(IReadOnlyList<(string[] Path, string Value, bool Equal)> terms) => _terms = terms;

    public static FieldSelector? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var terms = new List<(string[], string, bool)>();
        foreach (var raw in text.Split(','))
        {
            var term = raw.Trim();
            var notEqual = term.IndexOf("!=", StringComparison.Ordinal);
            var equal = term.IndexOf('=', StringComparison.Ordinal);
            if (notEqual > 0)
            {
                terms.Add((term[..notEqual].Trim().Split('.'), term[(notEqual + 2)..].Trim(), false));
            }
            else if (equal > 0)
            {
                var valueStart = term.AsSpan(equal).StartsWith("==") ? equal + 2 : equal + 1;
                terms.Add((term[..equal].Trim().Split('.'), term[valueStart..].Trim(), true));
            }
            else
            {
                throw KubernetesStatus.BadRequest($"invalid selector: '{text}'; can't understand '{term}'");
            }
        }

        return new FieldSelector(terms);
    }

    public bool Matches(JsonObject obj) => _terms.All(t => (FieldValue(obj, t.Path) == t.Value) == t.Equal);

    private static string FieldValue(JsonObject obj, string[] path)
    {
        JsonNode? node = obj;
        foreach (var part in path)
        {
            node = node is JsonObject o && o.TryGetPropertyValue(part, out var child) ? child : null;
        }

        return node switch
        {
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
            JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False =>
                v.GetValue<bool>().ToString(CultureInfo.InvariantCulture).ToLowerInvariant(),
            JsonValue v => v.ToJsonString(),
            _ => "",
        };
    }
}
