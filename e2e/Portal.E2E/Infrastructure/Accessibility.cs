using System.Text;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Portal.E2E.Infrastructure;

/// <summary>axe-core checks through Deque.AxeCore.Playwright, with every rule enabled (none silenced).</summary>
public static class Accessibility
{
    private static readonly string[] BlockingImpacts = ["serious", "critical"];

    /// <summary>
    /// Runs axe on the whole page and returns a report of every violation of impact serious or critical (rule id,
    /// impact, help, and each offending element's selector and what is wrong), or null when there is none. Minor
    /// and moderate findings are written to the test output without failing.
    /// </summary>
    public static async Task<string?> FindSeriousViolationsAsync(this IPage page, string description, ITestOutputHelper output)
    {
        // Every rule runs; only the violations come back (serializing passes and inapplicable results is most of
        // axe's time on a MudBlazor page).
        var result = await page.RunAxe(new AxeRunOptions { ResultTypes = [ResultType.Violations] });
        var blocking = result.Violations.Where(v => BlockingImpacts.Contains(v.Impact, StringComparer.OrdinalIgnoreCase)).ToList();
        var other = result.Violations.Except(blocking).ToList();
        output.WriteLine($"axe on {description}: {blocking.Count} serious/critical, {other.Count} minor/moderate rule(s) violated.");
        if (other.Count > 0)
        {
            output.WriteLine($"Minor/moderate findings on {description} (not failing the test):\n{Describe(other)}");
        }

        return blocking.Count == 0
            ? null
            : $"{description} ({page.Url}): {blocking.Count} serious/critical rule(s) violated:\n{Describe(blocking)}";
    }

    private static string Describe(IEnumerable<AxeResultItem> violations)
    {
        var text = new StringBuilder();
        foreach (var violation in violations)
        {
            text.Append("- ").Append(violation.Id).Append(" [").Append(violation.Impact).Append("] ")
                .Append(violation.Help).Append(" (").Append(violation.HelpUrl).Append(")\n");
            foreach (var node in violation.Nodes)
            {
                text.Append("    target: ").Append(node.Target).Append('\n');
                text.Append("      html: ").Append(Shorten(node.Html, 200)).Append('\n');
                var checks = (node.Any ?? []).Concat(node.All ?? []).Concat(node.None ?? [])
                    .Select(check => check.Message)
                    .Where(message => !string.IsNullOrWhiteSpace(message))
                    .Distinct(StringComparer.Ordinal);
                foreach (var message in checks)
                {
                    text.Append("      ").Append(message).Append('\n');
                }
            }
        }

        return text.ToString();
    }

    private static string Shorten(string? value, int length) =>
        value is null ? "" : value.Length <= length ? value : value[..length] + "…";
}
