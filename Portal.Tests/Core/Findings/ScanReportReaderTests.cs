using System.Text;
using Portal.Core.Findings;
using Portal.Core.Findings.Parsers;
using static Portal.Tests.Core.Findings.ReportFixtures;

namespace Portal.Tests.Core.Findings;

public sealed class ScanReportReaderTests
{
    public static TheoryData<string, ReportFormat> AcceptedFixtures => new()
    {
        { "trivy/alpine-310.json.golden", ReportFormat.Trivy },
        { "trivy/alpine-39-skip.json.golden", ReportFormat.Trivy },
        { "trivy/centos-7.json.golden", ReportFormat.Trivy },
        { "trivy/debian-stretch.json.golden", ReportFormat.Trivy },
        { "trivy/fluentd-gems.json.golden", ReportFormat.Trivy },
        { "trivy/secrets.json.golden", ReportFormat.Trivy },
        { "trivy/ubi-7-comprehensive.json.golden", ReportFormat.Trivy },
        { "trivy/ubuntu-1804.json.golden", ReportFormat.Trivy },
        { "trivy/defectdojo/all_statuses.json", ReportFormat.Trivy },
        { "trivy/defectdojo/misconfigurations_and_secrets.json", ReportFormat.Trivy },
        { "trivy-operator/vulnerability-ttl.yaml", ReportFormat.TrivyOperator },
        { "trivy-operator/vulnerabilityreport_extended.json", ReportFormat.TrivyOperator },
        { "trivy-operator/vulnerabilityreport_no_vuln.json", ReportFormat.TrivyOperator },
        { "trivy-operator/vulnerabilityreport_single_vuln.json", ReportFormat.TrivyOperator },
        { "jfrog-xray/api_summary_artifact/one_vuln.json", ReportFormat.XraySummary },
        { "jfrog-xray/unified/Vulnerabilities-Report-XRAY_Unified.json", ReportFormat.XrayViolations },
        { "harbor-scanner/harbor-0-vuln.json", ReportFormat.Harbor },
    };

    [Theory]
    [MemberData(nameof(AcceptedFixtures))]
    public void DetectsTheFormatOfEveryAcceptedFixture(string file, ReportFormat format)
    {
        var body = Bytes(file.Split('/'));

        ScanReportReader.Detect(body).ShouldBe(format);
        Read(body).Format.ShouldBe(format);
    }

    [Fact]
    public void TheMalwareScanFormatIsNeverReadFromABody()
    {
        var body = Bytes("trivy", "alpine-310.json.golden");

        Should.Throw<ScanReportFormatException>(() => Read(body, ReportFormat.MalwareScan)).Message.ShouldContain("not a format the portal reads");
        ScanReportReader.ReadableFormats.ShouldNotContain(ReportFormat.MalwareScan);
        ScanReportReader.ReadableFormats.Count.ShouldBe(Enum.GetValues<ReportFormat>().Length - 1);
    }

    [Theory]
    [MemberData(nameof(AcceptedFixtures))]
    public void ReadsTheSameWhetherTheFormatIsStatedOrDetected(string file, ReportFormat format)
    {
        var body = Bytes(file.Split('/'));

        Read(body, format).Counts().ShouldBe(Read(body).Counts());
    }

    [Fact]
    public void RejectsABodyOverTheSizeLimitNamingTheLimit()
    {
        var body = Bytes("trivy", "alpine-310.json.golden");
        var options = new ScanReportReaderOptions { MaxBodyBytes = 20_000 };
        body.Length.ShouldBeGreaterThan(20_000);

        var message = Rejects(body, options: options);

        message.ShouldBe("The report is larger than the configured size limit of 20,000 bytes (ScanReports:MaxBodyBytes).");
    }

    [Fact]
    public void NamesTheDefaultLimitInMebibytes()
    {
        var options = new ScanReportReaderOptions();
        options.MaxBodyBytes.ShouldBe(50 * 1024 * 1024);

        var message = Should.Throw<ScanReportFormatException>(() =>
            ScanReportReader.Read(new ZeroStream(options.MaxBodyBytes + 1L), null, options)).Message;

        message.ShouldContain("52,428,800 bytes (50 MiB)");
    }

