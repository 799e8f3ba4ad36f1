namespace Portal.Core.Findings;

/// <summary>
/// One finding in one package of one image digest, deduplicated across scanners by (digest, kind, vulnerability id,
/// package, installed version). It stays open while the latest report of at least one source still lists it; when
/// none does any more it is resolved (kept, with the time), and a later report listing it again reopens it.
/// </summary>
public sealed class Finding
{
    public const int MaxIdLength = 200;
    public const int MaxPackageLength = 300;
    public const int MaxVersionLength = 200;
    public const int MaxTextLength = 1_000;
    public const int MaxSourcesLength = 200;

    private Finding()
    {
        Digest = string.Empty;
        VulnerabilityId = string.Empty;
        Package = string.Empty;
        InstalledVersion = string.Empty;
        Sources = string.Empty;
    }

    public long Id { get; private set; }
    public string Digest { get; private set; }
    public FindingKind Kind { get; private set; }
    public string VulnerabilityId { get; private set; }

    /// <summary>Empty, not null, when a finding has no package (secrets, misconfigurations): part of the unique key.</summary>
    public string Package { get; private set; }
    public string InstalledVersion { get; private set; }
    public string? FixedVersion { get; private set; }
    public Severity Severity { get; private set; }
    public double? CvssScore { get; private set; }
    public string? CvssVector { get; private set; }
    public string? Status { get; private set; }
    public string? Title { get; private set; }
    public string? Target { get; private set; }
    public string? PrimaryUrl { get; private set; }

    /// <summary>The sources whose latest report lists it, comma-separated in name order, e.g. "Trivy,XrayWebhook".</summary>
    public string Sources { get; private set; }
    public DateTimeOffset FirstSeen { get; private set; }
    public DateTimeOffset LastSeen { get; private set; }
    public DateTimeOffset? ResolvedAt { get; private set; }

    public bool IsOpen => ResolvedAt is null;

    public static (FindingKind, string, string, string) KeyOf(ReportedFinding finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        return (finding.Kind, Clip(finding.VulnerabilityId, MaxIdLength), Clip(finding.Package ?? "", MaxPackageLength),
            Clip(finding.InstalledVersion ?? "", MaxVersionLength));
    }

    public (FindingKind, string, string, string) Key => (Kind, VulnerabilityId, Package, InstalledVersion);

    public static Finding Discover(string digest, ReportedFinding reported, string source, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(reported);
        var (kind, id, package, installed) = KeyOf(reported);
        var finding = new Finding
        {
            Digest = digest,
            Kind = kind,
            VulnerabilityId = id,
            Package = package,
            InstalledVersion = installed,
            FirstSeen = now,
        };
        finding.Reported(reported, source, now);
        return finding;
    }

    /// <summary>A source's latest report lists it: take its details, add the source, reopen if it was resolved.</summary>
    public void Reported(ReportedFinding reported, string source, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(reported);
        FixedVersion = ClipOrNull(reported.FixedVersion, MaxVersionLength) ?? FixedVersion;
        // Scanners disagree on severity; the worst one reported stands until every source drops the finding.
        Severity = ResolvedAt is null && Sources.Length > 0 ? (Severity)Math.Max((int)Severity, (int)reported.Severity) : reported.Severity;
        CvssScore = reported.CvssScore ?? CvssScore;
        CvssVector = ClipOrNull(reported.CvssVector, MaxTextLength) ?? CvssVector;
        Status = ClipOrNull(reported.Status, 40) ?? Status;
        Title = ClipOrNull(reported.Title, MaxTextLength) ?? Title;
        Target = ClipOrNull(reported.Target, MaxTextLength) ?? Target;
        PrimaryUrl = ClipOrNull(reported.PrimaryUrl, MaxTextLength) ?? PrimaryUrl;
        Sources = string.Join(',', SourceList().Append(source).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
        LastSeen = now;
        ResolvedAt = null;
    }

    /// <summary>A source's latest report no longer lists it; resolved once no source does.</summary>
    public void NotReported(string source, DateTimeOffset now)
    {
        var remaining = SourceList().Where(s => s != source).ToList();
        Sources = string.Join(',', remaining);
        if (remaining.Count == 0)
        {
            ResolvedAt ??= now;
        }
    }

    private IEnumerable<string> SourceList() => Sources.Split(',', StringSplitOptions.RemoveEmptyEntries);

    private static string Clip(string value, int length) => value.Length <= length ? value : value[..length];

    private static string? ClipOrNull(string? value, int length) => value is null ? null : Clip(value, length);
}
