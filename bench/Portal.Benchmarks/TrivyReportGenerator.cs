using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Portal.Benchmarks;

/// <summary>
/// Writes Trivy JSON reports (SchemaVersion 2, <c>trivy image --format json</c>, shaped like Portal.Tests' Trivy
/// fixtures: metadata with RepoTags, RepoDigests, image config and layers; one result for the OS packages and one for
/// an application's language packages; every vulnerability member Trivy writes) for an estate of image digests, one
/// report per digest, each written on demand into a reused buffer so the estate never sits in memory at once.
/// <para>
/// The estate is built the way real ones are: a few base images (Debian, Ubuntu, Alpine, UBI) at four point releases
/// each, where an older release carries more of its upstream projects' CVEs (one CVE in every binary package built from
/// the project: libssl3 and openssl); an application stack (Python, Node.js, Java, Go, or none) whose packages sit at
/// older or newer versions. So the same CVEs recur across thousands of images, and one CVE can name several packages
/// in one image. Severity, CVSS, titles, descriptions and references come with each CVE, the same wherever it recurs.
/// </para>
/// <para>
/// Each digest gets a finding count around the mean (a few nearly clean images, most around the mean, a tail of old
/// heavy ones) and the counts add up to exactly the total asked for; every finding in a report is distinct, so a
/// report of N findings stores N findings. Everything is seeded: the same arguments write the same bytes.
/// </para>
/// </summary>
internal sealed class TrivyReportGenerator
{
    public const int ReleasesPerOs = 4;

