using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Gateway;
using Portal.Core.Malware;
using Portal.Data;
using Portal.Features.Gateway;
using Portal.Integrations.ScanCommand;
using Portal.Tests.TestInfrastructure;
using Portal.Tests.TestInfrastructure.PyPi;

namespace Portal.Tests.Integration.Gateway;

/// <summary>
/// The Immediate policy's sync through the real portal: files served by a real upstream HTTP server, scanned by a real
/// clamd (over its socket, or by clamdscan over a file list), kept in a content store on disk.
/// </summary>
public sealed class ImmediateSyncTests : IAsyncLifetime
{
    private const string Files = "files";
    private const string PyPi = "pypi";
    private const string EicarPath = "dist/eicar.txt";

    private readonly TempDirectory _store = new("gateway-sync-store");
    private readonly TempDirectory _build = new("gateway-sync-build");
    private ClamdServer _clamd = null!;
    private PackageIndexServer _upstream = null!;
    private PortalAppFactory? _portal;
    private HttpClient? _client;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private PortalAppFactory Portal => _portal ?? throw new InvalidOperationException("No portal started.");

    public async ValueTask InitializeAsync()
    {
        _clamd = await ClamdServer.StartAsync(definitionsVersion: 27001, cancellationToken: Ct);
        _upstream = await PackageIndexServer.StartAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        _client?.Dispose();
        if (_portal is not null)
        {
            await _portal.DisposeAsync();
        }

        await _upstream.DisposeAsync();
        await _clamd.DisposeAsync();
        _build.Dispose();
        _store.Dispose();
    }

    [Fact]
    public async Task ASyncOfThirtyPathsKeepsTheCleanOnesRefusesEicarAndServesTheKeptOnesWithoutFetchingAgain()
    {
        StartPortal();
        var paths = PublishFiles(29);

        var report = await SyncAsync(Files, new SyncRequest(paths, null));

        report.Requested.ShouldBe(30);
        report.AlreadyCurrent.ShouldBe(0);
        report.Kept.ShouldBe(29);
        report.Failed.ShouldBeEmpty();
        var infected = report.Infected.ShouldHaveSingleItem();
        (infected.Path, infected.Signature).ShouldBe((EicarPath, ClamdServer.EicarSignature));
        StoredFiles().Count.ShouldBe(29);
        StoredFiles().ShouldNotContain(Sha256(ClamdServer.Eicar));
        await using (var db = await ContextAsync())
        {
            var quarantined = (await db.QuarantineEvents.ToListAsync(Ct)).ShouldHaveSingleItem();
            (quarantined.Path, quarantined.Signature, quarantined.Source, quarantined.Actor)
                .ShouldBe((EicarPath, ClamdServer.EicarSignature, ContentSource.Sync, "admin@example.org"));
            (await db.ContentArtifacts.CountAsync(a => a.Kept, Ct)).ShouldBe(29);
        }

        foreach (var path in paths.Where(p => p != EicarPath))
        {
            using var response = await Client.GetAsync($"/content/{Files}/{path}", Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, path);
            (await response.Content.ReadAsByteArrayAsync(Ct)).ShouldBe(CleanContent(path));
            _upstream.RequestCount(path).ShouldBe(1, $"{path} was kept by the sync and is served from the store");
        }
    }

    [Fact]
    public async Task ASecondSyncOfTheSameListFindsTheKeptFilesCurrentAndFetchesOnlyTheInfectedOneAgain()
    {
        StartPortal();
        var paths = PublishFiles(29);
        await SyncAsync(Files, new SyncRequest(paths, null));

        var again = await SyncAsync(Files, new SyncRequest(paths, null));

        again.Requested.ShouldBe(30);
        again.AlreadyCurrent.ShouldBe(29);
        again.Kept.ShouldBe(0);
        again.Failed.ShouldBeEmpty();
        // An infected file is never kept, so it is not current: a sync asks for it again (upstream may have replaced
        // it, or new definitions may clear it) and refuses it again.
        again.Infected.ShouldHaveSingleItem().Signature.ShouldBe(ClamdServer.EicarSignature);
        foreach (var path in paths)
        {
            _upstream.RequestCount(path).ShouldBe(path == EicarPath ? 2 : 1, path);
        }

        StoredFiles().Count.ShouldBe(29);
        await using var db = await ContextAsync();
        (await db.QuarantineEvents.CountAsync(Ct)).ShouldBe(2);
    }

