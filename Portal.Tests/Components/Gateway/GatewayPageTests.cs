using System.Net;
using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MudBlazor;
using Portal.Components.Pages.Gateway;
using Portal.Data;
using Portal.Features.Audit;
using Portal.Features.Gateway;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Components.Gateway;

/// <summary>
/// The Gateway page over a real SQLite database holding <see cref="GatewaySeed"/>: content with verdicts, the quarantine
/// log, each remote's health and totals, and the live scan queue.
/// </summary>
public sealed class GatewayPageTests : PortalComponentContext, IAsyncLifetime
{
    private readonly PostgresServer _postgres;
    private readonly Upstreams _upstreams = new();
    private TestDatabase _database = null!;

    public GatewayPageTests(PostgresServer postgres)
    {
        _postgres = postgres;
        SignInAs(TestUser.Admin);
        Services.AddSingleton<TimeProvider>(Clock);
        Services.AddSingleton<AuditLog>();
        Services.AddSingleton<GatewayRemotes>();
        Services.AddSingleton<GatewayContent>();
        Services.AddSingleton<RemoteHealth>();
        // Two scans at once and three waiting: five places.
        Services.AddSingleton(Options.Create(new GatewayOptions { ScanConcurrency = 2, MaxQueuedScans = 3 }));
        Services.AddSingleton<ScanQueue>();
        Services.AddHttpClient(ContentGateway.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => _upstreams);
    }

