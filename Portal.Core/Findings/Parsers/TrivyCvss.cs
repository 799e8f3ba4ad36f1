namespace Portal.Core.Findings.Parsers;

/// <summary>Picks the one CVSS score and vector a finding keeps from Trivy's per-vendor CVSS map.</summary>
internal static class TrivyCvss
{
    private const string Nvd = "nvd";

    /// <summary>
    /// NVD's v3 first (the common yardstick across scanners), then v3 from the vendor Trivy took the severity from,
    /// then any v3 (vendors in name order, so the choice is stable), then v4.0 and v2 by the same order. Score and
    /// vector always come from the same entry and version.
    /// </summary>
    public static (double? Score, string? Vector) Choose(IReadOnlyDictionary<string, TrivyCvssDto>? cvss, string? severitySource)
    {
        if (cvss is null || cvss.Count == 0)
        {
            return (null, null);
        }

        var vendors = new List<string>();
        if (cvss.ContainsKey(Nvd))
        {
            vendors.Add(Nvd);
        }

        if (severitySource is not null && severitySource != Nvd && cvss.ContainsKey(severitySource))
        {
            vendors.Add(severitySource);
        }

        vendors.AddRange(cvss.Keys.Where(k => !vendors.Contains(k)).Order(StringComparer.Ordinal));

        foreach (var version in new Func<TrivyCvssDto, (double?, string?)>[]
                 {
                     c => (c.V3Score, c.V3Vector),
                     c => (c.V40Score, c.V40Vector),
                     c => (c.V2Score, c.V2Vector),
                 })
        {
            foreach (var vendor in vendors)
            {
                var (score, vector) = version(cvss[vendor]);
                if (score is not null || !string.IsNullOrEmpty(vector))
                {
                    return (score, string.IsNullOrEmpty(vector) ? null : vector);
                }
            }
        }

        return (null, null);
    }
}