    [Fact]
    public async Task ASyncOfPyPiProjectsKeepsTheWheelAndSdistAndReportsAnUnknownProjectAsFailed()
    {
        StartPortal();
        var package = await PythonPackageBuilder.BuildAsync(_build, "sync-demo", "1.2.0", cancellationToken: Ct);
        _upstream.AddPackage(package);

        var report = await SyncAsync(PyPi, new SyncRequest(null, ["Sync_Demo", "no-such-project"]));

        report.Requested.ShouldBe(2);
        report.Kept.ShouldBe(2);
        report.Infected.ShouldBeEmpty();
        var failed = report.Failed.ShouldHaveSingleItem();
        failed.Path.ShouldBe("simple/no-such-project/");
        StoredFiles().ShouldBe(package.Files.Select(f => Sha256(File.ReadAllBytes(f))), ignoreOrder: true);
        _upstream.RequestCount($"packages/{package.WheelFileName}").ShouldBe(1);
        _upstream.RequestCount($"packages/{package.SdistFileName}").ShouldBe(1);
        await using var db = await ContextAsync();
        (await db.ContentArtifacts.Where(a => a.Kept).Select(a => a.Path).ToListAsync(Ct))
            .Select(p => p.Split('/').Last()).ShouldBe([package.WheelFileName, package.SdistFileName], ignoreOrder: true);
    }

    [Fact]
    public async Task AnAdminSyncsThroughTheApiAndGetsTheReport()
    {
        StartPortal();
        var paths = PublishFiles(3);

        using var response = await PostSyncAsync(Files, new SyncRequest(paths, null), TestUser.Admin);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        report.GetProperty("remote").GetString().ShouldBe(Files);
        report.GetProperty("requested").GetInt32().ShouldBe(4);
        report.GetProperty("kept").GetInt32().ShouldBe(3);
        var infected = report.GetProperty("infected").EnumerateArray().ShouldHaveSingleItem();
        infected.GetProperty("path").GetString().ShouldBe(EicarPath);
        infected.GetProperty("signature").GetString().ShouldBe(ClamdServer.EicarSignature);
        report.GetProperty("failed").GetArrayLength().ShouldBe(0);
        StoredFiles().Count.ShouldBe(3);
    }

    [Fact]
    public async Task ANonAdminCannotSyncAndNothingIsFetched()
    {
        StartPortal();
        var paths = PublishFiles(3);

        using var approver = await PostSyncAsync(Files, new SyncRequest(paths, null), TestUser.Approver);
        using var user = await PostSyncAsync(Files, new SyncRequest(paths, null), TestUser.NotebookUser);

        approver.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        user.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        _upstream.RequestCounts.ShouldBeEmpty();
        StoredFiles().ShouldBeEmpty();
    }

