using System.Text.RegularExpressions;

namespace Portal.Tests.TestInfrastructure.PyPi;

public static partial class SimpleIndexNames
{
    /// <summary>A project name as PEP 503 normalizes it: runs of "-", "_" and "." become one "-", all lower case.</summary>
    public static string Normalize(string name) => Separators().Replace(name, "-").ToLowerInvariant();

    [GeneratedRegex("[-_.]+")]
    private static partial Regex Separators();
}