    private static readonly DateTimeOffset ScannedAt = new(2026, 5, 30, 2, 0, 0, TimeSpan.Zero);
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = true, IndentSize = 2 };

    private readonly int _seed;
    private readonly Func<int, (string Repository, string Tag, string Digest)> _image;
    private readonly OsRelease[] _releases;
    private readonly Stack[] _stacks;
    private readonly Entry[][][] _osPools; // [release][point release] -> vulnerable OS packages
    private readonly Entry[][][] _stackPools; // [stack][variant] -> vulnerable language packages
    private readonly int[] _counts;

    /// <param name="findings">Findings in all the reports together.</param>
    /// <param name="digests">Reports, one per image digest.</param>
    /// <param name="image">The repository, a tag and the digest of image <c>i</c> (0 ≤ i &lt; digests).</param>
    /// <param name="seed">Seeds everything random.</param>
    public TrivyReportGenerator(int findings, int digests, Func<int, (string Repository, string Tag, string Digest)> image, int seed = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(digests, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(findings);
        _seed = seed;
        _image = image;
        Findings = findings;
        Digests = digests;
        var random = new Random(seed);
        var catalog = new CveCatalog(random);
        _releases = OsRelease.All(catalog);
        _stacks = Stack.All(catalog);
        _osPools = [.. _releases.Select(r => Enumerable.Range(0, ReleasesPerOs).Select(p => r.Vulnerable(p, random)).ToArray())];
        _stackPools = [.. _stacks.Select(s => Enumerable.Range(0, Stack.Variants).Select(v => s.Vulnerable(v, random)).ToArray())];
        _counts = Counts(findings, digests, random);
        DistinctVulnerabilities = _osPools.SelectMany(p => p).Concat(_stackPools.SelectMany(p => p)).SelectMany(p => p).Select(e => e.Cve.Id).Distinct().Count();
        CommonCve = _osPools.SelectMany(p => p).SelectMany(p => p).GroupBy(e => e.Cve.Id).MaxBy(g => g.Count())!.Key;
    }

    public int Findings { get; }
    public int Digests { get; }

    /// <summary>Distinct vulnerability ids the estate can show.</summary>
    public int DistinctVulnerabilities { get; }

    /// <summary>A CVE found in many base images (what someone searches for when it is in the news).</summary>
    public string CommonCve { get; }

    public int FindingsOf(int index) => _counts[index];

    public string DigestOf(int index) => _image(index).Digest;

    /// <summary>Writes report <paramref name="index"/> into <paramref name="output"/> (cleared first).</summary>
    public void Write(int index, ArrayBufferWriter<byte> output)
    {
        output.ResetWrittenCount();
        var plan = Plan(index);
        var (repository, tag, digest) = _image(index);
        var host = (index / 10 % 2 == 0) ? "registry.example.test" : "harbor.example.test";
        var release = _releases[plan.Release];
        var layers = Enumerable.Range(0, plan.Layers).Select(l => (Digest: Sha("layer", digest, l), DiffId: Sha("diff", digest, l))).ToArray();
        var random = new Random(Mix(_seed, index, 17));

        using var json = new Utf8JsonWriter(output, WriterOptions);
        json.WriteStartObject();
        json.WriteNumber("SchemaVersion", 2);
        json.WriteString("CreatedAt", ScannedAt.AddSeconds(index * 3));
        json.WriteString("ArtifactName", $"{host}/{repository}:{tag}");
        json.WriteString("ArtifactType", "container_image");
        json.WriteStartObject("Metadata");
        json.WriteNumber("Size", 40_000_000L + (index % 97) * 9_000_000L);
        json.WriteStartObject("OS");
        json.WriteString("Family", release.Family);
        json.WriteString("Name", release.PointName(plan.Point));
        json.WriteEndObject();
        json.WriteString("ImageID", Sha("config", digest, 0));
        WriteArray(json, "DiffIDs", layers.Select(l => l.DiffId));
        WriteArray(json, "RepoTags", [$"{host}/{repository}:{tag}"]);
        WriteArray(json, "RepoDigests", [$"{host}/{repository}@{digest}"]);
        json.WriteStartObject("ImageConfig");
        json.WriteString("architecture", "amd64");
        json.WriteString("created", ScannedAt.AddDays(-(index % 700)).ToString("O", CultureInfo.InvariantCulture));
        json.WriteStartArray("history");
        for (var l = 0; l < layers.Length; l++)
        {
            json.WriteStartObject();
            json.WriteString("created", ScannedAt.AddDays(-(index % 700) - layers.Length + l).ToString("O", CultureInfo.InvariantCulture));
            json.WriteString("created_by", l == 0 ? $"/bin/sh -c #(nop) ADD file:{layers[l].DiffId[7..]} in / " : StackSteps[l % StackSteps.Length]);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteString("os", "linux");
        json.WriteStartObject("rootfs");
        json.WriteString("type", "layers");
        WriteArray(json, "diff_ids", layers.Select(l => l.DiffId));
        json.WriteEndObject();
        json.WriteStartObject("config");
        WriteArray(json, "Cmd", ["/usr/local/bin/start.sh"]);
        WriteArray(json, "Env", ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", $"APP_VERSION={tag}", "LANG=C.UTF-8"]);
        json.WriteStartObject("Labels");
        json.WriteString("org.opencontainers.image.source", $"https://git.example.test/{repository}");
        json.WriteString("org.opencontainers.image.version", tag);
        json.WriteEndObject();
        json.WriteString("WorkingDir", "/app");
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteStartArray("Layers");
        for (var l = 0; l < layers.Length; l++)
        {
            json.WriteStartObject();
            json.WriteNumber("Size", 1_000_000 + ((index * 7 + l) % 50) * 3_000_000);
            json.WriteString("Digest", layers[l].Digest);
            json.WriteString("DiffID", layers[l].DiffId);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject(); // Metadata

        json.WriteStartArray("Results");
        WriteResult(json, $"{host}/{repository}:{tag} ({release.Family} {release.PointName(plan.Point)})", "os-pkgs", release.Family,
            plan.OsEntries, release, layers[0], random);
        if (plan.Stack is { } stack)
        {
            WriteResult(json, stack.Target, "lang-pkgs", stack.Type, plan.StackEntries, null, layers[^1], random);
        }

        json.WriteEndArray();
        json.WriteStartObject("Trivy");
        json.WriteString("Version", "0.58.1");
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static readonly string[] StackSteps =
    [
        "RUN /bin/sh -c apt-get update && apt-get install -y --no-install-recommends ca-certificates curl # buildkit",
        "COPY requirements.txt /app/ # buildkit",
        "RUN /bin/sh -c pip install --no-cache-dir -r requirements.txt # buildkit",
        "COPY . /app # buildkit",
        "USER 1000:1000",
    ];

    private sealed record ImagePlan(int Release, int Point, Stack? Stack, IReadOnlyList<Entry> OsEntries, IReadOnlyList<Entry> StackEntries, int Layers);

    /// <summary>Which base, which application stack, and which of their vulnerable packages image <paramref name="index"/> has.</summary>
    private ImagePlan Plan(int index)
    {
        var (release, point, stack, variant) = Shape(index);
        var random = new Random(Mix(_seed, index, 1));
        var count = _counts[index];
        var osPool = _osPools[release][point];
        var stackPool = stack < 0 ? [] : _stackPools[stack][variant];
        // Most findings of an image with an application stack are still in its base image's packages.
        var fromStack = stack < 0 ? 0 : Math.Min(stackPool.Length, (int)Math.Round(count * (0.25 + random.NextDouble() * 0.3)));
        var fromOs = Math.Min(osPool.Length, count - fromStack);
        fromStack = count - fromOs;
        // Images of one base share the head of its list (every image has those packages); where a list starts varies a little.
        var osEntries = Take(osPool, fromOs, random.Next(3) == 0 ? random.Next(osPool.Length) : 0);
        var stackEntries = Take(stackPool, fromStack, random.Next(3) == 0 ? random.Next(Math.Max(1, stackPool.Length)) : 0);
        return new ImagePlan(release, point, stack < 0 ? null : _stacks[stack], osEntries, stackEntries, 3 + index % 4);
    }

    private static List<Entry> Take(Entry[] pool, int count, int start)
    {
        var taken = new List<Entry>(count);
        for (var i = 0; i < count; i++)
        {
            taken.Add(pool[(start + i) % pool.Length]);
        }

        // Trivy lists a result's vulnerabilities by package, then id.
        taken.Sort((a, b) => a.Package != b.Package ? string.CompareOrdinal(a.Package, b.Package) : string.CompareOrdinal(a.Cve.Id, b.Cve.Id));
        return taken;
    }

    private (int Release, int Point, int Stack, int Variant) Shape(int index)
    {
        var random = new Random(Mix(_seed, index, 3));
        var weight = random.Next(_releases.Sum(r => r.Weight));
        var release = 0;
        while (weight >= _releases[release].Weight)
        {
            weight -= _releases[release].Weight;
            release++;
        }

        var point = random.Next(ReleasesPerOs);
        var stackDraw = random.Next(100);
        var stack = stackDraw < 35 ? 0 : stackDraw < 50 ? 1 : stackDraw < 60 ? 2 : stackDraw < 75 ? 3 : -1;
        return (release, point, stack, random.Next(Stack.Variants));
    }

    private int Capacity(int index)
    {
        var (release, point, stack, variant) = Shape(index);
        return _osPools[release][point].Length + (stack < 0 ? 0 : _stackPools[stack][variant].Length);
    }

    /// <summary>
    /// Per digest: one in twenty nearly clean (distroless, fresh), most around the mean, one in seven two to five times
    /// it (old images nobody rebuilt); then scaled so they add up to exactly <paramref name="total"/>.
    /// </summary>
    private int[] Counts(int total, int digests, Random random)
    {
        var mean = (double)total / digests;
        var raw = new double[digests];
        for (var i = 0; i < digests; i++)
        {
            var draw = random.NextDouble();
            raw[i] = draw < 0.05 ? random.NextDouble() * 0.1 : draw < 0.86 ? 0.4 + random.NextDouble() * 1.2 : 2 + random.NextDouble() * 3;
        }

        var scale = total / raw.Sum();
        var capacity = Enumerable.Range(0, digests).Select(Capacity).ToArray();
        if (capacity.Sum(c => (long)c) < total)
        {
            throw new ArgumentException($"{total:N0} findings over {digests:N0} digests is more than {mean:0} a digest; the generator's packages hold at most "
                + $"{capacity.Average():0} an image on average. Use more digests.");
        }

        var counts = raw.Select((r, i) => Math.Min(capacity[i], (int)Math.Round(r * scale))).ToArray();
        var difference = total - counts.Sum();
        while (difference != 0)
        {
            var i = random.Next(digests);
            if (difference > 0 && counts[i] < capacity[i])
            {
                counts[i]++;
                difference--;
            }
            else if (difference < 0 && counts[i] > 0)
            {
                counts[i]--;
                difference++;
            }
        }

        return counts;
    }

    private static void WriteResult(Utf8JsonWriter json, string target, string resultClass, string type, IReadOnlyList<Entry> entries, OsRelease? release,
        (string Digest, string DiffId) layer, Random random)
    {
        json.WriteStartObject();
        json.WriteString("Target", target);
        json.WriteString("Class", resultClass);
        json.WriteString("Type", type);
        if (entries.Count > 0)
        {
            json.WriteStartArray("Vulnerabilities");
            foreach (var entry in entries)
            {
                WriteVulnerability(json, entry, release, layer, random);
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
    }

    private static void WriteVulnerability(Utf8JsonWriter json, Entry entry, OsRelease? release, (string Digest, string DiffId) layer, Random random)
    {
        var cve = entry.Cve;
        json.WriteStartObject();
        json.WriteString("VulnerabilityID", cve.Id);
        if (entry.VendorId is { } vendorId)
        {
            WriteArray(json, "VendorIDs", [vendorId]);
        }

        json.WriteString("PkgID", $"{entry.Package}@{entry.Installed}");
        json.WriteString("PkgName", entry.Package);
        if (entry.PkgPath is { } pkgPath)
        {
            json.WriteString("PkgPath", pkgPath);
        }

        json.WriteStartObject("PkgIdentifier");
        json.WriteString("PURL", entry.Purl);
        json.WriteString("UID", entry.Uid);
        json.WriteEndObject();
        json.WriteString("InstalledVersion", entry.Installed);
        if (entry.Fixed is { } fixedVersion)
        {
            json.WriteString("FixedVersion", fixedVersion);
        }

        json.WriteString("Status", entry.Status);
        json.WriteStartObject("Layer");
        json.WriteString("Digest", layer.Digest);
        json.WriteString("DiffID", layer.DiffId);
        json.WriteEndObject();
        var severitySource = release?.SeveritySource ?? entry.SeveritySource;
        json.WriteString("SeveritySource", severitySource);
        json.WriteString("PrimaryURL", cve.PrimaryUrl);
        json.WriteStartObject("DataSource");
        json.WriteString("ID", release?.DataSourceId ?? entry.SeveritySource);
        json.WriteString("Name", release?.DataSourceName ?? entry.DataSourceName);
        json.WriteString("URL", release?.DataSourceUrl ?? entry.DataSourceUrl);
        json.WriteEndObject();
        json.WriteString("Fingerprint", "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{layer.Digest}|{entry.Uid}|{cve.Id}|{random.Next()}"))));
        json.WriteString("Title", cve.Title);
        json.WriteString("Description", cve.Description);
        json.WriteString("Severity", entry.Severity);
        WriteArray(json, "CweIDs", cve.Cwes);
        json.WriteStartObject("VendorSeverity");
        foreach (var (vendor, level) in cve.VendorSeverity)
        {
            json.WriteNumber(vendor, level);
        }

        json.WriteEndObject();
        if (cve.V3Score is { } v3Score)
        {
            json.WriteStartObject("CVSS");
            json.WriteStartObject("nvd");
            if (cve.V2Vector is { } v2Vector)
            {
                json.WriteString("V2Vector", v2Vector);
            }

            json.WriteString("V3Vector", cve.V3Vector);
            if (cve.V2Score is { } v2Score)
            {
                json.WriteNumber("V2Score", v2Score);
            }

            json.WriteNumber("V3Score", v3Score);
            json.WriteEndObject();
            if (cve.RedhatScore is { } redhatScore)
            {
                json.WriteStartObject("redhat");
                json.WriteString("V3Vector", cve.V3Vector);
                json.WriteNumber("V3Score", redhatScore);
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        WriteArray(json, "References", cve.References);
        json.WriteString("PublishedDate", cve.Published);
        json.WriteString("LastModifiedDate", cve.Modified);
        json.WriteEndObject();
    }

    private static void WriteArray(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    // Not HashCode.Combine: that is seeded per process, and a child process must write the same reports.
    private static int Mix(int a, int b, int c) => (int)(Stable($"{a}|{b}|{c}") & int.MaxValue);

    /// <summary>FNV-1a over the string's UTF-16 code units: the same in every process.</summary>
    private static uint Stable(string value)
    {
        var hash = 2166136261u;
        foreach (var c in value)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash;
    }

    private static string Sha(string what, string digest, int n) =>
        "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{what}|{digest}|{n}")));

    /// <summary>One vulnerable package version: the CVE, the package and versions, and how the vendor rates it.</summary>
    private sealed record Entry(
        Cve Cve, string Package, string Installed, string? Fixed, string Status, string Severity, string Purl, string Uid, string? VendorId,
        string? PkgPath, string SeveritySource, string DataSourceName, string DataSourceUrl);

    private sealed record Cve(
        string Id, string Severity, double? V3Score, string? V3Vector, double? V2Score, string? V2Vector, double? RedhatScore, string Title, string Description,
        string[] Cwes, (string Vendor, int Level)[] VendorSeverity, string[] References, string PrimaryUrl, string Published, string Modified,
        double Age);

    /// <summary>Upstream projects and their CVEs, shared by every distribution and stack that ships them.</summary>
    private sealed class CveCatalog
    {
        private readonly Dictionary<string, Cve[]> _byProject = new(StringComparer.Ordinal);
        private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
        private readonly Random _random;

        public CveCatalog(Random random) => _random = random;

        /// <summary>The CVEs of the project <paramref name="key"/> names (made the first time it is asked for), oldest first.</summary>
        public Cve[] Of(string key, string project, int count, bool ghsa = false)
        {
            if (!_byProject.TryGetValue(key, out var cves))
            {
                cves = [.. Enumerable.Range(0, count).Select(_ => New(project, ghsa && _random.Next(4) == 0)).OrderBy(c => c.Age)];
                _byProject[key] = cves;
            }

            return cves;
        }

        private Cve New(string project, bool ghsa)
        {
            var random = _random;
            string id;
            do
            {
                id = ghsa
                    ? $"GHSA-{Ghsa(random)}-{Ghsa(random)}-{Ghsa(random)}"
                    : $"CVE-{2016 + random.Next(10)}-{(random.Next(3) == 0 ? random.Next(1000, 9999) : random.Next(10000, 52000))}";
            }
            while (!_ids.Add(id));

            var draw = random.Next(100);
            var severity = draw < 4 ? "CRITICAL" : draw < 22 ? "HIGH" : draw < 58 ? "MEDIUM" : draw < 88 ? "LOW" : "UNKNOWN";
            double? v3 = severity switch
            {
                "CRITICAL" => Math.Round(9 + random.NextDouble(), 1),
                "HIGH" => Math.Round(7 + random.NextDouble() * 1.9, 1),
                "MEDIUM" => Math.Round(4 + random.NextDouble() * 2.9, 1),
                "LOW" => Math.Round(1 + random.NextDouble() * 2.9, 1),
                _ => null,
            };
            var network = random.Next(3) > 0;
            var vector = v3 is null ? null
                : $"CVSS:3.1/AV:{(network ? "N" : "L")}/AC:{(random.Next(4) == 0 ? "H" : "L")}/PR:{"NLH"[random.Next(3)]}/UI:{(random.Next(3) == 0 ? "R" : "N")}/S:U/C:{"NLH"[random.Next(3)]}/I:{"NLH"[random.Next(3)]}/A:{"NLH"[random.Next(3)]}";
            var hasV2 = v3 is not null && random.Next(3) > 0;
            var weakness = Weaknesses[random.Next(Weaknesses.Length)];
            var function = Functions[random.Next(Functions.Length)];
            var input = Inputs[random.Next(Inputs.Length)];
            var title = $"{project}: {string.Format(CultureInfo.InvariantCulture, weakness.Title, function, input)}";
            var description = new StringBuilder();
            description.Append(CultureInfo.InvariantCulture, $"A flaw was found in {project}. ")
                .Append(string.Format(CultureInfo.InvariantCulture, weakness.Description, function, input));
            for (var s = random.Next(4); s > 0; s--)
            {
                description.Append(' ').Append(string.Format(CultureInfo.InvariantCulture, Sentences[random.Next(Sentences.Length)], project, function, input));
            }

            var year = int.Parse(id.StartsWith("CVE-", StringComparison.Ordinal) ? id[4..8] : "2023", CultureInfo.InvariantCulture);
            var published = new DateTimeOffset(year, 1 + random.Next(12), 1 + random.Next(28), random.Next(24), 15, 0, TimeSpan.Zero);
            var references = new List<string>
            {
                $"https://access.redhat.com/security/cve/{id}",
                $"https://nvd.nist.gov/vuln/detail/{id}",
                $"https://www.cve.org/CVERecord?id={id}",
            };
            for (var r = random.Next(10); r > 0; r--)
            {
                references.Add(string.Format(CultureInfo.InvariantCulture, ReferenceTemplates[random.Next(ReferenceTemplates.Length)], id, project, year,
                    1 + random.Next(12), 1 + random.Next(28), random.Next(1000, 9999), Convert.ToHexStringLower(RandomBytes(random, 20))));
            }

            (string, int)[] vendorSeverity = random.Next(2) == 0
                ? [("nvd", Level(severity)), ("redhat", Math.Max(1, Level(severity) - random.Next(2))), ("ubuntu", Math.Max(1, Level(severity) - random.Next(2)))]
                : [("debian", Math.Max(1, Level(severity) - 1)), ("nvd", Level(severity))];
            return new Cve(id, severity, v3, vector, hasV2 ? Math.Round(v3!.Value * 0.8, 1) : null,
                hasV2 ? $"AV:{(network ? "N" : "L")}/AC:L/Au:N/C:P/I:P/A:P" : null, v3 is not null && random.Next(2) == 0 ? Math.Round(v3.Value - 0.3, 1) : null,
                title, description.ToString(), [$"CWE-{weakness.Cwe}"], vendorSeverity, [.. references.Distinct()],
                $"https://avd.aquasec.com/nvd/{id.ToLowerInvariant()}", published.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                published.AddDays(random.Next(900)).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), random.NextDouble());
        }

        private static int Level(string severity) => severity switch { "CRITICAL" => 4, "HIGH" => 3, "MEDIUM" => 2, "LOW" => 1, _ => 0 };

        private static string Ghsa(Random random) => new([.. Enumerable.Range(0, 4).Select(_ => "23456789cfghjmpqrvwx"[random.Next(20)])]);

        private static byte[] RandomBytes(Random random, int count)
        {
            var bytes = new byte[count];
            random.NextBytes(bytes);
            return bytes;
        }

        private static readonly (string Title, string Description, int Cwe)[] Weaknesses =
        [
            ("heap-based buffer overflow in {0}", "A heap-based buffer overflow in {0} allows a remote attacker to cause a denial of service or possibly execute arbitrary code via {1}.", 122),
            ("use-after-free in {0}", "A use-after-free in {0} can be triggered by {1}, leading to a crash or memory corruption.", 416),
            ("out-of-bounds read in {0}", "An out-of-bounds read in {0} when processing {1} may disclose memory contents or crash the process.", 125),
            ("out-of-bounds write in {0}", "An out-of-bounds write in {0} when processing {1} may allow code execution.", 787),
            ("NULL pointer dereference in {0}", "A NULL pointer dereference in {0} allows {1} to crash the application.", 476),
            ("integer overflow in {0} leads to heap corruption", "An integer overflow in {0} on 32-bit and 64-bit platforms, reachable through {1}, leads to an undersized allocation and heap corruption.", 190),
            ("denial of service via crafted {1}", "Processing {1} with deeply nested or excessively long elements consumes unbounded CPU time in {0}.", 400),
            ("infinite loop when parsing {1}", "An infinite loop in {0} can be reached when parsing {1}, resulting in a denial of service.", 835),
            ("improper certificate validation", "Certificate chains are not validated correctly by {0} under some configurations, so {1} can be used to impersonate a server.", 295),
            ("path traversal in {0}", "Improper limitation of a pathname in {0} allows {1} to write files outside the intended directory.", 22),
            ("regular expression denial of service in {0}", "An inefficient regular expression in {0} exhibits catastrophic backtracking on {1}.", 1333),
            ("information disclosure via {1}", "Sensitive information may be written to {1} by {0}, where it can be read by other local users.", 200),
            ("HTTP request smuggling in {0}", "Inconsistent interpretation of {1} in {0} allows HTTP request smuggling.", 444),
            ("improper input validation in {0}", "Insufficient validation of {1} in {0} allows a remote attacker to bypass intended restrictions.", 20),
            ("uncontrolled resource consumption in {0}", "{0} does not limit the memory allocated for {1}, allowing a remote attacker to exhaust memory.", 770),
        ];

        private static readonly string[] Functions =
        [
            "parse_header", "decode_frame", "ssl3_read_bytes", "inflate_fast", "read_config", "tls_process_key_exchange", "xmlParseCharData",
            "url_parse", "archive_read_format_tar", "dns_resolve", "base64_decode", "asn1_get_object", "http_parse_chunked", "sqlite3VdbeExec",
            "cookie_parse", "gz_load", "pcre2_match", "utf8_decode", "getaddrinfo", "Unmarshal", "yaml.load", "RequestHandler",
        ];

        private static readonly string[] Inputs =
        [
            "a crafted certificate", "a malformed HTTP/2 frame", "a specially crafted archive", "an overlong header", "a crafted XML document",
            "a malicious URL", "a crafted DNS response", "untrusted YAML input", "a crafted JSON document", "a long cookie string",
            "a crafted compressed stream", "a specially crafted regular expression", "environment variables", "a symbolic link",
        ];

        private static readonly string[] Sentences =
        [
            "This issue affects {0} versions before the fixed release.",
            "The highest threat from this vulnerability is to system availability.",
            "Exploitation requires the attacker to be able to supply {2} to an application using {1}.",
            "Applications that do not call {1} on untrusted data are not affected.",
            "Note: this issue was discovered by fuzzing with OSS-Fuzz.",
            "A successful attack can lead to a crash of the process, and possibly to remote code execution.",
            "Users are advised to upgrade; there is no known workaround.",
        ];

        private static readonly string[] ReferenceTemplates =
        [
            "https://github.com/{1}/{1}/commit/{6}",
            "https://lists.debian.org/debian-lts-announce/{2}/{3:00}/msg000{5}.html",
            "https://ubuntu.com/security/notices/USN-{5}-1",
            "https://security.netapp.com/advisory/ntap-{2}{3:00}{4:00}-0001/",
            "https://linux.oracle.com/errata/ELSA-{2}-{5}.html",
            "https://www.openwall.com/lists/oss-security/{2}/{3:00}/{4:00}/1",
            "https://security.gentoo.org/glsa/{2}{3:00}-{4:00}",
            "https://bugzilla.redhat.com/show_bug.cgi?id=2{5}",
            "https://github.com/advisories/{0}",
            "https://www.debian.org/security/{2}/dsa-{5}",
        ];
    }

    /// <summary>A base image's distribution at four point releases; older ones carry more of their projects' CVEs.</summary>
    private sealed record OsRelease(
        string Family, string Name, int Weight, string SeveritySource, string DataSourceId, string DataSourceName, string DataSourceUrl,
        (string Project, string[] Packages, string Upstream, Cve[] Cves)[] Projects, Func<string, int, string> Version, Func<string, string> Purl)
    {
        public string PointName(int point) => Family == "alpine" ? $"{Name}.{2 + point * 2}" : Family == "ubuntu" ? Name : $"{Name}.{1 + point * 2}";

        /// <summary>The vulnerable packages of point release <paramref name="point"/> (0 is the oldest), in a fixed shuffled order.</summary>
        public Entry[] Vulnerable(int point, Random random)
        {
            var entries = new List<Entry>();
            foreach (var (project, packages, upstream, cves) in Projects)
            {
                foreach (var cve in cves)
                {
                    // Each distribution carries most, not all, of a project's CVEs; later point releases fixed the older ones.
                    var relevance = Stable($"{Family}|{Name}|{cve.Id}") % 100;
                    if (relevance >= 70)
                    {
                        continue;
                    }

                    var fixedAt = (int)(cve.Age * (ReleasesPerOs + 2)); // 4 and 5: not fixed in any point release yet
                    if (fixedAt <= point)
                    {
                        continue;
                    }

                    var unfixed = fixedAt >= ReleasesPerOs;
                    foreach (var package in packages)
                    {
                        var installed = Version(upstream, point);
                        var fixedVersion = unfixed ? null : Version(upstream, fixedAt);
                        var status = unfixed ? new[] { "affected", "will_not_fix", "fix_deferred" }[relevance % 3] : "fixed";
                        var severity = Family == "debian" && cve.Severity == "MEDIUM" && relevance % 3 == 0 ? "LOW" : cve.Severity;
                        entries.Add(new Entry(cve, package, installed, fixedVersion, status, severity, Purl($"{package}@{installed}"),
                            Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(package + installed)))[..16],
                            relevance % 5 == 0 ? $"{(Family == "ubuntu" ? "USN" : "DSA")}-{1000 + relevance * 37}-1" : null, null,
                            SeveritySource, DataSourceName, DataSourceUrl));
                    }
                }
            }

            return [.. entries.OrderBy(_ => random.Next())];
        }

        public static OsRelease[] All(CveCatalog catalog)
        {
            (string Project, string[] Packages, string Upstream, int Cves)[] debian =
            [
                ("openssl", ["libssl3", "openssl"], "3.0.11", 40), ("glibc", ["libc6", "libc-bin"], "2.36", 30), ("zlib", ["zlib1g"], "1.2.13", 6),
                ("curl", ["libcurl4", "curl"], "7.88.1", 35), ("systemd", ["libsystemd0", "libudev1"], "252.17", 18), ("perl", ["perl-base"], "5.36.0", 12),
                ("bash", ["bash"], "5.2.15", 4), ("tar", ["tar"], "1.34", 5), ("gnutls28", ["libgnutls30"], "3.7.9", 12), ("krb5", ["libgssapi-krb5-2", "libkrb5-3", "libk5crypto3"], "1.20.1", 10),
                ("libxml2", ["libxml2"], "2.9.14", 16), ("sqlite3", ["libsqlite3-0"], "3.40.1", 12), ("expat", ["libexpat1"], "2.5.0", 8), ("pcre2", ["libpcre2-8-0"], "10.42", 5),
                ("ncurses", ["libncursesw6", "libtinfo6", "ncurses-base"], "6.4", 6), ("util-linux", ["libblkid1", "libmount1", "util-linux"], "2.38.1", 6),
                ("shadow", ["login", "passwd"], "4.13", 5), ("libgcrypt20", ["libgcrypt20"], "1.10.1", 4), ("e2fsprogs", ["libcom-err2", "libss2", "e2fsprogs"], "1.47.0", 4),
                ("apt", ["apt", "libapt-pkg6.0"], "2.6.1", 3), ("coreutils", ["coreutils"], "9.1", 3), ("python3.11", ["libpython3.11-minimal", "python3.11-minimal"], "3.11.2", 25),
                ("git", ["git"], "2.39.2", 12), ("libtasn1-6", ["libtasn1-6"], "4.19.0", 3), ("openldap", ["libldap-2.5-0"], "2.5.13", 5),
            ];
            (string Project, string[] Packages, string Upstream, int Cves)[] alpine =
            [
                ("openssl", ["libcrypto3", "libssl3"], "3.1.4", 40), ("busybox", ["busybox", "busybox-binsh", "ssl_client"], "1.36.1", 14), ("musl", ["musl", "musl-utils"], "1.2.4", 4),
                ("zlib", ["zlib"], "1.2.13", 6), ("curl", ["libcurl", "curl"], "8.4.0", 35), ("apk-tools", ["apk-tools"], "2.14.0", 3), ("ncurses", ["ncurses-libs", "ncurses-terminfo-base"], "6.4_p20230506", 6),
                ("sqlite3", ["sqlite-libs"], "3.41.2", 12), ("expat", ["libexpat"], "2.5.0", 8), ("libxml2", ["libxml2"], "2.11.5", 16), ("python3.11", ["python3"], "3.11.6", 25),
                ("git", ["git"], "2.40.1", 12), ("pcre2", ["pcre2"], "10.42", 5),
            ];
            (string Project, string[] Packages, string Upstream, int Cves)[] redhat =
            [
                ("openssl", ["openssl-libs"], "3.0.7", 40), ("glibc", ["glibc", "glibc-common", "glibc-minimal-langpack"], "2.34", 30), ("zlib", ["zlib"], "1.2.11", 6),
                ("curl", ["curl-minimal", "libcurl-minimal"], "7.76.1", 35), ("systemd", ["systemd-libs"], "252", 18), ("krb5", ["krb5-libs"], "1.21.1", 10),
                ("libxml2", ["libxml2"], "2.9.13", 16), ("sqlite3", ["sqlite-libs"], "3.34.1", 12), ("expat", ["expat"], "2.5.0", 8), ("python3.11", ["python3-libs"], "3.9.18", 25),
                ("gnutls28", ["gnutls"], "3.7.6", 12), ("rpm", ["rpm", "rpm-libs"], "4.16.1.3", 6), ("pam", ["pam"], "1.5.1", 4),
            ];

            (string, string[], string, Cve[])[] Projects((string Project, string[] Packages, string Upstream, int Cves)[] list) =>
                [.. list.Select(p => (p.Project, p.Packages, p.Upstream, catalog.Of(p.Project, p.Project, p.Cves * 2)))];

            return
            [
                new("debian", "12", 34, "debian", "debian", "Debian Security Tracker", "https://salsa.debian.org/security-tracker-team/security-tracker", Projects(debian),
                    (upstream, point) => $"{upstream}-1~deb12u{point + 1}", id => $"pkg:deb/debian/{id}?arch=amd64&distro=debian-12"),
                new("debian", "11", 14, "debian", "debian", "Debian Security Tracker", "https://salsa.debian.org/security-tracker-team/security-tracker", Projects(debian),
                    (upstream, point) => $"{upstream}-1+deb11u{point + 1}", id => $"pkg:deb/debian/{id}?arch=amd64&distro=debian-11"),
                new("ubuntu", "22.04", 20, "ubuntu", "ubuntu", "Ubuntu CVE Tracker", "https://git.launchpad.net/ubuntu-cve-tracker", Projects(debian),
                    (upstream, point) => $"{upstream}-0ubuntu0.22.04.{point + 1}", id => $"pkg:deb/ubuntu/{id}?arch=amd64&distro=ubuntu-22.04"),
                new("ubuntu", "20.04", 8, "ubuntu", "ubuntu", "Ubuntu CVE Tracker", "https://git.launchpad.net/ubuntu-cve-tracker", Projects(debian),
                    (upstream, point) => $"{upstream}-1ubuntu0.20.04.{point + 1}", id => $"pkg:deb/ubuntu/{id}?arch=amd64&distro=ubuntu-20.04"),
                new("alpine", "3.19", 12, "nvd", "alpine", "Alpine Secdb", "https://secdb.alpinelinux.org/", Projects(alpine),
                    (upstream, point) => $"{upstream}-r{point}", id => $"pkg:apk/alpine/{id}?arch=x86_64&distro=3.19"),
                new("alpine", "3.18", 5, "nvd", "alpine", "Alpine Secdb", "https://secdb.alpinelinux.org/", Projects(alpine),
                    (upstream, point) => $"{upstream}-r{point + 1}", id => $"pkg:apk/alpine/{id}?arch=x86_64&distro=3.18"),
                new("redhat", "9", 7, "redhat", "redhat", "Red Hat", "https://www.redhat.com/security/data/", Projects(redhat),
                    (upstream, point) => $"{upstream}-{point + 2}.el9", id => $"pkg:rpm/redhat/{id}?arch=x86_64&distro=redhat-9"),
            ];
        }
    }

    /// <summary>An application stack's packages, each at one of several versions in circulation; older versions carry more CVEs.</summary>
    private sealed record Stack(string Target, string Type, string Ecosystem, string DataSourceName, string DataSourceUrl, (string Package, Cve[] Cves)[] Packages)
    {
        public const int Variants = 8;

        /// <summary>Variant <paramref name="variant"/>'s lock file: which version of each package; its vulnerable ones in a fixed shuffled order.</summary>
        public Entry[] Vulnerable(int variant, Random random)
        {
            var entries = new List<Entry>();
            foreach (var (package, cves) in Packages)
            {
                // Versions 1.0 .. 1.5: a CVE found at age a is fixed in 1.(a*6); installed 1.v has the ones fixed later.
                var installedAt = (int)(Stable($"{package}|{variant}") % 6);
                var installed = $"{1 + installedAt / 3}.{installedAt % 3 * 4}.{installedAt}";
                foreach (var cve in cves)
                {
                    var fixedAt = (int)(cve.Age * 7);
                    if (fixedAt <= installedAt)
                    {
                        continue;
                    }

                    var fixedVersion = fixedAt >= 6 ? null : $"{1 + fixedAt / 3}.{fixedAt % 3 * 4}.{fixedAt}";
                    entries.Add(new Entry(cve, package, installed, fixedVersion, fixedVersion is null ? "affected" : "fixed", cve.Severity,
                        $"pkg:{Ecosystem}/{package}@{installed}", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(package + installed)))[..16],
                        null, Ecosystem == "pypi" ? $"usr/local/lib/python3.11/site-packages/{package}-{installed}.dist-info/METADATA" : null,
                        "ghsa", DataSourceName, DataSourceUrl));
                }
            }

            return [.. entries.OrderBy(_ => random.Next())];
        }

        public static Stack[] All(CveCatalog catalog)
        {
            (string, Cve[])[] Packages(string ecosystem, string[] names, int cves) =>
                [.. names.Select((n, i) => (n, catalog.Of($"{ecosystem}/{n}", n, 2 * (2 + (cves * (i + 3) % 9)), ghsa: true)))];
            return
            [
                new("Python", "python-pkg", "pypi", "GitHub Security Advisory pip", "https://github.com/advisories?query=type%3Areviewed+ecosystem%3Apip",
                    Packages("pypi", ["urllib3", "requests", "jinja2", "werkzeug", "flask", "setuptools", "pip", "cryptography", "pillow", "numpy", "tornado", "aiohttp",
                        "certifi", "idna", "pyyaml", "protobuf", "tensorflow", "torch", "transformers", "scikit-learn", "jupyter-server", "notebook", "jupyterlab",
                        "nbconvert", "ipython", "gitpython", "paramiko", "lxml", "sqlparse", "django"], 7)),
                new("Node.js", "node-pkg", "npm", "GitHub Security Advisory npm", "https://github.com/advisories?query=type%3Areviewed+ecosystem%3Anpm",
                    Packages("npm", ["lodash", "minimist", "semver", "tough-cookie", "json5", "word-wrap", "ws", "axios", "follow-redirects", "express", "body-parser",
                        "cookie", "path-to-regexp", "braces", "micromatch", "cross-spawn", "ip", "tar", "undici", "postcss"], 5)),
                new("Java", "jar", "maven", "GitHub Security Advisory Maven", "https://github.com/advisories?query=type%3Areviewed+ecosystem%3Amaven",
                    Packages("maven", ["org.apache.logging.log4j:log4j-core", "com.fasterxml.jackson.core:jackson-databind", "org.springframework:spring-core",
                        "org.springframework:spring-web", "io.netty:netty-codec-http", "org.apache.commons:commons-text", "org.yaml:snakeyaml",
                        "com.google.guava:guava", "com.google.protobuf:protobuf-java", "org.apache.tomcat.embed:tomcat-embed-core"], 8)),
                new("usr/local/bin/app", "gobinary", "golang", "GitHub Security Advisory Go", "https://github.com/advisories?query=type%3Areviewed+ecosystem%3Ago",
                    Packages("golang", ["stdlib", "golang.org/x/net", "golang.org/x/crypto", "google.golang.org/grpc", "google.golang.org/protobuf", "github.com/docker/docker",
                        "k8s.io/client-go", "github.com/opencontainers/runc", "golang.org/x/text", "github.com/golang-jwt/jwt/v4"], 8)),
            ];
        }
    }
}
