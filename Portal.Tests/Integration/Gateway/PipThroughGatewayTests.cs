using Portal.Tests.TestInfrastructure;
using Portal.Tests.TestInfrastructure.PyPi;

namespace Portal.Tests.Integration.Gateway;

/// <summary>
/// Debian's real pip installing through the portal's gateway (on Kestrel) from a local PyPI upstream serving real
/// wheels and sdists built with setuptools, scanned by a real clamd.
/// </summary>
public sealed class PipThroughGatewayTests : IAsyncLifetime
{
    private readonly TempDirectory _directory = new("pip-gateway");
    private ClamdServer _clamd = null!;
    private PackageIndexServer _upstream = null!;
    private PortalAppFactory _portal = null!;
    private Uri _portalUrl = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _clamd = await ClamdServer.StartAsync(definitionsVersion: 27001, cancellationToken: Ct);
        _upstream = await PackageIndexServer.StartAsync(Ct);
        var port = LocalServers.FreePort();
        _portalUrl = new Uri($"http://127.0.0.1:{port}/");
        _portal = ContentGatewayTests.CreatePortal(_clamd, _upstream, _directory, new Dictionary<string, string?>
        {
            ["urls"] = _portalUrl.AbsoluteUri.TrimEnd('/'),
            ["Gateway:Remotes:5:Name"] = "pypi",
            ["Gateway:Remotes:5:Kind"] = "PyPi",
            ["Gateway:Remotes:5:UpstreamUrl"] = _upstream.BaseUrl.AbsoluteUri,
        });
        _portal.UseKestrel();
        _portal.StartServer();
    }

    public async ValueTask DisposeAsync()
    {
        await _portal.DisposeAsync();
        await _upstream.DisposeAsync();
        await _clamd.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task PipInstallsACleanPackageThroughTheGatewayAndTheWheelIsKept()
    {
        var package = await PythonPackageBuilder.BuildAsync(_directory, "gateway-clean-demo", "1.0.0", cancellationToken: Ct);
        _upstream.AddPackage(package);
        var target = _directory.File("site-clean");

        var run = await Pip.InstallAsync(new Uri(_portalUrl, "content/pypi/simple/"), "gateway-clean-demo", target, cancellationToken: Ct);

        run.Succeeded.ShouldBeTrue(run.ToString());
        File.Exists(Path.Combine(target, package.ModuleName, "__init__.py")).ShouldBeTrue();
        Directory.EnumerateFiles(_directory.File("content"), "*", SearchOption.AllDirectories).Count().ShouldBe(1, "the wheel pip fetched is kept");
        _upstream.RequestCounts.Keys.ShouldContain(path => path.EndsWith(package.WheelFileName, StringComparison.Ordinal));
    }

    [Fact]
    public async Task PipFailsOnAPackageCarryingTheEicarStringAndShowsThe409Reason()
    {
        var package = await PythonPackageBuilder.BuildAsync(_directory, "gateway-eicar-demo", "1.0.0",
            new Dictionary<string, byte[]> { ["eicar.com"] = ClamdServer.Eicar }, cancellationToken: Ct);
        _upstream.AddPackage(package);
        var target = _directory.File("site-eicar");

        var run = await Pip.InstallAsync(new Uri(_portalUrl, "content/pypi/simple/"), "gateway-eicar-demo", target, cancellationToken: Ct);

        run.Succeeded.ShouldBeFalse(run.ToString());
        var output = run.StandardOutput + run.StandardError;
        output.ShouldContain("409");
        output.ShouldContain($"Infected: {ClamdServer.EicarSignature}");
        Directory.Exists(Path.Combine(target, package.ModuleName)).ShouldBeFalse();
        (Directory.Exists(_directory.File("content")) ? Directory.EnumerateFiles(_directory.File("content"), "*", SearchOption.AllDirectories).Count() : 0)
            .ShouldBe(0, "nothing infected is kept");
    }

    [Fact]
    public async Task TheIndexPageLinksEveryFileThroughTheGatewayWithItsHash()
    {
        var package = await PythonPackageBuilder.BuildAsync(_directory, "gateway-page-demo", "2.0.0", cancellationToken: Ct);
        _upstream.AddPackage(package);
        using var client = new HttpClient();
        using var htmlRequest = new HttpRequestMessage(HttpMethod.Get, new Uri(_portalUrl, "content/pypi/simple/gateway-page-demo/"));
        htmlRequest.Headers.Accept.ParseAdd("text/html");
        using var htmlResponse = await client.SendAsync(htmlRequest, Ct);
        var html = await htmlResponse.Content.ReadAsStringAsync(Ct);
        var json = await client.GetStringAsync(new Uri(_portalUrl, "content/pypi/simple/gateway-page-demo/"), Ct);

        htmlResponse.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        html.ShouldContain($"href=\"{_portalUrl}content/pypi/");
        html.ShouldContain(package.WheelFileName + "#sha256=");
        html.ShouldNotContain(_upstream.BaseUrl.Authority);
        json.ShouldContain("\"hashes\":{\"sha256\":");
        json.ShouldContain($"{_portalUrl}content/pypi/");
        json.ShouldNotContain(_upstream.BaseUrl.Authority);
    }
}
