using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Portal.Tests.TestInfrastructure.Registry;

/// <summary>
/// Seeds a <see cref="DockerRegistryServer"/> by speaking the distribution HTTP API directly: blob uploads (monolithic,
/// with cross-repository mounts), manifest pushes, tags and deletes, plus helpers that build whole images in OCI or
/// Docker media types. Authenticates as the registry requires; in token mode it mints its tokens in process, so the
/// token server's counters only show what the client under test did.
/// <para>Every manifest pushed is kept byte for byte (<see cref="GetPushedManifest"/>), so tests can compare digests.</para>
/// </summary>
public sealed class RegistryImagePusher : IDisposable
{
    private readonly DockerRegistryServer _registry;
    private readonly HttpClient _http;
    private readonly ConcurrentDictionary<string, string> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Repository, string Digest), PushedManifest> _pushed = new();

    public RegistryImagePusher(DockerRegistryServer registry)
    {
        _registry = registry;
        // Seeding opens many requests at once (PushManyAsync); the default pool is unbounded, which is what we want.
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>All manifests pushed so far, in no particular order.</summary>
    public IReadOnlyCollection<PushedManifest> PushedManifests => [.. _pushed.Values];

    /// <summary>The manifest pushed to <paramref name="repository"/> with <paramref name="digest"/>, exactly as sent.</summary>
    public PushedManifest GetPushedManifest(string repository, string digest) =>
        _pushed.TryGetValue((repository, digest), out var manifest)
            ? manifest
            : throw new KeyNotFoundException($"No manifest {digest} was pushed to {repository} by this pusher.");

    /// <summary>
    /// Pushes one image (layers, config, manifest) and tags it; a null <paramref name="tag"/> pushes it by digest only
    /// (an untagged manifest). Returns the manifest digest ("sha256:...").
    /// </summary>
    public async Task<string> PushImageAsync(string repository, string? tag, ImageSpec? spec = null,
        CancellationToken cancellationToken = default) =>
        (await PushImageCoreAsync(repository, tag, spec ?? new ImageSpec(), cancellationToken)).Digest;

    /// <summary>
    /// Pushes one image per platform ("linux/amd64", "linux/arm64/v8", ...) by digest, then an OCI index or Docker
    /// manifest list referencing them with <c>platform</c> objects, tagged <paramref name="tag"/>.
    /// </summary>
    public async Task<MultiArchImage> PushMultiArchAsync(string repository, string tag, MediaTypeStyle style,
        IReadOnlyList<string> platforms, ImageSpec? template = null, CancellationToken cancellationToken = default)
    {
        if (platforms.Count == 0)
        {
            throw new ArgumentException("At least one platform is needed.", nameof(platforms));
        }

        template = (template ?? new ImageSpec()) with { Style = style };
        var content = template.Content ?? Guid.NewGuid().ToString("N");
        var children = new List<(PushedManifest Manifest, ImageSpec Spec)>();
        foreach (var platform in platforms)
        {
            var spec = template.WithPlatform(platform) with { Content = $"{content}/{platform}" };
            children.Add((await PushImageCoreAsync(repository, reference: null, spec, cancellationToken), spec));
        }

        var mediaType = RegistryMediaTypes.Index(style);
        var digest = await PushManifestAsync(repository, tag, ImageBlobs.Index(style, children), mediaType, cancellationToken);
        return new MultiArchImage(digest, mediaType,
            [.. children.Select(child => new PlatformImage(child.Spec.Platform, child.Manifest.Digest))]);
    }

    /// <summary>
    /// Points <paramref name="newTag"/> at an existing manifest by pushing the same bytes under the new tag (what
    /// <c>docker tag</c> + <c>push</c> does). Uses the bytes this pusher sent, or fetches them if another client pushed it.
    /// </summary>
    public async Task TagAsync(string repository, string existingDigest, string newTag, CancellationToken cancellationToken = default)
    {
        var (bytes, mediaType) = _pushed.TryGetValue((repository, existingDigest), out var known)
            ? (known.Bytes, known.MediaType)
            : await FetchManifestAsync(repository, existingDigest, cancellationToken);
        var digest = await PushManifestAsync(repository, newTag, bytes, mediaType, cancellationToken);
        if (digest != existingDigest)
        {
            throw new InvalidOperationException($"Tagging {existingDigest} as {newTag} produced {digest}.");
        }
    }

    /// <summary>
    /// Deletes a manifest by digest. Registry 2.8 cannot delete a tag alone: deleting the manifest removes every tag
    /// pointing at it. To delete "one tag" in a test, push a distinct manifest per tag.
    /// </summary>
    public async Task DeleteManifestAsync(string repository, string digest, CancellationToken cancellationToken = default)
    {
        using var request = Request(HttpMethod.Delete, $"/v2/{repository}/manifests/{digest}", repository);
        using var response = await _http.SendAsync(request, cancellationToken);
        await EnsureStatusAsync(response, $"DELETE manifest {repository}@{digest}", HttpStatusCode.Accepted, cancellationToken);
    }

    /// <summary>
    /// Pushes <paramref name="tagsPerRepository"/> tags into each of <paramref name="repositoryCount"/> repositories
    /// named "{namePrefix}0000", "{namePrefix}0001", ..., over the API, for benchmarks. Every tag has its own config
    /// (so its own manifest digest); the single small layer is uploaded once and mounted into the other repositories.
    /// Three requests per tag (the registry takes a few ms for each): about 45 s for 500 × 20 on a busy 2-core machine;
    /// see <see cref="WriteManyToStorage"/> for large seeds.
    /// </summary>
    public Task<IReadOnlyList<PushedTag>> PushManyAsync(int repositoryCount, int tagsPerRepository, int concurrency = 8,
        string namePrefix = "bench/repo-", CancellationToken cancellationToken = default) =>
        PushManyAsync(BenchmarkRepositories(repositoryCount, namePrefix), tagsPerRepository, concurrency, cancellationToken);

    /// <summary>As the other overload, into the given repositories; tags are "1.0.0", "1.0.1", ....</summary>
    public async Task<IReadOnlyList<PushedTag>> PushManyAsync(IReadOnlyList<string> repositories, int tagsPerRepository,
        int concurrency = 8, CancellationToken cancellationToken = default)
    {
        if (repositories.Count == 0)
        {
            return [];
        }

        var seed = BenchmarkSeed.Create(tagsPerRepository);
        await PushBlobAsync(repositories[0], seed.Layer, cancellationToken);
        var pushed = new ConcurrentBag<PushedTag>();
        await Parallel.ForEachAsync(repositories,
            new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (repository, token) =>
            {
                if (repository != repositories[0])
                {
                    await MountOrPushBlobAsync(repository, seed.Layer, repositories[0], token);
                }

                for (var i = 0; i < tagsPerRepository; i++)
                {
                    var (tag, config, manifest) = seed.Image(repository, i);
                    await UploadBlobAsync(repository, config, token);
                    var digest = await PushManifestAsync(repository, tag, manifest, RegistryMediaTypes.OciManifest, token);
                    pushed.Add(new PushedTag(repository, tag, digest));
                }
            });
        return Sorted(pushed);
    }

    /// <summary>
    /// Writes the same images <see cref="PushManyAsync(int, int, int, string, CancellationToken)"/> would push straight
    /// into the registry's storage directory, in the layout of distribution's filesystem driver (blobs/sha256/..,
    /// repositories/NAME/_layers, _manifests/revisions, _manifests/tags/TAG/{current,index}): 500 × 20 tags take about
    /// 2 s this way against 45 s over the API, for benchmarks that need thousands of tags. The running registry serves
    /// them at once: it is configured without a cache and reads storage on every request. Seed before the code under
    /// test starts reading.
    /// </summary>
    public IReadOnlyList<PushedTag> WriteManyToStorage(int repositoryCount, int tagsPerRepository, string namePrefix = "bench/repo-",
        CancellationToken cancellationToken = default)
    {
        var root = Path.Combine(_registry.StorageDirectory, "docker", "registry", "v2");
        var seed = BenchmarkSeed.Create(tagsPerRepository);
        WriteBlob(root, seed.Layer.Bytes);
        var pushed = new ConcurrentBag<PushedTag>();
        Parallel.ForEach(BenchmarkRepositories(repositoryCount, namePrefix),
            new ParallelOptions { CancellationToken = cancellationToken },
            repository =>
            {
                var repositoryRoot = Path.Combine(root, "repositories", repository);
                WriteLink(Path.Combine(repositoryRoot, "_layers"), seed.Layer.Digest);
                for (var i = 0; i < tagsPerRepository; i++)
                {
                    var (tag, config, manifest) = seed.Image(repository, i);
                    WriteBlob(root, config.Bytes);
                    WriteLink(Path.Combine(repositoryRoot, "_layers"), config.Digest);
                    var digest = WriteBlob(root, manifest);
                    WriteLink(Path.Combine(repositoryRoot, "_manifests", "revisions"), digest);
                    var tagRoot = Path.Combine(repositoryRoot, "_manifests", "tags", tag);
                    WriteLink(Path.Combine(tagRoot, "index"), digest);
                    WriteLinkFile(Path.Combine(tagRoot, "current", "link"), digest);
                    _pushed.TryAdd((repository, digest), Describe(repository, digest, RegistryMediaTypes.OciManifest, manifest));
                    pushed.Add(new PushedTag(repository, tag, digest));
                }
            });
        return Sorted(pushed);
    }

    /// <summary>Uploads a blob unless the repository already has it. Returns its digest.</summary>
    public async Task<string> PushBlobAsync(string repository, ImageBlob blob, CancellationToken cancellationToken = default)
    {
        using (var head = Request(HttpMethod.Head, $"/v2/{repository}/blobs/{blob.Digest}", repository))
        using (var response = await _http.SendAsync(head, cancellationToken))
        {
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return blob.Digest;
            }
        }

        await UploadBlobAsync(repository, blob, cancellationToken);
        return blob.Digest;
    }

    /// <summary>
    /// Links a blob another repository already has (<c>POST .../blobs/uploads/?mount=DIGEST&amp;from=OTHER</c>); if the
    /// registry declines the mount it opens an upload instead, and the blob is uploaded.
    /// </summary>
    public async Task MountOrPushBlobAsync(string repository, ImageBlob blob, string fromRepository,
        CancellationToken cancellationToken = default)
    {
        using var request = Request(HttpMethod.Post,
            $"/v2/{repository}/blobs/uploads/?mount={Uri.EscapeDataString(blob.Digest)}&from={Uri.EscapeDataString(fromRepository)}",
            repository, alsoPull: fromRepository);
        using var response = await _http.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Created)
        {
            return;
        }

        await EnsureStatusAsync(response, $"mount {blob.Digest} from {fromRepository} into {repository}", HttpStatusCode.Accepted, cancellationToken);
        await CompleteUploadAsync(repository, response, blob, cancellationToken);
    }

    /// <summary>
    /// Pushes manifest bytes under a tag or digest reference with the given Content-Type and checks the registry's
    /// <c>Docker-Content-Digest</c> equals the SHA-256 of the bytes. Returns the digest.
    /// </summary>
    public async Task<string> PushManifestAsync(string repository, string reference, ReadOnlyMemory<byte> manifest,
        string mediaType, CancellationToken cancellationToken = default)
    {
        var digest = RegistryDigest.Of(manifest.Span);
        using var request = Request(HttpMethod.Put, $"/v2/{repository}/manifests/{reference}", repository);
        request.Content = new ReadOnlyMemoryContent(manifest);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        using var response = await _http.SendAsync(request, cancellationToken);
        await EnsureStatusAsync(response, $"PUT manifest {repository}:{reference}", HttpStatusCode.Created, cancellationToken);
        var answered = response.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.Single() : null;
        if (answered != digest)
        {
            throw new InvalidOperationException($"The registry stored {repository}:{reference} as {answered}, but its bytes hash to {digest}.");
        }

        _pushed.TryAdd((repository, digest), Describe(repository, digest, mediaType, manifest));
        return digest;
    }

    public void Dispose() => _http.Dispose();

    private async Task<PushedManifest> PushImageCoreAsync(string repository, string? reference, ImageSpec spec,
        CancellationToken cancellationToken)
    {
        if (spec.LayerCount < 1 && spec.Layers is null)
        {
            throw new ArgumentException("An image needs at least one layer.", nameof(spec));
        }

        var content = spec.Content ?? Guid.NewGuid().ToString("N");
        var layers = spec.Layers?.Select(l => (l.Layer, l.DiffId)).ToList() ?? Enumerable.Range(0, spec.LayerCount)
            .Select(i => ImageBlobs.Layer(spec.Style, content, i, spec.LayerPaddingBytes))
            .ToList();
        // Builders write whole seconds; a fractional "now" would look odd next to real images.
        var created = spec.Created ?? DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var config = ImageBlobs.Config(spec, created, [.. layers.Select(l => l.DiffId)]);
        await Task.WhenAll(layers.Select(l => l.Layer).Append(config).Select(blob => PushBlobAsync(repository, blob, cancellationToken)));

        var manifest = ImageBlobs.Manifest(spec.Style, config, [.. layers.Select(l => l.Layer)], spec.ManifestAnnotations);
        var digest = RegistryDigest.Of(manifest);
        await PushManifestAsync(repository, reference ?? digest, manifest, RegistryMediaTypes.Manifest(spec.Style), cancellationToken);
        return _pushed[(repository, digest)];
    }

    // A monolithic upload: POST opens the upload session, PUT to its Location with ?digest= sends the bytes and
    // closes it. The registry may answer with an absolute or a relative Location; both resolve against the base URL.
    private async Task UploadBlobAsync(string repository, ImageBlob blob, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Post, $"/v2/{repository}/blobs/uploads/", repository);
        using var response = await _http.SendAsync(request, cancellationToken);
        await EnsureStatusAsync(response, $"start upload to {repository}", HttpStatusCode.Accepted, cancellationToken);
        await CompleteUploadAsync(repository, response, blob, cancellationToken);
    }

    private async Task CompleteUploadAsync(string repository, HttpResponseMessage started, ImageBlob blob,
        CancellationToken cancellationToken)
    {
        var location = started.Headers.Location
            ?? throw new InvalidOperationException($"The registry opened an upload to {repository} without a Location.");
        var url = new Uri(new Uri(_registry.BaseUrl), location).ToString();
        url += (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "digest=" + Uri.EscapeDataString(blob.Digest);

        using var request = Request(HttpMethod.Put, url, repository);
        request.Content = new ByteArrayContent(blob.Bytes);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await _http.SendAsync(request, cancellationToken);
        await EnsureStatusAsync(response, $"upload {blob.Digest} to {repository}", HttpStatusCode.Created, cancellationToken);
    }

    private async Task<(ReadOnlyMemory<byte> Bytes, string MediaType)> FetchManifestAsync(string repository, string digest,
        CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Get, $"/v2/{repository}/manifests/{digest}", repository);
        request.Headers.Accept.ParseAdd(RegistryMediaTypes.AllManifests);
        using var response = await _http.SendAsync(request, cancellationToken);
        await EnsureStatusAsync(response, $"GET manifest {repository}@{digest}", HttpStatusCode.OK, cancellationToken);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return (bytes, response.Content.Headers.ContentType?.MediaType
            ?? throw new InvalidOperationException($"Manifest {repository}@{digest} came without a Content-Type."));
    }

    // Requests carry the credentials the registry wants: basic auth as configured, or a token this pusher minted for
    // exactly the repositories it touches (pull, push and delete; pull on the source of a mount).
    private HttpRequestMessage Request(HttpMethod method, string pathOrUrl, string repository, string? alsoPull = null)
    {
        var request = new HttpRequestMessage(method, new Uri(new Uri(_registry.BaseUrl), pathOrUrl));
        switch (_registry.AuthMode)
        {
            case RegistryAuthMode.Basic:
                var credentials = _registry.Credentials!;
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                    Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credentials.Username}:{credentials.Password}")));
                break;
            case RegistryAuthMode.Token:
                var token = _tokens.GetOrAdd($"{repository}|{alsoPull}", _ =>
                {
                    List<TokenAccess> access = [new("repository", repository, ["pull", "push", "delete"])];
                    if (alsoPull is not null)
                    {
                        access.Add(new TokenAccess("repository", alsoPull, ["pull"]));
                    }

                    return _registry.TokenServer!.CreateToken("registry-image-pusher", access, TimeSpan.FromHours(2));
                });
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                break;
            case RegistryAuthMode.Anonymous:
                break;
        }

        return request;
    }

    private static async Task EnsureStatusAsync(HttpResponseMessage response, string what, HttpStatusCode expected,
        CancellationToken cancellationToken)
    {
        if (response.StatusCode != expected)
        {
            // The registry explains itself in a JSON error body ({"errors":[{"code":"MANIFEST_BLOB_UNKNOWN",...}]}).
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new InvalidOperationException($"{what}: expected {(int)expected}, got {(int)response.StatusCode}. {body}");
        }
    }

    // Reads back what a manifest references, so images, indexes and manifests pushed as raw bytes are described alike.
    private static PushedManifest Describe(string repository, string digest, string mediaType, ReadOnlyMemory<byte> bytes)
    {
        using var document = JsonDocument.Parse(bytes);
        var root = document.RootElement;
        string? config = root.TryGetProperty("config", out var c) && c.TryGetProperty("digest", out var d) ? d.GetString() : null;
        return new PushedManifest(repository, digest, mediaType, bytes.ToArray(), config,
            DigestsOf(root, "layers"), DigestsOf(root, "manifests"));
    }

    private static List<string> DigestsOf(JsonElement root, string property) =>
        root.TryGetProperty(property, out var array) && array.ValueKind == JsonValueKind.Array
            ? [.. array.EnumerateArray().Select(e => e.GetProperty("digest").GetString()!)]
            : [];

    private static List<string> BenchmarkRepositories(int count, string namePrefix) =>
        [.. Enumerable.Range(0, count).Select(i => $"{namePrefix}{i:D4}")];

    private static List<PushedTag> Sorted(IEnumerable<PushedTag> pushed) =>
        [.. pushed.OrderBy(p => p.Repository, StringComparer.Ordinal).ThenBy(p => p.Tag, StringComparer.Ordinal)];

    // blobs/sha256/AB/ABCDEF.../data, the content-addressed store shared by all repositories.
    private static string WriteBlob(string root, byte[] bytes)
    {
        var digest = RegistryDigest.Of(bytes);
        var hex = digest["sha256:".Length..];
        var path = Path.Combine(root, "blobs", "sha256", hex[..2], hex, "data");
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, bytes);
        }

        return digest;
    }

    // DIRECTORY/sha256/HEX/link holding the digest: how a repository says it has a blob or a manifest revision.
    private static void WriteLink(string directory, string digest) =>
        WriteLinkFile(Path.Combine(directory, "sha256", digest["sha256:".Length..], "link"), digest);

    private static void WriteLinkFile(string path, string digest)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, digest);  // no newline, as the registry writes it
    }

    /// <summary>The images PushManyAsync and WriteManyToStorage create: one shared layer, a config per tag.</summary>
    private sealed record BenchmarkSeed(ImageBlob Layer, string DiffId, DateTimeOffset BaseTime, int TagsPerRepository)
    {
        public static BenchmarkSeed Create(int tagsPerRepository)
        {
            var (layer, diffId) = ImageBlobs.Layer(MediaTypeStyle.Oci, "portal benchmark layer", 0);
            // A fixed start, so the same repositories and tags give the same digests in every run and either way of seeding.
            return new BenchmarkSeed(layer, diffId, new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero), tagsPerRepository);
        }

        public (string Tag, ImageBlob Config, byte[] Manifest) Image(string repository, int index)
        {
            var tag = $"1.0.{index}";
            var spec = new ImageSpec
            {
                // The labels hold repository and tag, so every config, and with it every manifest digest, is distinct.
                Labels = new Dictionary<string, string>
                {
                    ["org.opencontainers.image.version"] = tag,
                    ["org.opencontainers.image.title"] = repository,
                },
            };
            // Later tags were "built" later, one hour apart, as a real release history would be.
            var config = ImageBlobs.Config(spec, BaseTime.AddHours(index), [DiffId]);
            return (tag, config, ImageBlobs.Manifest(MediaTypeStyle.Oci, config, [Layer]));
        }
    }
}
