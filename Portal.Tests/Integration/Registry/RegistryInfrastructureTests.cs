using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Portal.Tests.TestInfrastructure.Registry;

namespace Portal.Tests.Integration.Registry;

/// <summary>
/// Proves the registry test infrastructure against the real <c>docker-registry</c>: what the pusher writes reads back
/// over the plain distribution API, and the basic and token auth modes behave like real registries.
/// </summary>
public sealed partial class RegistryInfrastructureTests
{
    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(MediaTypeStyle.Oci)]
    [InlineData(MediaTypeStyle.Docker)]
    public async Task PushedImageReadsBackOverTheDistributionApi(MediaTypeStyle style)
    {
        await using var registry = await DockerRegistryServer.StartAsync(cancellationToken: CancellationToken);
        using var pusher = registry.CreatePusher();
        var created = new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.Zero);
        var digest = await pusher.PushImageAsync("team/app", "1.0", new ImageSpec
        {
            Style = style,
            Created = created,
            Labels = new Dictionary<string, string> { ["org.opencontainers.image.source"] = "https://example.test/app" },
            LayerCount = 2,
        }, CancellationToken);
        using var http = registry.CreateHttpClient();

        var catalog = await http.GetFromJsonAsync<JsonElement>("v2/_catalog", CancellationToken);
        Strings(catalog, "repositories").ShouldBe(["team/app"]);
        var tags = await http.GetFromJsonAsync<JsonElement>("v2/team/app/tags/list", CancellationToken);
        Strings(tags, "tags").ShouldBe(["1.0"]);

        using var manifestRequest = new HttpRequestMessage(HttpMethod.Get, "v2/team/app/manifests/1.0");
        manifestRequest.Headers.Accept.ParseAdd(RegistryMediaTypes.Manifest(style));
        using var manifestResponse = await http.SendAsync(manifestRequest, CancellationToken);
        manifestResponse.StatusCode.ShouldBe(HttpStatusCode.OK);
        manifestResponse.Content.Headers.ContentType!.MediaType.ShouldBe(RegistryMediaTypes.Manifest(style));
        var bytes = await manifestResponse.Content.ReadAsByteArrayAsync(CancellationToken);
        manifestResponse.Headers.GetValues("Docker-Content-Digest").Single().ShouldBe(digest);
        RegistryDigest.Of(bytes).ShouldBe(digest);
        bytes.ShouldBe(pusher.GetPushedManifest("team/app", digest).Bytes.ToArray());

        using var manifest = JsonDocument.Parse(bytes);
        manifest.RootElement.GetProperty("config").GetProperty("mediaType").GetString().ShouldBe(RegistryMediaTypes.Config(style));
        var layers = manifest.RootElement.GetProperty("layers").EnumerateArray().ToList();
        layers.Count.ShouldBe(2);
        layers.ShouldAllBe(l => l.GetProperty("mediaType").GetString() == RegistryMediaTypes.LayerGzip(style));

        var config = await http.GetFromJsonAsync<JsonElement>(
            $"v2/team/app/blobs/{manifest.RootElement.GetProperty("config").GetProperty("digest").GetString()}", CancellationToken);
        config.GetProperty("architecture").GetString().ShouldBe("amd64");
        config.GetProperty("os").GetString().ShouldBe("linux");
        config.GetProperty("created").GetDateTimeOffset().ShouldBe(created);
        config.GetProperty("config").GetProperty("Labels").GetProperty("org.opencontainers.image.source").GetString()
            .ShouldBe("https://example.test/app");

        // The layer is a real gzip'd tar whose uncompressed digest is the config's diff_id.
        var layerBytes = await http.GetByteArrayAsync($"v2/team/app/blobs/{layers[0].GetProperty("digest").GetString()}", CancellationToken);
        RegistryDigest.Of(layerBytes).ShouldBe(layers[0].GetProperty("digest").GetString());
        var tar = Gunzip(layerBytes);
        RegistryDigest.Of(tar).ShouldBe(config.GetProperty("rootfs").GetProperty("diff_ids")[0].GetString());
        using var reader = new TarReader(new MemoryStream(tar));
        (await reader.GetNextEntryAsync(cancellationToken: CancellationToken))!.Name.ShouldBe("portal-test/layer-0.txt");
    }

    [Theory]
    [InlineData(MediaTypeStyle.Oci)]
    [InlineData(MediaTypeStyle.Docker)]
    public async Task MultiArchIndexReferencesOneImagePerPlatform(MediaTypeStyle style)
    {
        await using var registry = await DockerRegistryServer.StartAsync(cancellationToken: CancellationToken);
        using var pusher = registry.CreatePusher();
        var image = await pusher.PushMultiArchAsync("team/multi", "latest", style, ["linux/amd64", "linux/arm64/v8"],
            cancellationToken: CancellationToken);
        using var http = registry.CreateHttpClient();

        var (indexType, indexDigest, index) = await GetManifestAsync(http, "team/multi", "latest");
        indexType.ShouldBe(RegistryMediaTypes.Index(style));
        indexDigest.ShouldBe(image.Digest);
        var entries = index.GetProperty("manifests").EnumerateArray().ToList();
        entries.Select(e => e.GetProperty("digest").GetString()).ShouldBe(image.Children.Select(c => c.Digest));
        entries.ShouldAllBe(e => e.GetProperty("mediaType").GetString() == RegistryMediaTypes.Manifest(style));
        entries.Select(e => Platform(e.GetProperty("platform"))).ShouldBe(["linux/amd64", "linux/arm64/v8"]);

        foreach (var child in image.Children)
        {
            var (childType, childDigest, childManifest) = await GetManifestAsync(http, "team/multi", child.Digest);
            childType.ShouldBe(RegistryMediaTypes.Manifest(style));
            childDigest.ShouldBe(child.Digest);
            var config = await http.GetFromJsonAsync<JsonElement>(
                $"v2/team/multi/blobs/{childManifest.GetProperty("config").GetProperty("digest").GetString()}", CancellationToken);
            Platform(config).ShouldBe(child.Platform);
        }

        // Only the index is tagged; the platform images are reachable by digest alone.
        Strings(await http.GetFromJsonAsync<JsonElement>("v2/team/multi/tags/list", CancellationToken), "tags").ShouldBe(["latest"]);
    }

    [Fact]
    public async Task DeletingAManifestRemovesItAndEveryTagPointingAtIt()
    {
        await using var registry = await DockerRegistryServer.StartAsync(cancellationToken: CancellationToken);
        using var pusher = registry.CreatePusher();
        var first = await pusher.PushImageAsync("team/app", "1", cancellationToken: CancellationToken);
        await pusher.TagAsync("team/app", first, "stable", CancellationToken);
        var second = await pusher.PushImageAsync("team/app", "2", cancellationToken: CancellationToken);
        second.ShouldNotBe(first);
        using var http = registry.CreateHttpClient();
        Strings(await http.GetFromJsonAsync<JsonElement>("v2/team/app/tags/list", CancellationToken), "tags")
            .ShouldBe(["1", "2", "stable"], ignoreOrder: true);
        (await GetManifestAsync(http, "team/app", "stable")).Digest.ShouldBe(first);

        await pusher.DeleteManifestAsync("team/app", first, CancellationToken);

        Strings(await http.GetFromJsonAsync<JsonElement>("v2/team/app/tags/list", CancellationToken), "tags").ShouldBe(["2"]);
        (await GetStatusAsync(http, $"v2/team/app/manifests/{first}")).ShouldBe(HttpStatusCode.NotFound);
        (await GetStatusAsync(http, "v2/team/app/manifests/stable")).ShouldBe(HttpStatusCode.NotFound);
        (await GetManifestAsync(http, "team/app", "2")).Digest.ShouldBe(second);
    }

    [Fact]
    public async Task PushManyGivesEveryTagItsOwnDigest()
    {
        await using var registry = await DockerRegistryServer.StartAsync(cancellationToken: CancellationToken);
        using var pusher = registry.CreatePusher();

        var pushed = await pusher.PushManyAsync(4, 3, concurrency: 4, cancellationToken: CancellationToken);

        pushed.Count.ShouldBe(12);
        pushed.Select(p => p.Digest).Distinct().Count().ShouldBe(12);
        using var http = registry.CreateHttpClient();
        Strings(await http.GetFromJsonAsync<JsonElement>("v2/_catalog", CancellationToken), "repositories")
            .ShouldBe(["bench/repo-0000", "bench/repo-0001", "bench/repo-0002", "bench/repo-0003"]);
        Strings(await http.GetFromJsonAsync<JsonElement>("v2/bench/repo-0003/tags/list", CancellationToken), "tags")
            .ShouldBe(["1.0.0", "1.0.1", "1.0.2"], ignoreOrder: true);
        (await GetManifestAsync(http, "bench/repo-0003", "1.0.2")).Digest
            .ShouldBe(pushed.Single(p => p.Repository == "bench/repo-0003" && p.Tag == "1.0.2").Digest);
    }

    [Fact]
    public async Task SeedingStorageDirectlyGivesTheSameImagesAsPushing()
    {
        await using var pushedTo = await DockerRegistryServer.StartAsync(cancellationToken: CancellationToken);
        await using var seeded = await DockerRegistryServer.StartAsync(cancellationToken: CancellationToken);
        using var pusher = pushedTo.CreatePusher();
        using var seeder = seeded.CreatePusher();

        var pushed = await pusher.PushManyAsync(3, 2, cancellationToken: CancellationToken);
        var written = seeder.WriteManyToStorage(3, 2, cancellationToken: CancellationToken);

        written.ShouldBe(pushed);
        using var http = seeded.CreateHttpClient();
        Strings(await http.GetFromJsonAsync<JsonElement>("v2/_catalog", CancellationToken), "repositories")
            .ShouldBe(["bench/repo-0000", "bench/repo-0001", "bench/repo-0002"]);
        Strings(await http.GetFromJsonAsync<JsonElement>("v2/bench/repo-0001/tags/list", CancellationToken), "tags")
            .ShouldBe(["1.0.0", "1.0.1"], ignoreOrder: true);
        foreach (var tag in written)
        {
            var (_, digest, manifest) = await GetManifestAsync(http, tag.Repository, tag.Tag);
            digest.ShouldBe(tag.Digest);
            var configDigest = manifest.GetProperty("config").GetProperty("digest").GetString();
            (await GetStatusAsync(http, $"v2/{tag.Repository}/blobs/{configDigest}")).ShouldBe(HttpStatusCode.OK);
        }

        // The registry treats seeded content as its own: it deletes it like anything pushed.
        await seeder.DeleteManifestAsync("bench/repo-0002", written[^1].Digest, CancellationToken);
        Strings(await http.GetFromJsonAsync<JsonElement>("v2/bench/repo-0002/tags/list", CancellationToken), "tags").ShouldBe(["1.0.0"]);
    }

    [Fact]
    public async Task StoppedRegistryRefusesConnectionsAndComesBackWithItsContent()
    {
        await using var registry = await DockerRegistryServer.StartAsync(cancellationToken: CancellationToken);
        using var pusher = registry.CreatePusher();
        var digest = await pusher.PushImageAsync("team/app", "1.0", cancellationToken: CancellationToken);
        using var http = registry.CreateHttpClient();

        registry.Stop();

        registry.IsRunning.ShouldBeFalse();
        await Should.ThrowAsync<HttpRequestException>(() => http.GetAsync("v2/", CancellationToken));

        await registry.StartAgainAsync(CancellationToken);

        (await GetManifestAsync(http, "team/app", "1.0")).Digest.ShouldBe(digest);
    }

    [Fact]
    public async Task BasicAuthRegistryRefusesAnonymousClientsAndAcceptsItsCredentials()
    {
        await using var registry = await DockerRegistryServer.StartAsync(new DockerRegistryOptions { Auth = RegistryAuthMode.Basic },
            CancellationToken);
        using var pusher = registry.CreatePusher();
        var digest = await pusher.PushImageAsync("team/app", "1.0", cancellationToken: CancellationToken);
        using var http = registry.CreateHttpClient();

        using (var anonymous = await http.GetAsync("v2/", CancellationToken))
        {
            anonymous.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
            anonymous.Headers.WwwAuthenticate.Single().Scheme.ShouldBe("Basic");
        }

        (await GetStatusAsync(http, "v2/", Basic(registry.Credentials!.Username, "wrong"))).ShouldBe(HttpStatusCode.Unauthorized);
        (await GetStatusAsync(http, "v2/", Basic(registry.Credentials.Username, registry.Credentials.Password))).ShouldBe(HttpStatusCode.OK);
        (await GetManifestAsync(http, "team/app", "1.0", Basic(registry.Credentials.Username, registry.Credentials.Password)))
            .Digest.ShouldBe(digest);
    }

    [Fact]
    public async Task TokenRegistryChallengesAndAcceptsATokenForTheChallengedScope()
    {
        await using var registry = await DockerRegistryServer.StartAsync(new DockerRegistryOptions { Auth = RegistryAuthMode.Token },
            CancellationToken);
        var tokens = registry.TokenServer!;
        using var pusher = registry.CreatePusher();
        var digest = await pusher.PushImageAsync("team/app", "1.0", cancellationToken: CancellationToken);
        tokens.TokensIssued.ShouldBe(0, "the pusher mints its own tokens, so seeding leaves no trace at the endpoint");
        using var http = registry.CreateHttpClient();

        using (var ping = await http.GetAsync("v2/", CancellationToken))
        {
            ping.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
            var challenge = Challenge(ping);
            challenge["realm"].ShouldBe(tokens.Realm);
            challenge["service"].ShouldBe(tokens.Service);
        }

        using var anonymous = new HttpRequestMessage(HttpMethod.Get, "v2/team/app/manifests/1.0");
        using var refused = await http.SendAsync(anonymous, CancellationToken);
        refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var scoped = Challenge(refused);
        scoped["scope"].ShouldBe("repository:team/app:pull");

        var token = await FetchTokenAsync(http, scoped, registry.Credentials!);
        (await GetManifestAsync(http, "team/app", "1.0", new AuthenticationHeaderValue("Bearer", token))).Digest.ShouldBe(digest);

        tokens.TokensIssued.ShouldBe(1);
        tokens.RequestedScopes.ShouldBe(["repository:team/app:pull"]);
        tokens.Requests.Single().Username.ShouldBe(registry.Credentials!.Username);
        // The registry really checks the token's access: it does not open another repository.
        (await GetStatusAsync(http, "v2/team/other/tags/list", new AuthenticationHeaderValue("Bearer", token)))
            .ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task TokenRegistryListsTheCatalogWithACatalogToken()
    {
        await using var registry = await DockerRegistryServer.StartAsync(new DockerRegistryOptions { Auth = RegistryAuthMode.Token },
            CancellationToken);
        using var pusher = registry.CreatePusher();
        await pusher.PushImageAsync("team/app", "1.0", cancellationToken: CancellationToken);
        using var http = registry.CreateHttpClient();

        using var refused = await http.GetAsync("v2/_catalog", CancellationToken);
        refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var challenge = Challenge(refused);
        challenge["scope"].ShouldBe("registry:catalog:*");

        var token = await FetchTokenAsync(http, challenge, registry.Credentials!);
        using var request = new HttpRequestMessage(HttpMethod.Get, "v2/_catalog");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        Strings(await response.Content.ReadFromJsonAsync<JsonElement>(CancellationToken), "repositories").ShouldBe(["team/app"]);
        registry.TokenServer!.RequestedScopes.ShouldBe(["registry:catalog:*"]);
    }

    [Fact]
    public async Task TokenServerRefusesWrongOrMissingCredentials()
    {
        await using var registry = await DockerRegistryServer.StartAsync(new DockerRegistryOptions { Auth = RegistryAuthMode.Token },
            CancellationToken);
        var tokens = registry.TokenServer!;
        using var http = new HttpClient();
        var url = $"{tokens.Realm}?service={Uri.EscapeDataString(tokens.Service)}&scope={Uri.EscapeDataString("repository:team/app:pull")}";

        using var wrong = new HttpRequestMessage(HttpMethod.Get, url);
        wrong.Headers.Authorization = Basic(registry.Credentials!.Username, "wrong");
        using var wrongResponse = await http.SendAsync(wrong, CancellationToken);
        wrongResponse.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        wrongResponse.Headers.WwwAuthenticate.Single().Scheme.ShouldBe("Basic");

        (await GetStatusAsync(http, url)).ShouldBe(HttpStatusCode.Unauthorized);

        tokens.TokensIssued.ShouldBe(0);
        tokens.Requests.Select(r => (r.Username, r.Issued)).ShouldBe([(registry.Credentials.Username, false), (null, false)]);
    }

    [Fact]
    public async Task TokenServerCanGiveAnonymousClientsPullOnlyTokens()
    {
        await using var registry = await DockerRegistryServer.StartAsync(
            new DockerRegistryOptions { Auth = RegistryAuthMode.Token, AllowAnonymousPull = true }, CancellationToken);
        using var pusher = registry.CreatePusher();
        var digest = await pusher.PushImageAsync("team/app", "1.0", cancellationToken: CancellationToken);
        var tokens = registry.TokenServer!;
        using var http = registry.CreateHttpClient();

        var url = $"{tokens.Realm}?service={Uri.EscapeDataString(tokens.Service)}&scope={Uri.EscapeDataString("repository:team/app:pull,push")}";
        var body = await http.GetFromJsonAsync<JsonElement>(url, CancellationToken);
        var token = new AuthenticationHeaderValue("Bearer", body.GetProperty("token").GetString());

        (await GetManifestAsync(http, "team/app", "1.0", token)).Digest.ShouldBe(digest);
        using var upload = new HttpRequestMessage(HttpMethod.Post, "v2/team/app/blobs/uploads/");
        upload.Headers.Authorization = token;
        using var refused = await http.SendAsync(upload, CancellationToken);
        refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "an anonymous token carries pull only, whatever was asked");
        Challenge(refused)["error"].ShouldBe("insufficient_scope");
        var request = tokens.Requests.ShouldHaveSingleItem();
        request.Username.ShouldBeNull();
        request.Scopes.ShouldBe(["repository:team/app:pull,push"]);
        request.Issued.ShouldBeTrue();
    }

    private static async Task<(string MediaType, string Digest, JsonElement Manifest)> GetManifestAsync(HttpClient http,
        string repository, string reference, AuthenticationHeaderValue? authorization = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"v2/{repository}/manifests/{reference}");
        request.Headers.Accept.ParseAdd(RegistryMediaTypes.AllManifests);
        request.Headers.Authorization = authorization;
        using var response = await http.SendAsync(request, CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var bytes = await response.Content.ReadAsByteArrayAsync(CancellationToken);
        var digest = response.Headers.GetValues("Docker-Content-Digest").Single();
        digest.ShouldBe(RegistryDigest.Of(bytes));
        return (response.Content.Headers.ContentType!.MediaType!, digest, JsonDocument.Parse(bytes).RootElement.Clone());
    }

    private static async Task<HttpStatusCode> GetStatusAsync(HttpClient http, string url, AuthenticationHeaderValue? authorization = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.ParseAdd(RegistryMediaTypes.AllManifests);
        request.Headers.Authorization = authorization;
        using var response = await http.SendAsync(request, CancellationToken);
        return response.StatusCode;
    }

    // What a registry client does with a Bearer challenge: ask the realm for the service and scope, with credentials.
    private static async Task<string> FetchTokenAsync(HttpClient http, IReadOnlyDictionary<string, string> challenge,
        RegistryCredentials credentials)
    {
        var url = $"{challenge["realm"]}?service={Uri.EscapeDataString(challenge["service"])}&scope={Uri.EscapeDataString(challenge["scope"])}";
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = Basic(credentials.Username, credentials.Password);
        using var response = await http.SendAsync(request, CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(CancellationToken);
        body.GetProperty("expires_in").GetInt32().ShouldBe(300);
        body.GetProperty("access_token").GetString().ShouldBe(body.GetProperty("token").GetString());
        return body.GetProperty("token").GetString()!;
    }

    private static Dictionary<string, string> Challenge(HttpResponseMessage response)
    {
        var header = response.Headers.WwwAuthenticate.Single();
        header.Scheme.ShouldBe("Bearer");
        return ChallengeParameter().Matches(header.Parameter!).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
    }

    [GeneratedRegex("""(\w+)="([^"]*)"(?:,|$)""")]
    private static partial Regex ChallengeParameter();

    private static AuthenticationHeaderValue Basic(string username, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}")));

    private static List<string?> Strings(JsonElement element, string property) =>
        [.. element.GetProperty(property).EnumerateArray().Select(e => e.GetString())];

    private static string Platform(JsonElement element) =>
        element.TryGetProperty("variant", out var variant)
            ? $"{element.GetProperty("os").GetString()}/{element.GetProperty("architecture").GetString()}/{variant.GetString()}"
            : $"{element.GetProperty("os").GetString()}/{element.GetProperty("architecture").GetString()}";

    private static byte[] Gunzip(byte[] gzip)
    {
        using var output = new MemoryStream();
        using (var decompressor = new GZipStream(new MemoryStream(gzip), CompressionMode.Decompress))
        {
            decompressor.CopyTo(output);
        }

        return output.ToArray();
    }
}