    private FakeTimeProvider Clock { get; } = new(GatewaySeed.Now);

    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite, _postgres);
        Services.AddSingleton<IDbContextFactory<PortalDbContext>>(_database);
    }

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _database.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task ContentListsEveryPathNewestFirstWithTheVerdictOfItsBytes()
    {
        await GatewaySeed.SeedAsync(_database, Ct);

        var page = Open("gateway");

        page.WaitForAssertion(() => Cells(page, "content-verdict").ShouldBe(["Clean", "Not scanned", "Infected", "Clean"]));
        Cells(page, "content-path").ShouldBe([
            "releases/requests-copy.whl", "releases/cli-2.0.tar.gz", "+files/packages/evil-1.0.tar.gz", "+files/packages/requests-2.32.3-py3-none-any.whl",
        ]);
        Cells(page, "content-kept").ShouldBe(["Not kept", "Not kept", "Not kept", "Kept"]);
        Cells(page, "content-signature").ShouldBe([GatewaySeed.Signature]);
        Cells(page, "content-engine").ShouldBe(["ClamAV 1.4.6 / 27450", "—", "ClamAV 1.4.6 / 27450", "ClamAV 1.4.6 / 27450"]);
        Cells(page, "content-scanned").ShouldBe(["2026-11-23 06:00 UTC", "—", "2026-11-23 07:00 UTC", "2026-11-23 06:00 UTC"]);
        Cells(page, "content-fetched").ShouldBe(["2026-11-23 08:30 UTC", "2026-11-23 08:00 UTC", "2026-11-23 07:00 UTC", "2026-11-23 06:00 UTC"]);
        var firstRow = page.Find("[data-testid=content-grid] tbody tr").TextContent;
        firstRow.ShouldContain("tools");
        firstRow.ShouldContain("63 KiB");
        firstRow.ShouldContain("Request");
        page.Find("[data-testid=export-csv]").GetAttribute("href").ShouldBe("api/v1/gateway/content/export");
    }

    [Fact]
    public async Task FiltersFromTheAddressRunOnTheServerAndTheExportFollowsThem()
    {
        await GatewaySeed.SeedAsync(_database, Ct);

        var page = Open("gateway?remote=pypi&verdict=infected");

        page.WaitForAssertion(() => Cells(page, "content-path").ShouldBe(["+files/packages/evil-1.0.tar.gz"]));
        page.Find("[data-testid=export-csv]").GetAttribute("href").ShouldBe("api/v1/gateway/content/export?remote=pypi&verdict=Infected");

        // A link under an open page (as from the Remotes tab) changes the filter without reopening it.
        Services.GetRequiredService<NavigationManager>().NavigateTo("gateway?path=REQUESTS");

        page.WaitForAssertion(() => Cells(page, "content-path").ShouldBe(["releases/requests-copy.whl", "+files/packages/requests-2.32.3-py3-none-any.whl"]));
        page.Find("[data-testid=export-csv]").GetAttribute("href").ShouldBe("api/v1/gateway/content/export?path=REQUESTS");
    }

    [Fact]
    public async Task TypingAPathNarrowsTheRowsAndPutsTheSearchInTheAddress()
    {
        await GatewaySeed.SeedAsync(_database, Ct);
        var page = Open("gateway");
        page.WaitForAssertion(() => Cells(page, "content-path").Count.ShouldBe(4));

        page.Find("[data-testid=filter-path]").Input("cli-");
        // MudBlazor debounces on the portal's clock.
        Clock.Advance(TimeSpan.FromMilliseconds(400));

        page.WaitForAssertion(() => Cells(page, "content-path").ShouldBe(["releases/cli-2.0.tar.gz"]));
        Services.GetRequiredService<NavigationManager>().Uri.ShouldEndWith("gateway?path=cli-");
    }

    [Fact]
    public async Task QuarantineLogListsRefusalsNewestFirstWithTheFullDigestAtHand()
    {
        await GatewaySeed.SeedAsync(_database, Ct);

        var page = Open("gateway?tab=quarantine");

        page.WaitForAssertion(() => Cells(page, "quarantine-path").ShouldBe(["+files/packages/evil-1.0.tar.gz", "releases/old-tool.zip"]));
        Cells(page, "quarantine-at").ShouldBe(["2026-11-23 07:00 UTC", "2026-11-22 09:00 UTC"]);
        Cells(page, "quarantine-signature").ShouldBe([GatewaySeed.Signature, "Win.Test.EICAR_HDB-1"]);
        Cells(page, "quarantine-source").ShouldBe(["Request", "Rescan"]);
        Cells(page, "quarantine-actor").ShouldBe(["alice@example.org", "rescan"]);
        Cells(page, "quarantine-engine").ShouldBe(["ClamAV 1.4.6 / 27450", "ClamAV 1.4.6 / 27449"]);
        var sha = page.FindAll("[data-testid=quarantine-sha256]")[0];
        sha.TextContent.ShouldBe("bbbbbbbbbbbb…");
        sha.GetAttribute("aria-label").ShouldBe($"sha256 {GatewaySeed.EvilSha}");
        page.FindAll("[data-testid=content-grid]").ShouldBeEmpty("only the opened tab is rendered");
    }

    [Fact]
    public async Task RemotesShowWhetherTheirUpstreamAnswersAndWhatTheGatewayHoldsForThem()
    {
        await GatewaySeed.SeedAsync(_database, Ct);

        var page = Open("gateway?tab=remotes");

        page.WaitForAssertion(() => Text(Row(page, "pypi"), "gateway-remote-health").ShouldBe("200 OK in 0 ms"));
        page.WaitForAssertion(() => Text(Row(page, "tools"), "gateway-remote-health").ShouldBe("No answer after 0 ms: Connection refused (downloads.example.org:443)"));
        var pypi = Row(page, "pypi");
        (Text(pypi, "gateway-remote-paths"), Text(pypi, "gateway-remote-kept"), Text(pypi, "gateway-remote-bytes"), Text(pypi, "gateway-remote-infected"))
            .ShouldBe(("2", "1", "63 KiB", "1"));
        pypi.QuerySelector("[data-testid=gateway-remote-infected]")!.GetAttribute("href").ShouldBe("/gateway?remote=pypi&verdict=Infected");
        var tools = Row(page, "tools");
        (Text(tools, "gateway-remote-paths"), Text(tools, "gateway-remote-kept"), Text(tools, "gateway-remote-bytes"), Text(tools, "gateway-remote-infected"))
            .ShouldBe(("2", "0", "0 B", "0"));
        _upstreams.Requests.ShouldBe(2, "each upstream asked once when the tab opened");

        _upstreams.ToolsAnswers = true;
        page.Find("[data-testid=remotes-refresh]").Click();

        page.WaitForAssertion(() => Text(Row(page, "tools"), "gateway-remote-health").ShouldBe("200 OK in 0 ms"));
        _upstreams.Requests.ShouldBe(4);
    }

    [Fact]
    public async Task TheScanQueueIsReadAgainEverySecond()
    {
        await GatewaySeed.SeedAsync(_database, Ct);
        var page = Open("gateway");
        page.WaitForAssertion(() => Cells(page, "content-path").Count.ShouldBe(4));
        (Text(page, "scan-queue-depth"), Text(page, "scan-queue-capacity"), Text(page, "scan-queue-scanning")).ShouldBe(("0", "5", "0"));

        var queue = Services.GetRequiredService<ScanQueue>();
        var places = Enumerable.Range(0, 3).Select(_ => queue.TryEnter()!).ToList();
        var scanner = new TaskCompletionSource<bool>();
        var scanning = places[0].ScanAsync(() => scanner.Task, Ct);
        Text(page, "scan-queue-depth").ShouldBe("0", "nothing is read between ticks");

        Clock.Advance(TimeSpan.FromSeconds(1));

        page.WaitForAssertion(() => (Text(page, "scan-queue-depth"), Text(page, "scan-queue-scanning")).ShouldBe(("3", "1")));
        page.FindAll("[data-testid=scan-queue-full]").ShouldBeEmpty();

        places.AddRange(Enumerable.Range(0, 2).Select(_ => queue.TryEnter()!));
        Clock.Advance(TimeSpan.FromSeconds(1));

        page.WaitForAssertion(() => Text(page, "scan-queue-depth").ShouldBe("5"));
        page.Find("[data-testid=scan-queue-full]").TextContent.ShouldContain("Full");

        scanner.SetResult(true);
        await scanning;
        places.ForEach(place => place.Dispose());
        Clock.Advance(TimeSpan.FromSeconds(1));

        page.WaitForAssertion(() => (Text(page, "scan-queue-depth"), Text(page, "scan-queue-scanning")).ShouldBe(("0", "0")));
    }

    [Fact]
    public void WithoutRemotesThePageSaysWhereToAddOne()
    {
        var page = Open("gateway");

        page.WaitForAssertion(() => page.Find("[data-testid=gateway-empty]").TextContent.ShouldContain("No remotes yet"));
        page.Find("[data-testid=gateway-empty-settings]").GetAttribute("href").ShouldBe("/settings?tab=gateway");
        page.FindAll("[data-testid=content-grid]").ShouldBeEmpty();
        page.FindAll("[data-testid=scan-queue]").Count.ShouldBe(1);
    }

    private IRenderedComponent<GatewayPage> Open(string uri)
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo(uri);
        Render<MudPopoverProvider>();
        return Render<GatewayPage>();
    }

    private static List<string> Cells(IRenderedComponent<GatewayPage> page, string testId) =>
        page.FindAll($"[data-testid={testId}]").Select(e => e.TextContent.Trim()).ToList();

    private static IElement Row(IRenderedComponent<GatewayPage> page, string name) =>
        page.FindAll("[data-testid=gateway-remotes] tbody tr").Single(r => r.QuerySelector("[data-testid=gateway-remote-name]")?.TextContent == name);

    private static string Text(IElement row, string testId) => row.QuerySelector($"[data-testid={testId}]")!.TextContent.Trim();

    private static string Text(IRenderedComponent<GatewayPage> page, string testId) => page.Find($"[data-testid={testId}]").TextContent.Trim();

    /// <summary>pypi.org answers; downloads.example.org refuses connections until told otherwise.</summary>
    private sealed class Upstreams : HttpMessageHandler
    {
        private int _requests;
        private volatile bool _toolsAnswers;

        public bool ToolsAnswers
        {
            get => _toolsAnswers;
            set => _toolsAnswers = value;
        }

        public int Requests => Volatile.Read(ref _requests);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _requests);
            return request.RequestUri!.Host == "pypi.org" || ToolsAnswers
                ? Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request })
                : throw new HttpRequestException($"Connection refused ({request.RequestUri.Host}:443)");
        }
    }
}
