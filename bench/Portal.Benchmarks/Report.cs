using System.Globalization;
using System.Text;

namespace Portal.Benchmarks;

/// <summary>The results table: each figure beside its baseline, the ratio, the target and PASS or FAIL.</summary>
internal sealed class Report
{
    private readonly List<string[]> _rows = [];

    public int Failures { get; private set; }

    public void Add(string measurement, string value, string baseline, string ratio, string target, bool? pass)
    {
        if (pass == false)
        {
            Failures++;
        }

        _rows.Add([measurement, value, baseline, ratio, target, pass switch { true => "PASS", false => "FAIL  <<<", null => "info" }]);
    }

    public string Render()
    {
        string[] header = ["Measurement", "Value", "Baseline (same run)", "Ratio", "Target", "Result"];
        var all = _rows.Prepend(header).ToList();
        var widths = Enumerable.Range(0, header.Length).Select(c => all.Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        var rule = "+" + string.Join("+", widths.Select(w => new string('-', w + 2))) + "+";
        text.AppendLine(rule);
        foreach (var (row, index) in all.Select((r, i) => (r, i)))
        {
            text.Append('|');
            for (var c = 0; c < row.Length; c++)
            {
                text.Append(' ').Append(row[c].PadRight(widths[c])).Append(" |");
            }

            text.AppendLine();
            if (index == 0)
            {
                text.AppendLine(rule);
            }
        }

        text.AppendLine(rule);
        text.Append(CultureInfo.InvariantCulture, $"{_rows.Count(r => r[5] == "PASS")} passed, {Failures} failed");
        return text.ToString();
    }
}