    public static TheoryData<string, string[]?, string[]?> InvalidRequests => new()
    {
        { Files, null, null },
        { Files, [], [] },
        { Files, ["dist/file-00.bin", "../x"], null },
        { Files, ["dist/../../etc/passwd"], null },
        { Files, null, ["requests"] },
        { PyPi, null, ["not a name"] },
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public async Task AnInvalidRequestIsRefusedWith400AndNothingIsFetched(string remote, string[]? paths, string[]? projects)
    {
        StartPortal();
        PublishFiles(3);

        using var response = await PostSyncAsync(remote, new SyncRequest(paths, projects), TestUser.Admin);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("title").GetString().ShouldBe("Sync refused");
        _upstream.RequestCounts.ShouldBeEmpty();
        StoredFiles().ShouldBeEmpty();
    }

    [Fact]
    public async Task AnUnknownRemoteIs404()
    {
        StartPortal();

        using var response = await PostSyncAsync("nope", new SyncRequest(["dist/a.bin"], null), TestUser.Admin);

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        _upstream.RequestCounts.ShouldBeEmpty();
    }

    [Fact]
    public async Task OverClamdsUnixSocketASyncOfSeveralBatchesKeepsEveryCleanFileAndRefusesEicar()
    {
        // Files reach clamd as descriptors (FILDES); 450 files are three batches, each saved while the next one is fetched.
        StartPortal(new Dictionary<string, string?> { ["ClamAv:UnixSocket"] = _clamd.SocketPath });
        var paths = PublishFiles(449);

        var report = await SyncAsync(Files, new SyncRequest(paths, null));

        report.Failed.ShouldBeEmpty();
        report.Kept.ShouldBe(449);
        var infected = report.Infected.ShouldHaveSingleItem();
        (infected.Path, infected.Signature).ShouldBe((EicarPath, ClamdServer.EicarSignature));
        StoredFiles().Count.ShouldBe(449);
        await using var db = await ContextAsync();
        (await db.ContentArtifacts.CountAsync(a => a.Kept, Ct)).ShouldBe(449);
        (await db.MalwareVerdicts.CountAsync(Ct)).ShouldBe(450);
        Directory.EnumerateFiles(_store.File("work"), "*", SearchOption.AllDirectories).ShouldBeEmpty("fetched copies are kept or removed");
    }

    [Fact]
    public async Task WithClamdStoppedEverySyncedFileFailsAndNothingIsKeptOrRecordedClean()
    {
        StartPortal();
        var paths = PublishFiles(5);
        _clamd.Stop();

        var report = await SyncAsync(Files, new SyncRequest(paths, null));

        report.Kept.ShouldBe(0);
        report.Infected.ShouldBeEmpty();
        report.Failed.Count.ShouldBe(6);
        report.Failed.ShouldAllBe(f => f.Reason.Contains("clamd"));
        StoredFiles().ShouldBeEmpty();
        await using var db = await ContextAsync();
        (await db.MalwareVerdicts.CountAsync(Ct)).ShouldBe(0);
        (await db.ContentArtifacts.CountAsync(Ct)).ShouldBe(0);
        Directory.EnumerateFiles(_store.File("work"), "*", SearchOption.AllDirectories).ShouldBeEmpty();
    }

    [Fact]
    public async Task WithClamdscanOverAFileListASyncOfTenFilesKeepsNineAndRefusesEicarWithItsSignature()
    {
        // Without --stream or --fdpass clamd opens the listed files itself: it runs as the test user, so it can read
        // the gateway's work directory.
        var config = $"--config-file={_clamd.ConfigPath}";
        StartPortal(new Dictionary<string, string?>
        {
            ["MalwareScanning:Scanner"] = "Command",
            ["ScanCommand:Command"] = "/usr/bin/clamdscan",
            ["ScanCommand:Arguments:0"] = "--no-summary",
            ["ScanCommand:Arguments:1"] = config,
            ["ScanCommand:Arguments:2"] = "{path}",
            ["ScanCommand:FileListArguments:0"] = "--no-summary",
            ["ScanCommand:FileListArguments:1"] = config,
            ["ScanCommand:FileListArguments:2"] = "--multiscan",
            ["ScanCommand:FileListArguments:3"] = "--file-list={filelist}",
            ["ScanCommand:TempDirectory"] = _store.File("scan"),
        });
        var paths = PublishFiles(9);
        Portal.Services.GetRequiredService<IVirusScanner>().ShouldBeOfType<ScanCommandScanner>().CanScanFileLists.ShouldBeTrue();

        var report = await SyncAsync(Files, new SyncRequest(paths, null));

        report.Failed.ShouldBeEmpty();
        report.Kept.ShouldBe(9);
        var infected = report.Infected.ShouldHaveSingleItem();
        (infected.Path, infected.Signature).ShouldBe((EicarPath, ClamdServer.EicarSignature));
        StoredFiles().Count.ShouldBe(9);
        StoredFiles().ShouldNotContain(Sha256(ClamdServer.Eicar));
        await using var db = await ContextAsync();
        (await db.QuarantineEvents.SingleAsync(Ct)).Source.ShouldBe(ContentSource.Sync);
        Directory.EnumerateFiles(_store.File("work"), "*", SearchOption.AllDirectories).ShouldBeEmpty("fetched copies are removed once scanned");
        Directory.EnumerateFileSystemEntries(_store.File("scan")).ShouldBeEmpty("the file list is removed after the run");
    }

    private HttpClient Client => _client ?? throw new InvalidOperationException("No portal started.");

    private void StartPortal(IDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:Remotes:5:Name"] = PyPi,
            ["Gateway:Remotes:5:Kind"] = "PyPi",
            ["Gateway:Remotes:5:UpstreamUrl"] = _upstream.BaseUrl.AbsoluteUri,
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        _portal = ContentGatewayTests.CreatePortal(_clamd, _upstream, _store, settings);
        _client = _portal.CreatePortalClient();
    }

    // count clean files of distinct content, and EICAR last, all under dist/ on the upstream.
    private List<string> PublishFiles(int count)
    {
        var paths = Enumerable.Range(0, count).Select(i => $"dist/file-{i:000}.bin").ToList();
        foreach (var path in paths)
        {
            _upstream.Add(path, CleanContent(path));
        }

        _upstream.Add(EicarPath, ClamdServer.Eicar);
        paths.Add(EicarPath);
        return paths;
    }

    private static byte[] CleanContent(string path) =>
        Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat($"harmless content of {path}\n", 100)));

    private async Task<SyncReport> SyncAsync(string remote, SyncRequest request)
    {
        var found = await Portal.Services.GetRequiredService<GatewayRemotes>().FindAsync(remote, Ct)
                    ?? throw new InvalidOperationException($"No remote '{remote}'.");
        return await Portal.Services.GetRequiredService<ImmediateSync>().RunAsync(found, request, "admin@example.org", Ct);
    }

    private Task<HttpResponseMessage> PostSyncAsync(string remote, SyncRequest request, TestUser user) =>
        Client.SendAsync(user.Apply(new HttpRequestMessage(HttpMethod.Post, $"/api/v1/gateway/remotes/{remote}/sync")
        {
            Content = JsonContent.Create(request, options: ApiJson.Options),
        }), Ct);

    private IReadOnlyList<string> StoredFiles() =>
        Directory.Exists(_store.File("content"))
            ? Directory.EnumerateFiles(_store.File("content"), "*", SearchOption.AllDirectories).Select(Path.GetFileName).OfType<string>().ToList()
            : [];

    private async Task<PortalDbContext> ContextAsync() =>
        await Portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);

    private static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));
}
