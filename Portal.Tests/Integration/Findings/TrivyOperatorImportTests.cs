using System.Text.Json.Nodes;
using KubernetesEmulator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Portal.Core.Findings;
using Portal.Core.Findings.Parsers;
using Portal.Features.Findings;
using Portal.Integrations.Kubernetes;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Integration.Findings;

/// <summary>Trivy Operator's VulnerabilityReports are read from a cluster (the API emulator) and stored as findings.</summary>
public sealed class TrivyOperatorImportTests(PostgresServer postgres)
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private static readonly string Digest = "sha256:" + new string('7', 64);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Fixture(string file) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "trivy-operator", file);

    [Fact]
    public async Task ReadsEveryReportInTheClusterPagedAndStoresTheOnesWithAKnownDigest()
    {
        await using var emulator = await KubernetesApiEmulator.StartAsync(cancellationToken: Ct);
        using var directory = new TempDirectory("trivy-operator");
        emulator.LoadFile(Fixture("vulnerabilityreport_single_vuln.json"));
        emulator.LoadFile(Fixture("vulnerabilityreport_extended.json"));
        // The extended report again for another image, in another namespace.
        var withDigest = JsonNode.Parse(File.ReadAllText(Fixture("vulnerabilityreport_extended.json")))!.AsObject();
        withDigest["metadata"]!["namespace"] = "team-b";
        withDigest["report"]!["artifact"]!["digest"] = Digest;
        emulator.Add(withDigest);
        var options = Options.Create(new KubernetesOptions
        {
            Clusters = [new ClusterOptions { Name = "prod", KubeConfigPath = emulator.WriteKubeconfig(directory.File("kubeconfig")), PageSize = 1 }],
        });
        var source = new TrivyOperatorReportSource(options, Options.Create(new ScanReportReaderOptions()), NullLogger<TrivyOperatorReportSource>.Instance);
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite, postgres);
        var ingestion = new FindingIngestion(database, new FakeTimeProvider(Now));

        var batch = await source.ReadAsync("prod", Ct);
        var results = new List<IngestionResult>();
        foreach (var report in batch.Reports)
        {
            results.Add(await ingestion.IngestAsync(report, "trivy-operator prod", null, Ct));
        }

        batch.Reports.Count.ShouldBe(3);
        batch.Rejected.ShouldBeEmpty();
        emulator.Requests.Count(r => r.Path == "/apis/aquasecurity.github.io/v1alpha1/vulnerabilityreports").ShouldBe(3, "one report per page");
        results.SelectMany(r => r.Stored).Select(s => s.Digest).Order().ShouldBe(
            [Digest, "sha256:f78909c2b360d866b3220655c0b079838258b8891a12ac25fc670f0cbb54229f"]);
        results.SelectMany(r => r.Unmatched).ShouldHaveSingleItem("the single-vulnerability report has no digest, and no such tag is in the inventory");
        await using var db = database.CreateDbContext();
        (await db.Findings.CountAsync(f => f.Digest == Digest && f.Sources == "TrivyOperator", Ct)).ShouldBe(5);
    }

    [Fact]
    public async Task AClusterWithoutTheOperatorHasNoReports()
    {
        await using var emulator = await KubernetesApiEmulator.StartAsync(cancellationToken: Ct);
        using var directory = new TempDirectory("trivy-operator");
        var options = Options.Create(new KubernetesOptions
        {
            Clusters = [new ClusterOptions { Name = "prod", KubeConfigPath = emulator.WriteKubeconfig(directory.File("kubeconfig")) }],
        });
        var source = new TrivyOperatorReportSource(options, Options.Create(new ScanReportReaderOptions()), NullLogger<TrivyOperatorReportSource>.Instance);

        var batch = await source.ReadAsync("prod", Ct);

        batch.Reports.ShouldBeEmpty();
    }
}
