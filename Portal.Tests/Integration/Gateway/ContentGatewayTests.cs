using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.ApiKeys;
using Portal.Core.Gateway;
using Portal.Data;
using Portal.Features.ApiKeys;
using Portal.Features.Gateway;
using Portal.Tests.TestInfrastructure;
using Portal.Tests.TestInfrastructure.PyPi;

namespace Portal.Tests.Integration.Gateway;

/// <summary>
/// The content gateway through the real portal: files served by a real upstream HTTP server, scanned by a real clamd
/// with a definitions database the tests change, kept in a content store on disk.
/// </summary>
public sealed class ContentGatewayTests : IAsyncLifetime
{
    private const string Files = "files";
    private const string Streamed = "streamed";
    private const string Wheels = "wheels";
    private const string Private = "private";
    private const string Tiny = "tiny";
    private static readonly byte[] CleanBytes = Enumerable.Range(0, 300_000).Select(i => (byte)(i * 7 % 251)).ToArray();

    private readonly TempDirectory _store = new("gateway-store");
    private ClamdServer _clamd = null!;
    private PackageIndexServer _upstream = null!;
    private PortalAppFactory _portal = null!;
    private HttpClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _clamd = await ClamdServer.StartAsync(definitionsVersion: 27001, cancellationToken: Ct);
        _upstream = await PackageIndexServer.StartAsync(Ct);
        _portal = CreatePortal(_clamd, _upstream, _store, extra: null);
        _client = _portal.CreatePortalClient();
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _portal.DisposeAsync();
        await _upstream.DisposeAsync();
        await _clamd.DisposeAsync();
        _store.Dispose();
    }

    internal static PortalAppFactory CreatePortal(ClamdServer clamd, PackageIndexServer upstream, TempDirectory store, IDictionary<string, string?>? extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ClamAv:Host"] = "127.0.0.1",
            ["ClamAv:Port"] = clamd.Port.ToString(CultureInfo.InvariantCulture),
            ["ClamAv:StreamMaxLength"] = ClamdServer.StreamMaxLength.ToString(CultureInfo.InvariantCulture),
            ["ClamAv:ConnectTimeoutSeconds"] = "2",
            ["Gateway:StoreDirectory"] = store.File("content"),
            ["Gateway:WorkDirectory"] = store.File("work"),
            ["Gateway:DefinitionsCheckSeconds"] = "1",
            ["Gateway:Remotes:0:Name"] = Files,
            ["Gateway:Remotes:0:UpstreamUrl"] = upstream.BaseUrl.AbsoluteUri,
            ["Gateway:Remotes:0:Policy"] = "OnDemand",
            ["Gateway:Remotes:1:Name"] = Streamed,
            ["Gateway:Remotes:1:UpstreamUrl"] = upstream.BaseUrl.AbsoluteUri,
            ["Gateway:Remotes:1:Policy"] = "Streamed",
            ["Gateway:Remotes:2:Name"] = Wheels,
            ["Gateway:Remotes:2:UpstreamUrl"] = upstream.BaseUrl.AbsoluteUri,
            ["Gateway:Remotes:2:AllowedPathPatterns:0"] = "**/*.whl",
            ["Gateway:Remotes:3:Name"] = Private,
            ["Gateway:Remotes:3:UpstreamUrl"] = upstream.BaseUrl.AbsoluteUri,
            ["Gateway:Remotes:3:ReadAccess"] = "ApiKey",
            ["Gateway:Remotes:4:Name"] = Tiny,
            ["Gateway:Remotes:4:UpstreamUrl"] = upstream.BaseUrl.AbsoluteUri,
            ["Gateway:Remotes:4:MaxFileBytes"] = "1000",
            ["Notifications:AdminRecipients:0"] = "platform-admins@example.test",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return PortalAppFactory.WithSettings(settings);
    }

    [Fact]
    public async Task EicarServedByTheUpstreamGives409WithTheSignatureAndNothingInTheStore()
    {
        _upstream.Add("dist/eicar.txt", ClamdServer.Eicar);

        using var response = await _client.GetAsync("/content/files/dist/eicar.txt", Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await ProblemAsync(response);
        problem.GetProperty("title").GetString().ShouldBe("Infected file refused");
        problem.GetProperty("signature").GetString().ShouldBe(ClamdServer.EicarSignature);
        problem.GetProperty("sha256").GetString().ShouldBe(Sha256(ClamdServer.Eicar));
        problem.GetProperty("remote").GetString().ShouldBe(Files);
        problem.GetProperty("path").GetString().ShouldBe("dist/eicar.txt");
        StoredFiles().ShouldBeEmpty();
        await using var db = await ContextAsync();
        var quarantined = (await db.QuarantineEvents.ToListAsync(Ct)).ShouldHaveSingleItem();
        quarantined.Signature.ShouldBe(ClamdServer.EicarSignature);
        quarantined.Source.ShouldBe(ContentSource.Request);
        (await db.ContentArtifacts.SingleAsync(Ct)).Kept.ShouldBeFalse();

        using var again = await _client.GetAsync("/content/files/dist/eicar.txt", Ct);
        again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        _upstream.RequestCount("dist/eicar.txt").ShouldBe(1, "the verdict is remembered; the file is not fetched again");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ACleanFileIsServedKeptAndThenAnsweredFromTheStoreWithETagAndRange(bool memoryCopies)
    {
        // Without memory copies the kept file is read from the disk, 256 KB at a time (this one is larger).
        await using var portal = memoryCopies ? null : CreatePortal(_clamd, _upstream, _store, new Dictionary<string, string?> { ["Gateway:MemoryCacheMegabytes"] = "0" });
        using var client = portal?.CreatePortalClient() ?? _portal.CreatePortalClient();
        _upstream.Add("dist/model.bin", CleanBytes);
        var sha = Sha256(CleanBytes);

        using var first = await client.GetAsync("/content/files/dist/model.bin", Ct);

        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await first.Content.ReadAsByteArrayAsync(Ct)).ShouldBe(CleanBytes);
        first.Headers.ETag!.Tag.ShouldBe($"\"{sha}\"");
        first.Headers.GetValues("X-Checksum-Sha256").ShouldBe([sha]);
        first.Headers.GetValues("Content-Security-Policy").Single().ShouldStartWith("sandbox");
        StoredFiles().ShouldBe([sha]);

        using var second = await client.GetAsync("/content/files/dist/model.bin", Ct);
        (await second.Content.ReadAsByteArrayAsync(Ct)).ShouldBe(CleanBytes);
        _upstream.RequestCount("dist/model.bin").ShouldBe(1, "the kept file is served from the store");

        using var conditional = new HttpRequestMessage(HttpMethod.Get, "/content/files/dist/model.bin");
        conditional.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{sha}\""));
        using var notModified = await client.SendAsync(conditional, Ct);
        notModified.StatusCode.ShouldBe(HttpStatusCode.NotModified);

        using var ranged = new HttpRequestMessage(HttpMethod.Get, "/content/files/dist/model.bin");
        ranged.Headers.Range = new RangeHeaderValue(1000, 1099);
        using var partial = await client.SendAsync(ranged, Ct);
        partial.StatusCode.ShouldBe(HttpStatusCode.PartialContent);
        partial.Content.Headers.ContentRange!.ToString().ShouldBe($"bytes 1000-1099/{CleanBytes.Length}");
        (await partial.Content.ReadAsByteArrayAsync(Ct)).ShouldBe(CleanBytes[1000..1100]);
    }

    [Fact]
    public async Task WithClamdStoppedAColdFileGets503WithRetryAfterAndNothingIsServedOrKept()
    {
        _upstream.Add("dist/new.bin", CleanBytes);
        _clamd.Stop();
        _portal.Services.GetRequiredService<ScannerDefinitions>().Expire();

        using var response = await _client.GetAsync("/content/files/dist/new.bin", Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        response.Headers.RetryAfter.ShouldNotBeNull();
        (await ProblemAsync(response)).GetProperty("title").GetString().ShouldBe("Scanner unavailable");
        StoredFiles().ShouldBeEmpty();
        await using var db = await ContextAsync();
        (await db.ContentArtifacts.CountAsync(Ct)).ShouldBe(0);
        (await db.MalwareVerdicts.CountAsync(Ct)).ShouldBe(0, "an error is no verdict");
    }

    [Fact]
    public async Task FiftyConcurrentRequestsForOneColdFileShareOneUpstreamFetchAndOneScan()
    {
        _upstream.Add("dist/popular.whl", CleanBytes);
        _upstream.Delay("dist/popular.whl", TimeSpan.FromMilliseconds(500));
        var queue = _portal.Services.GetRequiredService<ScanQueue>();
        var scansBefore = queue.ScansStarted;

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ =>
        {
            using var response = await _client.GetAsync("/content/files/dist/popular.whl", Ct);
            return (response.StatusCode, Body: await response.Content.ReadAsByteArrayAsync(Ct));
        }));

        responses.ShouldAllBe(r => r.StatusCode == HttpStatusCode.OK);
        responses.ShouldAllBe(r => r.Body.SequenceEqual(CleanBytes));
        _upstream.RequestCount("dist/popular.whl").ShouldBe(1);
        (queue.ScansStarted - scansBefore).ShouldBe(1);
    }

    [Fact]
    public async Task AStreamedRemoteServesACleanFileWithoutKeepingItAndRemembersTheVerdict()
    {
        _upstream.Add("dist/once.bin", CleanBytes);
        var queue = _portal.Services.GetRequiredService<ScanQueue>();
        var scansBefore = queue.ScansStarted;

        var bodies = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => _client.GetByteArrayAsync("/content/streamed/dist/once.bin", Ct)));
        using var later = await _client.GetAsync("/content/streamed/dist/once.bin", Ct);

        bodies.ShouldAllBe(b => b.SequenceEqual(CleanBytes));
        (await later.Content.ReadAsByteArrayAsync(Ct)).ShouldBe(CleanBytes);
        StoredFiles().ShouldBeEmpty();
        Directory.EnumerateFiles(_store.File("work"), "*", SearchOption.AllDirectories).ShouldBeEmpty("streamed files are removed once served");
        (queue.ScansStarted - scansBefore).ShouldBe(1, "the same bytes fetched again need no second scan");
        _upstream.RequestCount("dist/once.bin").ShouldBeGreaterThanOrEqualTo(2);
        await using var db = await ContextAsync();
        (await db.ContentArtifacts.SingleAsync(Ct)).Kept.ShouldBeFalse();
    }

    [Theory]
    [InlineData("/content/files/dist/..%2f..%2fetc/passwd")]
    [InlineData("/content/files/%252e%252e/secret")]
    [InlineData("/content/files/dist%5c..%5c..%5csecret")]
    [InlineData("/content/files/http:%2f%2fevil.example/x")]
    [InlineData("/content/files/http://evil.example/x")]
    [InlineData("/content/files//etc/passwd")]
    // Dot segments ("%2e%2e" too) and NUL never leave this process's HttpClient (it removes or refuses them);
    // ContentPathTests covers them.
    public async Task TraversalEncodedOrAbsoluteUrlPathsAreRefusedWithoutFetchingAnything(string address)
    {
        using var response = await _client.GetAsync(address, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await ProblemAsync(response)).GetProperty("title").GetString().ShouldBe("Path refused");
        _upstream.RequestCounts.ShouldBeEmpty();
    }

    [Fact]
    public async Task UnknownRemotesPathsOutsideThePatternsAndFilesOverTheLimitAreRefused()
    {
        _upstream.Add("dist/readme.txt", Encoding.ASCII.GetBytes("hello"));
        _upstream.Add("dist/big.bin", CleanBytes);

        using var unknown = await _client.GetAsync("/content/nope/dist/readme.txt", Ct);
        using var notAllowed = await _client.GetAsync("/content/wheels/dist/readme.txt", Ct);
        using var tooLarge = await _client.GetAsync("/content/tiny/dist/big.bin", Ct);
        using var missing = await _client.GetAsync("/content/files/dist/missing.bin", Ct);

        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await ProblemAsync(unknown)).GetProperty("title").GetString().ShouldBe("Unknown remote");
        notAllowed.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        tooLarge.StatusCode.ShouldBe(HttpStatusCode.BadGateway);
        (await ProblemAsync(tooLarge)).GetProperty("title").GetString().ShouldBe("File too large");
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        _upstream.RequestCount("dist/readme.txt").ShouldBe(0);
        StoredFiles().ShouldBeEmpty();
    }

    [Fact]
    public async Task ARemoteThatNeedsAKeyAsksForBasicAuthenticationAndTakesTheKeyAsThePassword()
    {
        _upstream.Add("dist/internal.bin", CleanBytes);
        var key = await CreateKeyAsync(ApiKeyScopes.GatewayRead);
        var wrongScope = await CreateKeyAsync(ApiKeyScopes.ScanReportsWrite);

        using var anonymous = await _client.GetAsync("/content/private/dist/internal.bin", Ct);
        using var withWrongScope = await GetWithBasicAsync("/content/private/dist/internal.bin", wrongScope);
        using var withKey = await GetWithBasicAsync("/content/private/dist/internal.bin", key);

        anonymous.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        anonymous.Headers.WwwAuthenticate.Single().Scheme.ShouldBe("Basic");
        withWrongScope.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        withKey.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await withKey.Content.ReadAsByteArrayAsync(Ct)).ShouldBe(CleanBytes);
        _upstream.RequestCount("dist/internal.bin").ShouldBe(1);
    }

    [Fact]
    public async Task UploadsAreScannedFirstACleanOneIsKeptAndServedAnInfectedOneGets409AndNothingIsKept()
    {
        var key = await CreateKeyAsync(ApiKeyScopes.GatewayUpload);

        using var clean = await UploadAsync("packages/internal-1.0.tar.gz", CleanBytes, key);
        using var infected = await UploadAsync("packages/bad-1.0.tar.gz", ClamdServer.Eicar, key);
        using var withoutKey = await UploadAsync("packages/other.tar.gz", CleanBytes, key: null);
        using var wrongScope = await UploadAsync("packages/other.tar.gz", CleanBytes, await CreateKeyAsync(ApiKeyScopes.GatewayRead));
        using var traversal = await UploadAsync("../outside.tar.gz", CleanBytes, key);

        clean.StatusCode.ShouldBe(HttpStatusCode.Created);
        clean.Headers.Location!.OriginalString.ShouldBe("/content/files/packages/internal-1.0.tar.gz");
        infected.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await ProblemAsync(infected)).GetProperty("signature").GetString().ShouldBe(ClamdServer.EicarSignature);
        withoutKey.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        wrongScope.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        traversal.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        StoredFiles().ShouldBe([Sha256(CleanBytes)]);
        (await _client.GetByteArrayAsync("/content/files/packages/internal-1.0.tar.gz", Ct)).ShouldBe(CleanBytes);
        _upstream.RequestCounts.ShouldBeEmpty("uploaded files are served from the store");
        using var badAgain = await _client.GetAsync("/content/files/packages/bad-1.0.tar.gz", Ct);
        badAgain.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        await using var db = await ContextAsync();
        (await db.QuarantineEvents.SingleAsync(Ct)).Source.ShouldBe(ContentSource.Upload);
        (await db.AuditEntries.CountAsync(e => e.Action == "content.uploaded", Ct)).ShouldBe(1);
    }

    [Fact]
    public async Task NewDefinitionsThatFindAKeptFileTurnItsPathInto409AndRemoveItFromTheStore()
    {
        var marker = Encoding.ASCII.GetBytes("gateway test marker found only by newer definitions");
        var content = CleanBytes.Concat(marker).ToArray();
        _upstream.Add("dist/later-bad.whl", content);
        using (var first = await _client.GetAsync("/content/files/dist/later-bad.whl", Ct))
        {
            first.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        StoredFiles().ShouldBe([Sha256(content)]);

        await _clamd.ChangeDefinitionsAsync(marker, Ct);
        _portal.Services.GetRequiredService<ScannerDefinitions>().Expire();
        using var after = await _client.GetAsync("/content/files/dist/later-bad.whl", Ct);

        after.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await ProblemAsync(after)).GetProperty("signature").GetString().ShouldBe(ClamdServer.NewSignature);
        StoredFiles().ShouldBeEmpty();
        _upstream.RequestCount("dist/later-bad.whl").ShouldBe(1, "the kept bytes were rescanned, not fetched again");
        await using var db = await ContextAsync();
        (await db.QuarantineEvents.SingleAsync(Ct)).Source.ShouldBe(ContentSource.Rescan);
        using var stillRefused = await _client.GetAsync("/content/files/dist/later-bad.whl", Ct);
        stillRefused.StatusCode.ShouldBe(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task TheRescanJobRemovesKeptContentNewDefinitionsFindAndAlertsAdminsOnce()
    {
        var marker = Encoding.ASCII.GetBytes("another marker that only the next definitions know");
        var laterBad = CleanBytes.Concat(marker).ToArray();
        _upstream.Add("dist/a.whl", laterBad);
        _upstream.Add("dist/b.whl", CleanBytes);
        (await _client.GetByteArrayAsync("/content/files/dist/a.whl", Ct)).ShouldBe(laterBad);
        (await _client.GetByteArrayAsync("/content/files/dist/b.whl", Ct)).ShouldBe(CleanBytes);
        var rescan = _portal.Services.GetRequiredService<GatewayRescan>();
        (await rescan.RunAsync(null, Ct)).Rescanned.ShouldBe(0, "everything kept is current");

        await _clamd.ChangeDefinitionsAsync(marker, Ct);
        var summary = await rescan.RunAsync(null, Ct);

        summary.Rescanned.ShouldBe(2);
        summary.Infected.ShouldBe(1);
        summary.Clean.ShouldBe(1);
        StoredFiles().ShouldBe([Sha256(CleanBytes)]);
        using var refused = await _client.GetAsync("/content/files/dist/a.whl", Ct);
        refused.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await _client.GetByteArrayAsync("/content/files/dist/b.whl", Ct)).ShouldBe(CleanBytes);
        _upstream.RequestCount("dist/b.whl").ShouldBe(1);
        await using var db = await ContextAsync();
        var quarantined = await db.QuarantineEvents.SingleAsync(Ct);
        quarantined.Source.ShouldBe(ContentSource.Rescan);
        quarantined.Signature.ShouldBe(ClamdServer.NewSignature);
        var alert = await db.OutgoingMessages.SingleAsync(Ct);
        alert.Recipient.ShouldBe("platform-admins@example.test");
        alert.Subject.ShouldContain(ClamdServer.NewSignature);
        (await rescan.RunAsync(null, Ct)).Rescanned.ShouldBe(0, "the new verdicts are current");
        (await db.OutgoingMessages.CountAsync(Ct)).ShouldBe(1);
    }

    [Fact]
    public async Task WhenTheScanQueueIsFullFurtherColdRequestsGet429WithRetryAfter()
    {
        await using var portal = CreatePortal(_clamd, _upstream, _store, new Dictionary<string, string?>
        {
            ["Gateway:ScanConcurrency"] = "1",
            ["Gateway:MaxQueuedScans"] = "0",
            ["Gateway:StoreDirectory"] = _store.File("content-2"),
        });
        using var client = portal.CreatePortalClient();
        _upstream.Add("dist/slow.bin", CleanBytes);
        _upstream.Add("dist/other.bin", CleanBytes.Reverse().ToArray());
        _upstream.Delay("dist/slow.bin", TimeSpan.FromSeconds(2));

        var slow = client.GetAsync("/content/files/dist/slow.bin", Ct);
        while (portal.Services.GetRequiredService<ScanQueue>().Depth == 0)
        {
            await Task.Delay(20, Ct);
        }

        using var refused = await client.GetAsync("/content/files/dist/other.bin", Ct);
        using var served = await slow;

        refused.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        refused.Headers.RetryAfter!.Delta.ShouldBe(TimeSpan.FromSeconds(10));
        served.StatusCode.ShouldBe(HttpStatusCode.OK);
        _upstream.RequestCount("dist/other.bin").ShouldBe(0);
    }

    private async Task<HttpResponseMessage> GetWithBasicAsync(string address, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, address);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"token:{key}")));
        return await _client.SendAsync(request, Ct);
    }

    private async Task<HttpResponseMessage> UploadAsync(string path, byte[] content, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/content/files/upload?path={Uri.EscapeDataString(path)}")
        {
            Content = new ByteArrayContent(content),
        };
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return await _client.SendAsync(request, Ct);
    }

    private async Task<string> CreateKeyAsync(string scope)
    {
        var created = await _portal.Services.GetRequiredService<ApiKeyManagement>().CreateAsync($"key-{Guid.NewGuid():N}", [scope], null, "admin@example.test", Ct);
        return created.PlainKey!;
    }

    private IReadOnlyList<string> StoredFiles() =>
        Directory.Exists(_store.File("content"))
            ? Directory.EnumerateFiles(_store.File("content"), "*", SearchOption.AllDirectories).Select(Path.GetFileName).OfType<string>().ToList()
            : [];

    private async Task<PortalDbContext> ContextAsync() =>
        await _portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;

    private static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));
}
