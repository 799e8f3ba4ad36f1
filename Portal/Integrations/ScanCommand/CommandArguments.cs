using System.Text.RegularExpressions;

namespace Portal.Integrations.ScanCommand;

/// <summary>An administrator's argument list with its placeholders (<c>{path}</c>, <c>{image}</c>, ...) filled in.</summary>
public static partial class CommandArguments
{
    /// <summary>
    /// Replaces every known placeholder in every argument, in one pass (so a value that itself looks like a placeholder
    /// stays as it is); unknown ones are left alone. When no argument names <paramref name="subject"/>, its value is
    /// added as the last argument. <paramref name="beforeSubject"/> (already final) goes just before the first
    /// argument that names the subject, or before the added one, where options for the subject belong.
    /// </summary>
    public static IReadOnlyList<string> Expand(
        IEnumerable<string> templates, string subject, IReadOnlyDictionary<string, string> values, IReadOnlyList<string>? beforeSubject = null)
    {
        ArgumentNullException.ThrowIfNull(templates);
        ArgumentNullException.ThrowIfNull(values);
        var subjectValue = values[subject];
        var arguments = new List<string>();
        var placed = false;
        foreach (var template in templates)
        {
            if (!placed && template.Contains(subject, StringComparison.Ordinal))
            {
                arguments.AddRange(beforeSubject ?? []);
                placed = true;
            }

            arguments.Add(Placeholder().Replace(template, m => values.TryGetValue(m.Value, out var value) ? value : m.Value));
        }

        if (!placed)
        {
            arguments.AddRange(beforeSubject ?? []);
            arguments.Add(subjectValue);
        }

        return arguments;
    }

    [GeneratedRegex(@"\{[A-Za-z]+\}")]
    private static partial Regex Placeholder();
}
