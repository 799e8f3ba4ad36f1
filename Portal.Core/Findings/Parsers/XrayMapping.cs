using System.Globalization;
using Portal.Core.Registry;

namespace Portal.Core.Findings.Parsers;

/// <summary>What the three Xray shapes have in common: images from Artifactory paths, CVEs, components, severities.</summary>
internal static class XrayMapping
{
    public const string Scanner = "JFrog Xray";

    /// <summary>
    /// Security issues only. Xray also raises license and operational-risk issues ("license", "operational_risk"),
    /// which say nothing about vulnerabilities in an image and have no place among its findings.
    /// </summary>
    public static bool IsSecurity(string? type) =>
        string.IsNullOrEmpty(type) || string.Equals(type, "security", StringComparison.OrdinalIgnoreCase);

    public static bool IsDocker(string? pkgType) => string.Equals(pkgType, "docker", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The image an Xray path or component id names. Artifactory keeps a tag's manifest as the file manifest.json
    /// (list.manifest.json for an index) in the tag folder, and the sha256 Xray reports for a Docker artifact is that
    /// file's checksum: the manifest digest, which is what the inventory matches first.
    /// </summary>
    public static ScannedArtifact Image(string? path, string? componentId, string? sha256, string serverId, string what, string where)
    {
        ArtifactoryImagePath? image = null;
        string? error = null;
        foreach (var candidate in new[] { path, componentId })
        {
            if (!string.IsNullOrWhiteSpace(candidate))
            {
                if (ArtifactoryImagePath.TryParse(candidate, serverId, out image, out var candidateError))
                {
                    break;
                }

                error ??= candidateError;
            }
        }

        if (image is null)
        {
            throw new ScanReportFormatException(
                $"{what}: {where} does not name a Docker image: {error ?? "no path or component id."}");
        }

        var name = Strings.OrNull(path) ?? Strings.OrNull(componentId) ?? $"{image.Repository}:{image.Tag}";
        return new ScannedArtifact(Sha256Digest(sha256, what, where), Reference: null, image, name);
    }

    public static string? Sha256Digest(string? sha256, string what, string where)
    {
        if (Strings.OrNull(sha256) is not { } hex)
        {
            return null;
        }

        var text = hex.Contains(':', StringComparison.Ordinal) ? hex : $"{Digest.Sha256Algorithm}:{hex}";
        return Digest.TryParse(text, out var digest, out var error)
            ? digest.ToString()
            : throw new ScanReportFormatException($"{what}: {where}.sha256: {error}");
    }

    /// <summary>
    /// The ids an issue is reported under: each CVE it lists (one finding per CVE, so that findings line up with other
    /// scanners, which report CVEs one by one), or the Xray issue id when it lists none.
    /// </summary>
    public static IReadOnlyList<(string Id, double? Score, string? Vector)> Identities(
        IReadOnlyList<XrayCveDto>? cves, string? singleCve, string? issueId, string what, string where)
    {
        var identities = new List<(string Id, double? Score, string? Vector)>();
        foreach (var cve in cves ?? [])
        {
            if (Strings.OrNull(cve.Cve) is { } id && identities.All(i => i.Id != id))
            {
                var (score, vector) = Cvss(cve);
                identities.Add((id, score, vector));
            }
        }

        if (Strings.OrNull(singleCve) is { } single && identities.All(i => i.Id != single))
        {
            identities.Add((single, null, null));
        }

        if (identities.Count > 0)
        {
            return identities;
        }

        // No CVE (an Xray-only advisory), but the entries may still carry CVSS.
        var issue = Strings.OrNull(issueId)
            ?? throw new ScanReportFormatException($"{what}: {where} has neither a CVE nor an issue id.");
        var scored = (cves ?? []).Select(Cvss).FirstOrDefault(c => c.Score is not null || c.Vector is not null);
        return [(issue, scored.Score, scored.Vector)];
    }

    /// <summary>CVSS v3 when Xray has it, else v2, from either the "score/vector" strings or the separate members.</summary>
    public static (double? Score, string? Vector) Cvss(XrayCveDto cve)
    {
        if (cve.CvssV3Score is not null || Strings.OrNull(cve.CvssV3Vector) is not null)
        {
            return (cve.CvssV3Score, Strings.OrNull(cve.CvssV3Vector));
        }

        if (Strings.OrNull(cve.CvssV3) is { } v3)
        {
            return SplitScore(v3);
        }

        if (cve.CvssV2Score is not null || Strings.OrNull(cve.CvssV2Vector) is not null)
        {
            return (cve.CvssV2Score, Strings.OrNull(cve.CvssV2Vector));
        }

        return Strings.OrNull(cve.CvssV2) is { } v2 ? SplitScore(v2) : (null, null);
    }

    // "9.8/CVSS:3.0/AV:N/..." or just "2.4". Xray has been seen to pass on malformed scores; the vector still helps.
    private static (double? Score, string? Vector) SplitScore(string value)
    {
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        var scoreText = slash < 0 ? value : value[..slash];
        var vector = slash < 0 ? null : Strings.OrNull(value[(slash + 1)..]);
        return double.TryParse(scoreText, NumberStyles.Float, CultureInfo.InvariantCulture, out var score)
            ? (score, vector)
            : (null, Strings.OrNull(value));
    }

    /// <summary>
    /// Package and version from an Xray component id. The part after the scheme depends on the package type:
    /// deb://debian:bookworm:libssl3:3.0.13-1 (distribution, release, name, version, which may hold an epoch colon),
    /// alpine://3.12:openssl:1.1.1k-r0, rpm://7:curl:16:7.29.0-54.el7 (release, name, a number, version),
    /// gav://group:artifact:version and the like (name, then the version after the last colon). Impact paths and
    /// webhook file names use the same forms without a scheme, where the package type (or the first part) decides.
    /// </summary>
    public static (string? Package, string? Version) Component(string? componentId, string? pkgType)
    {
        if (Strings.OrNull(componentId) is not { } id)
        {
            return (null, null);
        }

        string? scheme = null;
        var separator = id.IndexOf("://", StringComparison.Ordinal);
        if (separator >= 0)
        {
            scheme = id[..separator].ToLowerInvariant();
            id = id[(separator + 3)..];
        }

        scheme ??= pkgType?.ToLowerInvariant() switch
        {
            "debian" or "deb" => "deb",
            "alpine" => "alpine",
            "rpm" or "centos" or "redhat" or "rhel" => "rpm",
            null or "" => null,
            _ => "other",
        };

        var parts = id.Split(':');
        // Without a scheme or package type, the first part tells: a distribution name ("debian:bookworm:...") or an
        // OS release number ("3.12:openssl:...", as Alpine and RPM ids start).
        scheme ??= parts[0] is "debian" or "ubuntu" ? "deb"
            : parts.Length >= 3 && parts[0].All(c => char.IsAsciiDigit(c) || c == '.') ? "alpine"
            : "other";
        return (scheme, parts.Length) switch
        {
            (_, 1) => (parts[0], null),
            ("deb", >= 4) => (parts[2], string.Join(':', parts[3..])),
            ("deb", 3) => (parts[2], null),
            ("alpine", >= 3) => (parts[1], string.Join(':', parts[2..])),
            ("rpm", >= 4) => (parts[1], string.Join(':', parts[3..])),
            ("rpm", 3) => (parts[1], parts[2]),
            ("deb" or "alpine" or "rpm", _) => (parts[0], string.Join(':', parts[1..])),
            _ => (id[..id.LastIndexOf(':')], parts[^1]),
        };
    }

    /// <summary>Xray writes fixed versions as "≥ 1.2.3" or "[1.2.3]"; the model keeps the versions, comma-separated.</summary>
    public static string? FixedVersions(IReadOnlyList<string>? versions)
    {
        var cleaned = (versions ?? [])
            .Select(v => v.Trim().TrimStart('≥', '>', '=', '[', ' ').TrimEnd(']', ' '))
            .Where(v => v.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return cleaned.Count > 0 ? string.Join(", ", cleaned) : null;
    }

    public static string? Title(string? summary, string? description) =>
        Strings.OrNull(summary) ?? Strings.OrNull(description)?.Trim().Split('\n', 2)[0];
}

/// <summary>Findings gathered per image, in the order images first appear, without repeating a finding.</summary>
internal sealed class XrayImages
{
    private readonly List<(ScannedArtifact Artifact, List<ReportedFinding> Findings)> _images = [];
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    private readonly List<HashSet<ReportedFinding>> _seen = [];

    /// <summary>An image with no findings yet: scanned, nothing found (unless findings follow).</summary>
    public int Add(ScannedArtifact artifact)
    {
        var path = artifact.ArtifactoryPath!;
        var key = $"{path.RepositoryKey}/{path.Repository}:{path.Tag}";
        if (_index.TryGetValue(key, out var index))
        {
            // The same image named with and without its digest (a list and a detail entry): keep the digest.
            if (_images[index].Artifact.Digest is null && artifact.Digest is not null)
            {
                _images[index] = (artifact, _images[index].Findings);
            }

            return index;
        }

        _images.Add((artifact, []));
        _seen.Add([]);
        _index[key] = _images.Count - 1;
        return _images.Count - 1;
    }

    public void Add(ScannedArtifact artifact, ReportedFinding finding)
    {
        var index = Add(artifact);
        // Xray repeats an issue once per watch and policy that matched it; it is one finding.
        if (_seen[index].Add(finding))
        {
            _images[index].Findings.Add(finding);
        }
    }

    public IReadOnlyList<ArtifactFindings> ToList() =>
        _images.Select(i => new ArtifactFindings(i.Artifact, i.Findings)).ToList();
}
