using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NSubstitute;
using Portal.Components.Pages.Gateway;
using Portal.Core.Gateway;
using Portal.Core.Malware;
using Portal.Features.Gateway;
using Portal.Integrations.ClamAv;
using Portal.Tests.Components.Settings;
using Portal.Tests.TestInfrastructure;
using Portal.Tests.TestInfrastructure.PyPi;

namespace Portal.Tests.Components.Gateway;

/// <summary>
/// The Remotes tab's Sync dialog over the real sync: a real upstream HTTP server and a real clamd behind
/// <see cref="ImmediateSync"/>, a real SQLite database.
/// </summary>
public sealed class SyncDialogTests(PostgresServer postgres) : SettingsComponentContext(postgres), IAsyncLifetime
{
    private readonly TempDirectory _store = new("sync-dialog");
    private ClamdServer _clamd = null!;
    private PackageIndexServer _upstream = null!;
    private Remote _remote = null!;

    // These waits cover real round trips (the health check, which itself gives up after RemoteHealth.Timeout of 10 s,
    // and the sync's downloads and clamd scans) on a machine busy with the rest of the suite, whose test classes start
    // clamds of their own. bUnit's default wait of 10 s is no longer than the health check may take.
    private static readonly TimeSpan RealRoundTrips = TimeSpan.FromSeconds(30);

    public new async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _clamd = await ClamdServer.StartAsync(cancellationToken: Ct);
        _upstream = await PackageIndexServer.StartAsync(Ct);
        Services.AddSingleton(Options.Create(new GatewayOptions { StoreDirectory = _store.File("content"), WorkDirectory = _store.File("work") }));
        Services.AddSingleton(Options.Create(_clamd.TcpOptions()));
        Services.AddSingleton<IHostEnvironment>(new Environment(_store.Path));
        Services.AddSingleton(Substitute.For<IHostApplicationLifetime>());
        Services.AddSingleton<IVirusScanner, ClamAvScanner>();
        Services.AddSingleton<ScannerDefinitions>();
        Services.AddSingleton<ScanQueue>();
        Services.AddSingleton<ContentStore>();
        Services.AddSingleton<SimpleIndexPages>();
        Services.AddSingleton<ContentGateway>();
        Services.AddSingleton<ImmediateSync>();
        Services.AddSingleton<GatewayRemotes>();
        Services.AddSingleton<GatewayContent>();
        Services.AddSingleton<RemoteHealth>();
        Services.AddHttpClient(ContentGateway.HttpClientName);
        var added = await Services.GetRequiredService<GatewayRemotes>().AddAsync(
            new RemoteDefinition("mirror", _upstream.BaseUrl.AbsoluteUri, RemoteKind.Generic, RemotePolicy.Immediate, 1_000_000, [], RemoteReadAccess.Anonymous),
            "admin@example.org", Ct);
        _remote = added.Remote!;
    }

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _upstream.DisposeAsync();
        await _clamd.DisposeAsync();
        _store.Dispose();
    }

    [Fact]
    public void ARefusedRequestIsExplainedAndNothingIsFetched()
    {
        var tab = RenderTab<GatewayRemotesTab>(p => p.Add(t => t.Remotes, [_remote]).Add(t => t.Actor, "admin@example.org"));
        // The health check re-renders the row when it answers: wait for it, so the click reaches the current button.
        tab.WaitForAssertion(() => tab.Find("[data-testid=gateway-remote-health]"), RealRoundTrips);
        tab.Find("[data-testid=gateway-remote-sync]").Click();
        DialogHost.WaitForAssertion(() => DialogHost.Find("[data-testid=sync-run]"), RealRoundTrips);

        DialogHost.Find("[data-testid=sync-paths-input]").Change("dist/../../etc/passwd");
        DialogHost.Find("[data-testid=sync-run]").Click();

        DialogHost.WaitForAssertion(() => DialogHost.Find("[data-testid=sync-error]").TextContent.ShouldContain("dist/../../etc/passwd"), RealRoundTrips);
        DialogHost.FindAll("[data-testid=sync-projects-input]").ShouldBeEmpty("projects are for PyPI remotes");
        _upstream.RequestCounts.Keys.ShouldBe(["/"], "only the health check asked the upstream");
    }

    [Fact]
    public void ASyncKeepsTheCleanFilesAndListsTheInfectedOneWithItsSignature()
    {
        _upstream.Add("dist/one.bin", [1, 2, 3, 4]);
        _upstream.Add("dist/two.bin", [5, 6, 7, 8]);
        _upstream.Add("dist/eicar.txt", ClamdServer.Eicar);
        var tab = RenderTab<GatewayRemotesTab>(p => p.Add(t => t.Remotes, [_remote]).Add(t => t.Actor, "admin@example.org"));
        // The health check re-renders the row when it answers: wait for it, so the click reaches the current button.
        tab.WaitForAssertion(() => tab.Find("[data-testid=gateway-remote-health]"), RealRoundTrips);
        tab.Find("[data-testid=gateway-remote-sync]").Click();
        DialogHost.WaitForAssertion(() => DialogHost.Find("[data-testid=sync-run]"), RealRoundTrips);

        DialogHost.Find("[data-testid=sync-paths-input]").Change("dist/one.bin\n dist/two.bin \n\ndist/eicar.txt\n");
        DialogHost.Find("[data-testid=sync-run]").Click();

        DialogHost.WaitForAssertion(() => DialogHost.Find("[data-testid=sync-summary]").TextContent
            .ShouldContain("3 files, 2 scanned clean and kept, 0 already kept, 1 infected (not kept), 0 failed"), RealRoundTrips);
        DialogHost.Find("[data-testid=sync-infected]").TextContent.ShouldContain(ClamdServer.EicarSignature);
        DialogHost.Find("[data-testid=sync-infected]").TextContent.ShouldContain("dist/eicar.txt");
        Directory.EnumerateFiles(_store.File("content"), "*", SearchOption.AllDirectories).Count().ShouldBe(2);
    }

    private sealed class Environment(string root) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Testing";
        public string ApplicationName { get; set; } = "Portal";
        public string ContentRootPath { get; set; } = root;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
