using System.Text;
using System.Text.RegularExpressions;

namespace Portal.Core.Inventory;

/// <summary>
/// Repository name globs: '*' matches within one path segment, '**' across segments. Written here because the
/// file-system globbing libraries match paths on disk, not registry names.
/// </summary>
public static partial class RepositoryGlobPattern
{
    public static bool IsValid(string glob) => AllowedCharacters().IsMatch(glob);

    public static bool Matches(string glob, string repository) => ToRegex(glob).IsMatch(repository);

    public static Regex ToRegex(string glob)
    {
        var pattern = new StringBuilder("^");
        for (var i = 0; i < glob.Length; i++)
        {
            if (glob[i] == '*' && i + 1 < glob.Length && glob[i + 1] == '*')
            {
                pattern.Append(".*");
                i++;
            }
            else if (glob[i] == '*')
            {
                pattern.Append("[^/]*");
            }
            else
            {
                pattern.Append(Regex.Escape(glob[i].ToString()));
            }
        }

        pattern.Append('$');
        return new Regex(pattern.ToString(), RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, TimeSpan.FromMilliseconds(100));
    }

    [GeneratedRegex("^[A-Za-z0-9._/*-]+$")]
    private static partial Regex AllowedCharacters();
}
