using System.Text;
using System.Text.RegularExpressions;

namespace Portal.Core.Gateway;

/// <summary>
/// The glob language of a remote's allowed paths: "*" matches within a segment, "**" across segments, "?" one
/// character; anything else literally. "packages/**" allows everything under packages/, "*.whl" only top-level wheels,
/// "**/*.whl" wheels anywhere. Written here because it is a dozen lines and Core takes no file-system packages.
/// </summary>
public static class PathPattern
{
    public const int MaxLength = 200;

    private static readonly Dictionary<string, Regex> Compiled = new(StringComparer.Ordinal);
    private static readonly Lock CompiledLock = new();

    public static string? Validate(string? pattern)
    {
        if (string.IsNullOrWhiteSpace(pattern))
        {
            return "A path pattern may not be empty.";
        }

        if (pattern.Trim().Length > MaxLength)
        {
            return $"The path pattern '{pattern[..20]}…' is longer than {MaxLength} characters.";
        }

        if (pattern.Trim().StartsWith('/') || pattern.Split('/').Any(s => s is "." or ".."))
        {
            return $"The path pattern '{pattern}' must be relative, without '.' or '..' segments.";
        }

        return null;
    }

    public static bool Matches(string pattern, string path) => RegexOf(pattern.Trim()).IsMatch(path);

    private static Regex RegexOf(string pattern)
    {
        lock (CompiledLock)
        {
            if (Compiled.TryGetValue(pattern, out var cached))
            {
                return cached;
            }

            var regex = new StringBuilder("^");
            for (var i = 0; i < pattern.Length; i++)
            {
                var c = pattern[i];
                if (c == '*' && i + 1 < pattern.Length && pattern[i + 1] == '*')
                {
                    // "**/" also matches nothing, so "**/*.whl" allows a top-level wheel.
                    var slash = i + 2 < pattern.Length && pattern[i + 2] == '/';
                    regex.Append(slash ? "(?:.*/)?" : ".*");
                    i += slash ? 2 : 1;
                }
                else if (c == '*')
                {
                    regex.Append("[^/]*");
                }
                else if (c == '?')
                {
                    regex.Append("[^/]");
                }
                else
                {
                    regex.Append(Regex.Escape(c.ToString()));
                }
            }

            regex.Append('$');
            var compiled = new Regex(regex.ToString(), RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
            if (Compiled.Count < 1_000)
            {
                Compiled[pattern] = compiled;
            }

            return compiled;
        }
    }
}
