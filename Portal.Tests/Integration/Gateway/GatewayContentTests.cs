using System.Text;
using Portal.Core.Gateway;
using Portal.Features.Gateway;
using Portal.Tests.Components.Gateway;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Integration.Gateway;

/// <summary>The Gateway page's reads over a real database: content joined with remotes and verdicts, filters, CSV, quarantine log, totals.</summary>
public sealed class GatewayContentTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task ListsEveryPathNewestFirstWithItsRemoteAndTheVerdictOfItsBytes(DatabaseKind kind)
    {
        await using var database = await TestDatabase.CreateAsync(kind, postgres);
        await GatewaySeed.SeedAsync(database, Ct);
        var content = new GatewayContent(database);

        var page = await content.SearchAsync(new ContentFilter(), 0, 50, Ct);

        page.TotalCount.ShouldBe(4);
        page.Items.Select(r => (r.Remote, r.Path, r.Verdict, r.Kept)).ShouldBe([
            ("tools", "releases/requests-copy.whl", ContentVerdict.Clean, false),
            ("tools", "releases/cli-2.0.tar.gz", ContentVerdict.NotScanned, false),
            ("pypi", "+files/packages/evil-1.0.tar.gz", ContentVerdict.Infected, false),
            ("pypi", "+files/packages/requests-2.32.3-py3-none-any.whl", ContentVerdict.Clean, true),
        ]);
        var evil = page.Items[2];
        evil.Signature.ShouldBe(GatewaySeed.Signature);
        evil.Sha256.ShouldBe(GatewaySeed.EvilSha);
        evil.Size.ShouldBe(1_234);
        evil.Source.ShouldBe(ContentSource.Request);
        var requests = page.Items[3];
        (requests.Engine, requests.DefinitionsVersion, requests.ScannedAt, requests.FetchedAt)
            .ShouldBe((GatewaySeed.Engine, GatewaySeed.Definitions, GatewaySeed.Now.AddHours(-3), GatewaySeed.Now.AddHours(-3)));
        requests.Signature.ShouldBeNull();
        var unscanned = page.Items[1];
        (unscanned.Engine, unscanned.DefinitionsVersion, unscanned.ScannedAt, unscanned.Source).ShouldBe((null, null, null, ContentSource.Sync));
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task FiltersByRemoteVerdictAndPartOfThePathOnTheServerAndPages(DatabaseKind kind)
    {
        await using var database = await TestDatabase.CreateAsync(kind, postgres);
        await GatewaySeed.SeedAsync(database, Ct);
        var content = new GatewayContent(database);

        async Task<IEnumerable<string>> PathsAsync(ContentFilter filter) =>
            (await content.SearchAsync(filter, 0, 50, Ct)).Items.Select(r => r.Path);

        (await PathsAsync(new ContentFilter(Remote: "pypi"))).ShouldBe(["+files/packages/evil-1.0.tar.gz", "+files/packages/requests-2.32.3-py3-none-any.whl"]);
        (await PathsAsync(new ContentFilter(Verdict: ContentVerdict.Infected))).ShouldBe(["+files/packages/evil-1.0.tar.gz"]);
        (await PathsAsync(new ContentFilter(Verdict: ContentVerdict.NotScanned))).ShouldBe(["releases/cli-2.0.tar.gz"]);
        (await PathsAsync(new ContentFilter(Verdict: ContentVerdict.Clean)))
            .ShouldBe(["releases/requests-copy.whl", "+files/packages/requests-2.32.3-py3-none-any.whl"]);
        (await PathsAsync(new ContentFilter(Verdict: ContentVerdict.ScanFailed))).ShouldBeEmpty();
        (await PathsAsync(new ContentFilter(Path: " REQUESTS "))).ShouldBe(["releases/requests-copy.whl", "+files/packages/requests-2.32.3-py3-none-any.whl"]);
        (await PathsAsync(new ContentFilter("tools", ContentVerdict.Clean, "requests"))).ShouldBe(["releases/requests-copy.whl"]);
        (await PathsAsync(new ContentFilter(Remote: "nope"))).ShouldBeEmpty();

        var second = await content.SearchAsync(new ContentFilter(), 1, 2, Ct);
        second.TotalCount.ShouldBe(4);
        second.Items.Select(r => r.Path).ShouldBe(["releases/cli-2.0.tar.gz", "+files/packages/evil-1.0.tar.gz"]);
    }

    [Fact]
    public async Task CsvHoldsTheFilteredRowsWithCellsASpreadsheetWouldRunMadeInert()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite, postgres);
        var ids = await GatewaySeed.SeedAsync(database, Ct);
        await using (var db = database.CreateDbContext())
        {
            db.ContentArtifacts.Add(GatewaySeed.Artifact(ids.Pypi, "=2+3.whl", new string('e', 64), 10, kept: false, ContentSource.Upload, GatewaySeed.Now));
            await db.SaveChangesAsync(Ct);
        }

        var content = new GatewayContent(database);
        using var output = new MemoryStream();

        await content.WriteCsvAsync(new ContentFilter(Remote: "pypi"), output, Ct);

        var lines = Encoding.UTF8.GetString(output.ToArray()).TrimEnd().Split("\r\n");
        lines.ShouldBe([
            "Remote,Path,Sha256,Size,Kept,Verdict,Signature,Engine,DefinitionsVersion,ScannedAt,FetchedAt,Source",
            $"pypi,'=2+3.whl,{new string('e', 64)},10,no,NotScanned,,,,,2026-11-23T09:00:00.0000000+00:00,Upload",
            $"pypi,'+files/packages/evil-1.0.tar.gz,{GatewaySeed.EvilSha},1234,no,Infected,{GatewaySeed.Signature},{GatewaySeed.Engine},"
                + $"{GatewaySeed.Definitions},2026-11-23T07:00:00.0000000+00:00,2026-11-23T07:00:00.0000000+00:00,Request",
            $"pypi,'+files/packages/requests-2.32.3-py3-none-any.whl,{GatewaySeed.RequestsSha},64000,yes,Clean,,{GatewaySeed.Engine},"
                + $"{GatewaySeed.Definitions},2026-11-23T06:00:00.0000000+00:00,2026-11-23T06:00:00.0000000+00:00,Request",
        ]);
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task QuarantineLogIsNewestFirstAndPaged(DatabaseKind kind)
    {
        await using var database = await TestDatabase.CreateAsync(kind, postgres);
        await GatewaySeed.SeedAsync(database, Ct);
        var content = new GatewayContent(database);

        var all = await content.QuarantineAsync(0, 25, Ct);
        var second = await content.QuarantineAsync(1, 1, Ct);

        all.TotalCount.ShouldBe(2);
        all.Items.Select(e => (e.RemoteName, e.Path, e.Signature, e.Source, e.Actor)).ShouldBe([
            ("pypi", "+files/packages/evil-1.0.tar.gz", GatewaySeed.Signature, ContentSource.Request, "alice@example.org"),
            ("tools", "releases/old-tool.zip", "Win.Test.EICAR_HDB-1", ContentSource.Rescan, "rescan"),
        ]);
        second.TotalCount.ShouldBe(2);
        second.Items.Single().Path.ShouldBe("releases/old-tool.zip");
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task SummarisesPathsKeptBytesAndInfectedPathsPerRemote(DatabaseKind kind)
    {
        await using var database = await TestDatabase.CreateAsync(kind, postgres);
        var ids = await GatewaySeed.SeedAsync(database, Ct);
        var content = new GatewayContent(database);

        var summaries = await content.SummariesAsync(Ct);

        summaries[ids.Pypi].ShouldBe(new RemoteContentSummary(Paths: 2, KeptPaths: 1, BytesKept: 64_000, InfectedPaths: 1));
        summaries[ids.Tools].ShouldBe(new RemoteContentSummary(Paths: 2, KeptPaths: 0, BytesKept: 0, InfectedPaths: 0));
    }
}
