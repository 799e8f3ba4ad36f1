using Bunit;
using Portal.Components.Pages.Images;
using Portal.Core.Inventory;
using Portal.Core.Malware;
using Portal.Core.Registry;
using Portal.Tests.Components.Workloads;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Components.Images;

/// <summary>An image's layers show their malware verdicts: clean, infected with the files named, failed with why, or not scanned.</summary>
public sealed class LayerTableTests(PostgresServer postgres) : WorkloadComponentContext(postgres)
{
    private static readonly ScannerInfo Scanner = new("ClamAV 1.4.6", "27001", null);

    [Fact]
    public async Task EachLayerShowsItsVerdict()
    {
        var clean = Layer(0, "clean");
        var infected = Layer(1, "infected");
        var failed = Layer(2, "failed");
        var unscanned = Layer(3, "unscanned");
        await using (var db = Database.CreateDbContext())
        {
            db.MalwareVerdicts.Add(Verdict(clean, tally => tally.FileDone(10)));
            db.MalwareVerdicts.Add(Verdict(infected, tally =>
                tally.Add("/opt/eicar.com", ScanVerdict.Infected("Eicar-Test-Signature.UNOFFICIAL", null, 68))));
            db.MalwareVerdicts.Add(Verdict(failed, tally => tally.Fail(ScanErrorKind.ScannerUnavailable, "clamd could not be reached")));
            await db.SaveChangesAsync(Ct);
        }

        SignInAs(TestUser.Approver);
        var table = Render<LayerTable>(p => p.Add(t => t.Layers, [clean, infected, failed, unscanned]));

        table.WaitForAssertion(() => Cell(table, 0).ShouldContain("Clean"));
        Cell(table, 0).ShouldContain("1 files");
        Cell(table, 1).ShouldContain("Infected");
        table.Find("[data-testid=layer-1] [data-testid=layer-detections]").TextContent
            .ShouldBe("Eicar-Test-Signature.UNOFFICIAL in /opt/eicar.com");
        Cell(table, 2).ShouldContain("Not scanned: error");
        Cell(table, 2).ShouldContain("clamd could not be reached");
        Cell(table, 3).ShouldBe("Not scanned yet");
    }

    private static string Cell(IRenderedComponent<LayerTable> table, int position) =>
        table.Find($"[data-testid=layer-{position}] [data-testid=layer-verdict]").TextContent.Trim();

    private static ImageLayer Layer(int position, string content) =>
        new(position, Digest.Sha256Of(System.Text.Encoding.UTF8.GetBytes(content)).ToString(), "application/vnd.oci.image.layer.v1.tar+gzip", 1000);

    private static MalwareVerdict Verdict(ImageLayer layer, Action<LayerScanTally> scan)
    {
        var tally = new LayerScanTally(Digest.Parse(layer.Digest));
        scan(tally);
        tally.BlobRead(tally.Layer);
        return MalwareVerdict.RecordLayer(tally, Scanner, Now);
    }
}