    [Fact]
    public void StopsReadingAStreamThatGrowsPastTheLimit()
    {
        var options = new ScanReportReaderOptions { MaxBodyBytes = 1000 };
        using var body = new NonSeekableStream(Bytes("trivy", "alpine-310.json.golden"));

        Should.Throw<ScanReportFormatException>(() => ScanReportReader.Read(body, null, options)).Message.ShouldContain("1,000 bytes");
        body.BytesRead.ShouldBeLessThanOrEqualTo(1000 + 81920);
    }

    [Fact]
    public async Task ReadsAStreamAsynchronouslyWithinTheLimit()
    {
        using var body = new NonSeekableStream(Bytes("trivy", "alpine-310.json.golden"));

        var report = await ScanReportReader.ReadAsync(body, null, new ScanReportReaderOptions(), TestContext.Current.CancellationToken);

        report.Counts().ShouldBe(Counts(1, vulnerabilities: 4, medium: 4));
    }

    [Fact]
    public async Task RejectsAnAsynchronousStreamOverTheLimit()
    {
        using var body = new NonSeekableStream(Bytes("trivy", "alpine-310.json.golden"));
        var options = new ScanReportReaderOptions { MaxBodyBytes = 100 };

        var exception = await Should.ThrowAsync<ScanReportFormatException>(() =>
            ScanReportReader.ReadAsync(body, null, options, TestContext.Current.CancellationToken));

        exception.Message.ShouldContain("100 bytes");
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \r\n\t ")]
    [InlineData("\uFEFF")]
    public void RejectsAnEmptyBody(string body) => Rejects(body).ShouldBe("The report body is empty.");

    [Fact]
    public void ReadsABodyWithAByteOrderMark()
    {
        var body = Encoding.UTF8.GetPreamble().Concat(Bytes("trivy", "centos-7.json.golden")).ToArray();

        Read(body).Counts().ShouldBe(Counts(1, vulnerabilities: 3, medium: 1, low: 2));
    }

    // Truncated bodies of each format: the format is still recognised from the members before the cut, and the
    // message says the JSON ends too early, where.
    [Theory]
    [InlineData("trivy/debian-stretch.json.golden", "Trivy report: the JSON ends too early (truncated?) at $.Results[0].Vulnerabilities[2]")]
    [InlineData("jfrog-xray/unified/Vulnerabilities-Report-XRAY_Unified.json", "Xray violations: the JSON ends too early (truncated?) at $.rows[0].references[10] (line 139, column 51)")]
    [InlineData("jfrog-xray/api_summary_artifact/one_vuln.json", "Xray artifact summary: the JSON ends too early (truncated?) at $.artifacts[0].issues[0]")]
    public void RejectsTruncatedJsonSayingWhereItEnds(string file, string start)
    {
        var body = Bytes(file.Split('/'));

        Rejects(body[..(body.Length / 2)]).ShouldStartWith(start);
    }

    [Fact]
    public void RejectsTruncatedJsonWhoseFormatCannotBeTold()
    {
        Rejects("""{ "SchemaVers""").ShouldStartWith("The body is not valid JSON: the JSON ends too early");
    }

    [Fact]
    public void RejectsAJsonArrayWhereTheReportObjectBelongs()
    {
        Rejects("[]", ReportFormat.Trivy).ShouldStartWith("Trivy report: $ must be an object, not an array");
        Rejects("[]", ReportFormat.Harbor).ShouldStartWith("Harbor report: $ must be an object, not an array");
        Rejects("[]", ReportFormat.TrivyOperator).ShouldStartWith("Trivy Operator report: $ must be an object");
        Rejects("[]", ReportFormat.XraySummary).ShouldStartWith("Xray artifact summary: $ must be an object, not an array");
        Rejects("[{}]").ShouldStartWith("The body is a JSON array, but every report format is a JSON object");
    }

    [Fact]
    public void RejectsAnArrayWhereAnObjectBelongsInsideAReport()
    {
        var message = Rejects("""{ "SchemaVersion": 2, "ArtifactName": "a", "Metadata": [], "Results": [] }""");

        message.ShouldStartWith("Trivy report: $.Metadata must be an object, not an array (line 1, column");
    }

    [Fact]
    public void RejectsAScalarWhereAnArrayBelongs()
    {
        var message = Rejects("""{ "artifacts": [ { "general": { "name": "a", "pkg_type": "Docker" }, "issues": [ { "impact_path": "x" } ] } ] }""");

        message.ShouldStartWith("Xray artifact summary: $.artifacts[0].issues[0].impact_path must be an array, not a string");
    }

    [Fact]
    public void RejectsNullWhereAValueIsRequired()
    {
        Rejects("""{ "SchemaVersion": 2, "Results": [ { "Target": null } ] }""")
            .ShouldStartWith("Trivy report: $.Results[0].Target must not be null");
    }

    [Fact]
    public void RejectsAMemberGivenTwice()
    {
        Rejects("""{ "SchemaVersion": 2, "Results": [], "Results": [] }""")
            .ShouldStartWith("Trivy report: field 'Results' appears twice at $");
    }

    [Fact]
    public void RejectsAnObjectOfNoKnownFormatListingItsMembers()
    {
        var message = Rejects("""{ "hello": "world", "count": 1 }""");

        message.ShouldStartWith("The body is not a report the portal reads: its top-level members are 'hello', 'count'");
    }

    [Fact]
    public void RejectsASingleJsonValue()
    {
        Rejects("42").ShouldStartWith("The body is not JSON, so it was read as YAML");
        Rejects("\"report\"").ShouldStartWith("The body is not JSON, so it was read as YAML");
        Rejects("[1, 2]").ShouldStartWith("The body is a JSON array");
    }

    [Fact]
    public void RejectsAKubernetesObjectOfAnotherKind()
    {
        var message = Rejects("""{ "apiVersion": "v1", "kind": "Pod", "metadata": { "name": "web" } }""");

        message.ShouldBe("The body is a Kubernetes Pod (v1), not a Trivy Operator VulnerabilityReport (aquasecurity.github.io/v1alpha1).");
    }

    [Fact]
    public void SaysWhatTheBodyLooksLikeWhenTheStatedFormatIsWrong()
    {
        var message = Rejects(Bytes("harbor-scanner", "harbor-0-vuln.json"), ReportFormat.Trivy);

        message.ShouldStartWith("Trivy report: unknown field 'application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0' at $");
        message.ShouldEndWith("The body looks like a Harbor vulnerability report, not a Trivy JSON report.");
    }

    [Fact]
    public void RejectsYamlWhenAJsonFormatIsStated()
    {
        var message = Rejects(Bytes("trivy-operator", "vulnerability-ttl.yaml"), ReportFormat.Trivy);

        message.ShouldContain("is JSON, but the body does not start with '{'");
    }

    [Fact]
    public void RejectsTextThatIsNeitherJsonNorAVulnerabilityReport()
    {
        // A Markdown document: "not JSON", so read as YAML, which it is not either.
        var message = Rejects(Bytes("jfrog-xray", "webhook", "XRAY_WEBHOOK_PAYLOAD_NOTES.md"));

        message.ShouldStartWith("Trivy Operator report: the body is not JSON, and as YAML it is not well formed at line 4");
    }

    [Fact]
    public void RejectsInvalidUtf8()
    {
        Rejects([0x61, 0x3A, 0x20, 0xFF, 0xFE]).ShouldContain("not valid UTF-8");
    }

    [Fact]
    public void RejectsDeeplyNestedYamlWithoutOverflowingTheStack()
    {
        var body = "a: " + new string('[', 100_000) + new string(']', 100_000);

        Rejects(body).ShouldContain("nests deeper than 64 levels");
    }

    [Fact]
    public void RejectsDeeplyNestedJson()
    {
        var body = """{ "SchemaVersion": 2, "Results": [ { "Target": "t", "Vulnerabilities": [ { "VulnerabilityID": "x", "Custom": """
            + new string('[', 1000) + new string(']', 1000) + "} ] } ] }";

        Rejects(body).ShouldStartWith("Trivy report: not valid JSON at $.Results[0].Vulnerabilities[0].Custom");
    }

    /// <summary>A stream that cannot say its length up front, as a request body often cannot.</summary>
    private sealed class NonSeekableStream(byte[] content) : MemoryStream(content)
    {
        public long BytesRead { get; private set; }

        public override bool CanSeek => false;

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = base.Read(buffer, offset, count);
            BytesRead += read;
            return read;
        }

        public override int Read(Span<byte> buffer)
        {
            var read = base.Read(buffer);
            BytesRead += read;
            return read;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = base.Read(buffer.Span);
            BytesRead += read;
            return ValueTask.FromResult(read);
        }
    }

    /// <summary>A seekable stream of zeros that says how long it is without holding the bytes.</summary>
    private sealed class ZeroStream(long length) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get; set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = (int)Math.Min(count, length - Position);
            Array.Clear(buffer, offset, read);
            Position += read;
            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
