using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Portal.Tests.TestInfrastructure;
using Portal.Tests.TestInfrastructure.PyPi;

namespace Portal.Tests.Integration.Gateway;

/// <summary>Real distributions of one tiny project, built once for the class: 1.0.0 carries a data file, 2.0.0 needs Python 4.</summary>
public sealed class TinyPackages : IAsyncLifetime
{
    public static readonly byte[] DataFile = Encoding.ASCII.GetBytes("not a virus, only data\n");

    private readonly TempDirectory _directory = new("portal-pypi-build");

    public BuiltPythonPackage Version1 { get; private set; } = null!;

    public BuiltPythonPackage Version2 { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Version1 = await PythonPackageBuilder.BuildAsync(_directory, "tiny-pkg", "1.0.0",
            new Dictionary<string, byte[]> { ["data.txt"] = DataFile }, requiresPython: ">=3.8");
        Version2 = await PythonPackageBuilder.BuildAsync(_directory, "tiny-pkg", "2.0.0", requiresPython: ">=4");
    }

    public ValueTask DisposeAsync()
    {
        _directory.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// The test upstream for the content gateway: a PEP 503/691 index serving wheels and sdists that setuptools built,
/// installed from by Debian's real pip, with no gateway in between yet.
/// </summary>
public sealed class PackageIndexServerTests(TinyPackages packages) : IClassFixture<TinyPackages>, IAsyncLifetime
{
    private const string PipAccept = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01";

    private readonly TempDirectory _directory = new("portal-pypi");
    private readonly HttpClient _http = new(new HttpClientHandler { AllowAutoRedirect = false });
    private PackageIndexServer _server = null!;

    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await PackageIndexServer.StartAsync(CancellationToken);
        _server.AddPackage(packages.Version1);
        _server.AddPackage(packages.Version2);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _http.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public void TheBuilderMakesAWheelAndAnSdistThatCarryTheModuleAndItsDataFile()
    {
        packages.Version1.WheelFileName.ShouldBe("tiny_pkg-1.0.0-py3-none-any.whl");
        packages.Version1.SdistFileName.ShouldEndWith("-1.0.0.tar.gz");
        packages.Version1.ModuleName.ShouldBe("tiny_pkg");

        using var wheel = ZipFile.OpenRead(packages.Version1.WheelPath);
        wheel.Entries.Select(e => e.FullName).ShouldContain("tiny_pkg/__init__.py");
        using (var data = wheel.GetEntry("tiny_pkg/data.txt")!.Open())
        using (var copy = new MemoryStream())
        {
            data.CopyTo(copy);
            copy.ToArray().ShouldBe(TinyPackages.DataFile);
        }

        var metadata = new StreamReader(wheel.GetEntry("tiny_pkg-1.0.0.dist-info/METADATA")!.Open()).ReadToEnd();
        metadata.ShouldContain("Requires-Python: >=3.8");

        using var sdist = new GZipStream(File.OpenRead(packages.Version1.SdistPath), CompressionMode.Decompress);
        using var tar = new System.Formats.Tar.TarReader(sdist);
        var names = new List<string>();
        while (tar.GetNextEntry() is { } entry)
        {
            names.Add(entry.Name);
        }

        names.ShouldContain(name => name.EndsWith("/tiny_pkg/data.txt", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task PipInstallsTheWheelFromTheIndexIntoItsTarget(bool offersJson)
    {
        var target = _directory.File("target");
        Directory.CreateDirectory(target);
        _server.OffersJson = offersJson;

        var pip = await Pip.InstallAsync(_server.IndexUrl, "tiny-pkg", target, cancellationToken: CancellationToken);

        pip.Succeeded.ShouldBeTrue(pip.ToString());
        // The machine's pip configuration (find-links, another index) was not used.
        pip.StandardOutput.ShouldNotContain("Looking in links");
        // 2.0.0 needs Python 4, so pip takes 1.0.0: Requires-Python reached it through the index.
        (await File.ReadAllTextAsync(Path.Combine(target, "tiny_pkg", "__init__.py"), CancellationToken)).ShouldContain("VERSION = \"1.0.0\"");
        (await File.ReadAllBytesAsync(Path.Combine(target, "tiny_pkg", "data.txt"), CancellationToken)).ShouldBe(TinyPackages.DataFile);
        _server.RequestCount("/simple/tiny-pkg/").ShouldBe(1);
        _server.RequestCount("/packages/" + packages.Version1.WheelFileName).ShouldBe(1);
        _server.RequestCount("/packages/" + packages.Version2.WheelFileName).ShouldBe(0);
    }

    [Fact]
    public async Task PipRefusesAFileWhoseHashDoesNotMatchTheIndex()
    {
        var target = _directory.File("target");
        Directory.CreateDirectory(target);
        // The page still lists the hash of the real wheel; the bytes served are other.
        _server.Add("/packages/" + packages.Version1.WheelFileName, [.. File.ReadAllBytes(packages.Version1.WheelPath), 0]);

        var pip = await Pip.InstallAsync(_server.IndexUrl, "tiny-pkg==1.0.0", target, cancellationToken: CancellationToken);

        pip.Succeeded.ShouldBeFalse(pip.ToString());
        pip.StandardError.ShouldContain("HASHES");
        Directory.Exists(Path.Combine(target, "tiny_pkg")).ShouldBeFalse();
    }

    [Fact]
    public async Task PipFailsOnAProjectTheIndexDoesNotHave()
    {
        var target = _directory.File("target");
        Directory.CreateDirectory(target);

        var pip = await Pip.InstallAsync(_server.IndexUrl, "no-such-project", target, cancellationToken: CancellationToken);

        pip.Succeeded.ShouldBeFalse(pip.ToString());
        pip.StandardError.ShouldContain("No matching distribution found for no-such-project");
        _server.RequestCount("/simple/no-such-project/").ShouldBe(1);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("text/html")]
    [InlineData("*/*")]
    [InlineData("application/vnd.pypi.simple.v1+json; q=0.1, text/html")]
    public async Task TheProjectPageIsPep503HtmlUnlessJsonIsPreferred(string? accept)
    {
        using var response = await GetAsync("simple/tiny-pkg/", accept);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        response.Headers.Vary.ShouldContain("Accept");
        var html = await response.Content.ReadAsStringAsync(CancellationToken);
        var sha256 = Sha256Of(packages.Version1.WheelPath);
        html.ShouldContain($"""<a href="../../packages/tiny_pkg-1.0.0-py3-none-any.whl#sha256={sha256}" data-requires-python="&gt;=3.8">tiny_pkg-1.0.0-py3-none-any.whl</a>""");
        html.ShouldContain($"""data-requires-python="&gt;=4">{packages.Version2.SdistFileName}</a>""");
        html.ShouldContain("""<meta name="pypi:repository-version" content="1.0">""");
    }

    [Theory]
    [InlineData(PipAccept)]
    [InlineData(PackageIndexServer.Pep691Json)]
    [InlineData("application/vnd.pypi.simple.latest+json")]
    public async Task TheProjectPageIsPep691JsonWhenTheClientPrefersIt(string accept)
    {
        using var response = await GetAsync("simple/tiny-pkg/", accept);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe(PackageIndexServer.Pep691Json);
        response.Headers.Vary.ShouldContain("Accept");
        var page = JsonNode.Parse(await response.Content.ReadAsStringAsync(CancellationToken))!;
        page["meta"]!["api-version"]!.GetValue<string>().ShouldBe("1.0");
        page["name"]!.GetValue<string>().ShouldBe("tiny-pkg");
        var wheel = page["files"]!.AsArray().Single(f => f!["filename"]!.GetValue<string>() == packages.Version1.WheelFileName)!;
        wheel["url"]!.GetValue<string>().ShouldBe("../../packages/tiny_pkg-1.0.0-py3-none-any.whl");
        wheel["hashes"]!["sha256"]!.GetValue<string>().ShouldBe(Sha256Of(packages.Version1.WheelPath));
        wheel["requires-python"]!.GetValue<string>().ShouldBe(">=3.8");
        wheel["yanked"]!.GetValue<bool>().ShouldBeFalse();
        page["files"]!.AsArray().Count.ShouldBe(4);
    }

    [Fact]
    public async Task AnIndexThatOffersNoJsonAnswersHtmlEvenToClientsThatPreferJson()
    {
        _server.OffersJson = false;

        using var response = await GetAsync("simple/tiny-pkg/", PipAccept);

        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
    }

    [Fact]
    public async Task TheRootPageListsTheNormalizedProjectsInBothForms()
    {
        using var html = await GetAsync("simple/", accept: null);
        using var json = await GetAsync("simple/", PipAccept);

        (await html.Content.ReadAsStringAsync(CancellationToken)).ShouldContain("""<a href="tiny-pkg/">tiny-pkg</a>""");
        JsonNode.Parse(await json.Content.ReadAsStringAsync(CancellationToken))!["projects"]!.AsArray()
            .Select(p => p!["name"]!.GetValue<string>()).ShouldBe(["tiny-pkg"]);
    }

    [Theory]
    [InlineData("simple/Tiny_Pkg/")]
    [InlineData("simple/tiny.pkg/")]
    [InlineData("simple/tiny-pkg")]
    public async Task NamesThatAreNotNormalizedAreRedirected(string path)
    {
        using var response = await GetAsync(path, accept: null);

        response.StatusCode.ShouldBe(HttpStatusCode.MovedPermanently);
        response.Headers.Location!.OriginalString.ShouldBe("/simple/tiny-pkg/");
    }

    [Fact]
    public async Task YankedFilesAreMarkedInBothForms()
    {
        _server.AddDistribution("old-pkg", [1, 2, 3], "old_pkg-0.1-py3-none-any.whl", yanked: "broken <build>");

        using var html = await GetAsync("simple/old-pkg/", accept: null);
        using var json = await GetAsync("simple/old-pkg/", PackageIndexServer.Pep691Json);

        (await html.Content.ReadAsStringAsync(CancellationToken)).ShouldContain("data-yanked=\"broken &lt;build&gt;\"");
        JsonNode.Parse(await json.Content.ReadAsStringAsync(CancellationToken))!["files"]![0]!["yanked"]!
            .GetValue<string>().ShouldBe("broken <build>");
    }

    [Fact]
    public async Task ServesBytesRegisteredAtAnyPathAndCountsEveryRequest()
    {
        _server.Add("/files/eicar.txt", ClamdServer.Eicar, "text/plain");

        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            using var response = await GetAsync("files/eicar.txt", accept: null);
            (await response.Content.ReadAsByteArrayAsync(CancellationToken)).ShouldBe(ClamdServer.Eicar);
        }));
        using var missing = await GetAsync("files/missing.txt", accept: null);

        _server.RequestCount("/files/eicar.txt").ShouldBe(8);
        _server.RequestCount("files/eicar.txt").ShouldBe(8);
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        _server.RequestCounts.ShouldBe(new Dictionary<string, int> { ["/files/eicar.txt"] = 8, ["/files/missing.txt"] = 1 }, ignoreOrder: true);
        _server.ResetRequestCounts();
        _server.RequestCount("/files/eicar.txt").ShouldBe(0);
    }

    [Fact]
    public async Task APathWithADelayIsCountedOnArrivalAndAnsweredAfterIt()
    {
        _server.Add("/files/slow.bin", [42]);
        _server.Delay("/files/slow.bin", TimeSpan.FromMilliseconds(600));
        var watch = Stopwatch.StartNew();

        var slow = GetAsync("files/slow.bin", accept: null);
        await WaitUntilAsync(() => _server.RequestCount("/files/slow.bin") == 1);
        slow.IsCompleted.ShouldBeFalse();
        using var response = await slow;

        watch.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(550));
        (await response.Content.ReadAsByteArrayAsync(CancellationToken)).ShouldBe([42]);
    }

    [Fact]
    public async Task APathCanBeMadeToAnswerWithAStatusCode()
    {
        _server.Respond("/simple/tiny-pkg/", 503);
        using (var failing = await GetAsync("simple/tiny-pkg/", accept: null))
        {
            failing.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        }

        _server.Respond("/simple/tiny-pkg/", null);
        using var served = await GetAsync("simple/tiny-pkg/", accept: null);
        served.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private async Task<HttpResponseMessage> GetAsync(string path, string? accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_server.BaseUrl, path));
        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }

        return await _http.SendAsync(request, CancellationToken);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            waited.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10), "the condition never became true");
            await Task.Delay(10, CancellationToken);
        }
    }

    private static string Sha256Of(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
}
