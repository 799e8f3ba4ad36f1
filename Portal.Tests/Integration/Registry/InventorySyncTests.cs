using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Inventory;
using Portal.Core.Jobs;
using Portal.Data;
using Portal.Features.Inventory;
using Portal.Tests.TestInfrastructure;
using Portal.Tests.TestInfrastructure.Registry;

namespace Portal.Tests.Integration.Registry;

/// <summary>The inventory sync against a real docker-registry on loopback, through the portal's real services.</summary>
public sealed class InventorySyncTests : IAsyncLifetime
{
    private static readonly DateTimeOffset V1Created = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private DockerRegistryServer _registry = null!;
    private PortalAppFactory _portal = null!;
    private RegistryImagePusher _pusher = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _registry = await DockerRegistryServer.StartAsync(cancellationToken: Ct);
        _pusher = _registry.CreatePusher();
        // A small page size so that paging is exercised by every test, not only the paging test.
        _portal = PortalAppFactory.WithSettings(new Dictionary<string, string?> { ["Registries:PageSize"] = "3" });
    }

    public async ValueTask DisposeAsync()
    {
        _pusher.Dispose();
        await _portal.DisposeAsync();
        await _registry.DisposeAsync();
    }

    [Fact]
    public async Task SyncStoresSingleAndMultiPlatformImagesInOciAndDockerMediaTypesWithLabels()
    {
        var labels = new Dictionary<string, string> { ["deploymenttype"] = "prod", ["org.opencontainers.image.title"] = "jupyterlab-cpu" };
        var ociDigest = await _pusher.PushImageAsync("aaw/jupyterlab-cpu", "v1",
            new ImageSpec { Style = MediaTypeStyle.Oci, Created = V1Created, Labels = labels, LayerCount = 2 }, Ct);
        var dockerDigest = await _pusher.PushImageAsync("platform/notebook-controller", "1.9.0",
            new ImageSpec { Style = MediaTypeStyle.Docker, Created = V1Created.AddDays(10) }, Ct);
        var ociIndex = await _pusher.PushMultiArchAsync("aaw/jupyterlab-gpu", "v2", MediaTypeStyle.Oci, ["linux/amd64", "linux/arm64/v8"],
            new ImageSpec { Created = V1Created.AddDays(20), Labels = labels }, Ct);
        var dockerList = await _pusher.PushMultiArchAsync("users/alice/custom", "latest", MediaTypeStyle.Docker, ["linux/amd64", "linux/arm/v7"],
            cancellationToken: Ct);
        var registryId = await AddRegistryAsync();

        var summary = await SyncAsync(registryId, SyncMode.Incremental);

        summary.Repositories.ShouldBe(4);
        summary.Tags.ShouldBe(4);
        summary.NewImages.ShouldBe(8, "4 tagged images, 4 platform children");
        await using var db = await ContextAsync();
        var oci = await ImageAsync(db, "aaw/jupyterlab-cpu", ociDigest);
        oci.Kind.ShouldBe(ImageKind.Image);
        oci.MediaType.ShouldBe("application/vnd.oci.image.manifest.v1+json");
        oci.Created.ShouldBe(V1Created);
        oci.Labels.ShouldBe(labels, ignoreOrder: true);
        oci.Platform.ShouldBe("linux/amd64");
        oci.Layers.Count.ShouldBe(2);
        oci.TotalSize.ShouldBe(oci.Layers.Sum(l => l.Size) + ConfigSize(ociDigest, "aaw/jupyterlab-cpu"));
        (await ImageAsync(db, "platform/notebook-controller", dockerDigest)).MediaType.ShouldBe("application/vnd.docker.distribution.manifest.v2+json");

        var index = await ImageAsync(db, "aaw/jupyterlab-gpu", ociIndex.Digest);
        index.Kind.ShouldBe(ImageKind.Index);
        index.Created.ShouldBe(V1Created.AddDays(20));
        index.Labels["deploymenttype"].ShouldBe("prod");
        var children = await db.Images.Where(i => i.ParentId == index.Id).OrderBy(i => i.Platform).ToListAsync(Ct);
        children.Select(c => c.Platform).ShouldBe(["linux/amd64", "linux/arm64/v8"]);
        children.Select(c => c.Digest).ShouldBe(ociIndex.Children.Select(c => c.Digest), ignoreOrder: true);

        var list = await ImageAsync(db, "users/alice/custom", dockerList.Digest);
        list.MediaType.ShouldBe("application/vnd.docker.distribution.manifest.list.v2+json");
        (await db.Images.CountAsync(i => i.ParentId == list.Id, Ct)).ShouldBe(2);
        var tag = await db.Tags.SingleAsync(t => t.Name == "v1", Ct);
        tag.ImageId.ShouldBe(oci.Id);
    }

    [Fact]
    public async Task IncrementalSyncOfAnUnchangedRegistryDownloadsNoManifestAndNoticesAMovedTag()
    {
        await _pusher.PushImageAsync("aaw/jupyterlab-cpu", "v1", new ImageSpec { Content = "one" }, Ct);
        await _pusher.PushImageAsync("aaw/jupyterlab-cpu", "v2", new ImageSpec { Content = "two" }, Ct);
        await _pusher.PushMultiArchAsync("aaw/jupyterlab-gpu", "v1", MediaTypeStyle.Oci, ["linux/amd64", "linux/arm64"], cancellationToken: Ct);
        var registryId = await AddRegistryAsync();
        var first = await SyncAsync(registryId, SyncMode.Incremental);

        var unchanged = await SyncAsync(registryId, SyncMode.Incremental);
        var moved = await _pusher.PushImageAsync("aaw/jupyterlab-cpu", "v1", new ImageSpec { Content = "one, rebuilt" }, Ct);
        var afterMove = await SyncAsync(registryId, SyncMode.Incremental);
        var full = await SyncAsync(registryId, SyncMode.Full);

        first.ManifestDownloads.ShouldBe(5, "3 tags and 2 platform children");
        unchanged.ManifestDownloads.ShouldBe(0);
        unchanged.UnchangedTags.ShouldBe(3);
        unchanged.NewImages.ShouldBe(0);
        afterMove.ManifestDownloads.ShouldBe(1);
        afterMove.NewImages.ShouldBe(1);
        full.ManifestDownloads.ShouldBe(3, "a full sync reads every tag again but not known platform children");
        full.NewImages.ShouldBe(0);
        await using var db = await ContextAsync();
        var v1 = await db.Tags.SingleAsync(t => t.Name == "v1" && t.RepositoryId == db.Repositories.Single(r => r.Name == "aaw/jupyterlab-cpu").Id, Ct);
        (await db.Images.SingleAsync(i => i.Id == v1.ImageId, Ct)).Digest.ShouldBe(moved);
        (await db.Images.CountAsync(i => i.GoneAt != null, Ct)).ShouldBe(1, "the image v1 pointed at before is kept as history");
    }

    [Fact]
    public async Task PagesThroughMoreRepositoriesAndTagsThanOnePage()
    {
        for (var i = 0; i < 10; i++)
        {
            await _pusher.PushImageAsync("team/app", $"1.0.{i}", new ImageSpec { Content = $"build {i}" }, Ct);
        }

        for (var i = 0; i < 7; i++)
        {
            await _pusher.PushImageAsync($"team/service-{i}", "latest", new ImageSpec { Content = $"service {i}" }, Ct);
        }

        var summary = await SyncAsync(await AddRegistryAsync(), SyncMode.Incremental);

        summary.Repositories.ShouldBe(8);
        summary.Tags.ShouldBe(17);
        await using var db = await ContextAsync();
        (await db.Tags.Where(t => t.GoneAt == null).Select(t => t.Name).ToListAsync(Ct))
            .Where(n => n.StartsWith("1.0.", StringComparison.Ordinal)).Count().ShouldBe(10);
    }

    [Fact]
    public async Task TagDeletedUpstreamIsMarkedGoneAndKeptAsHistory()
    {
        await _pusher.PushImageAsync("aaw/jupyterlab-cpu", "v1", new ImageSpec { Content = "one" }, Ct);
        var v2 = await _pusher.PushImageAsync("aaw/jupyterlab-cpu", "v2", new ImageSpec { Content = "two" }, Ct);
        var registryId = await AddRegistryAsync();
        await SyncAsync(registryId, SyncMode.Incremental);

        await _pusher.DeleteManifestAsync("aaw/jupyterlab-cpu", v2, Ct);
        var summary = await SyncAsync(registryId, SyncMode.Incremental);

        summary.GoneTags.ShouldBe(1);
        await using var db = await ContextAsync();
        var tag = await db.Tags.SingleAsync(t => t.Name == "v2", Ct);
        tag.GoneAt.ShouldNotBeNull();
        (await db.Images.SingleAsync(i => i.Id == tag.ImageId, Ct)).GoneAt.ShouldNotBeNull();
        (await db.Tags.SingleAsync(t => t.Name == "v1", Ct)).GoneAt.ShouldBeNull();
    }

    [Fact]
    public async Task RegistryStoppedMidSyncLeavesThePreviousInventoryIntact()
    {
        await _pusher.PushImageAsync("a/one", "v1", new ImageSpec { Content = "a" }, Ct);
        await _pusher.PushImageAsync("b/two", "v1", new ImageSpec { Content = "b" }, Ct);
        var registryId = await AddRegistryAsync();
        await SyncAsync(registryId, SyncMode.Incremental);
        var before = await InventoryAsync();
        for (var i = 0; i < 6; i++)
        {
            await _pusher.PushImageAsync($"c/new-{i}", "v1", new ImageSpec { Content = $"c{i}" }, Ct);
        }

        // Stop the registry as soon as the sync reports its first repository done: the rest cannot be read.
        var progress = new StopRegistryOnFirstRepository(_registry);
        var sync = _portal.Services.CreateScope().ServiceProvider.GetRequiredService<InventorySync>();
        var failure = await Should.ThrowAsync<RegistryException>(() => sync.SyncAsync(registryId, SyncMode.Full, progress, Ct));

        failure.Message.ShouldContain("could not be reached");
        progress.Stopped.ShouldBeTrue();
        (await InventoryAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task BearerTokenChallengeIsAnsweredWithTheConfiguredCredentials()
    {
        await using var registry = await DockerRegistryServer.StartAsync(new DockerRegistryOptions { Auth = RegistryAuthMode.Token }, Ct);
        using var pusher = registry.CreatePusher();
        await pusher.PushImageAsync("secure/app", "v1", cancellationToken: Ct);
        var issuedBefore = registry.TokenServer!.RequestedScopes.Count;
        var registryId = await AddRegistryAsync(registry, registry.Credentials!.Username, registry.Credentials.Password);

        var summary = await SyncAsync(registryId, SyncMode.Incremental);

        summary.Tags.ShouldBe(1);
        var scopes = registry.TokenServer.RequestedScopes.Skip(issuedBefore).ToList();
        scopes.ShouldContain("registry:catalog:*");
        scopes.ShouldContain("repository:secure/app:pull");
    }

    [Theory]
    [InlineData(RegistryAuthMode.Token)]
    [InlineData(RegistryAuthMode.Basic)]
    public async Task WrongCredentialsGiveAClearMessageAndStoreNothing(RegistryAuthMode mode)
    {
        await using var registry = await DockerRegistryServer.StartAsync(new DockerRegistryOptions { Auth = mode }, Ct);
        var management = _portal.Services.GetRequiredService<RegistryManagement>();
        var input = new RegistryInput("secure", registry.BaseUrl, registry.Credentials!.Username, "not-the-password", null, true, 2);

        var tested = await management.TestConnectionAsync(null, input, Ct);
        var registryId = await AddRegistryAsync(registry, registry.Credentials.Username, "not-the-password");
        var sync = _portal.Services.CreateScope().ServiceProvider.GetRequiredService<InventorySync>();
        var failure = await Should.ThrowAsync<RegistryAuthenticationException>(() => sync.SyncAsync(registryId, SyncMode.Incremental, new RecordingProgress(), Ct));

        tested.ShouldStartWith("Failed:");
        tested.ShouldContain($"refused the credentials of '{registry.Credentials.Username}'");
        failure.StatusCode.ShouldBe(401);
        (await InventoryAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task BasicAuthRegistrySyncsWithTheRightPassword()
    {
        await using var registry = await DockerRegistryServer.StartAsync(new DockerRegistryOptions { Auth = RegistryAuthMode.Basic }, Ct);
        using var pusher = registry.CreatePusher();
        await pusher.PushImageAsync("secure/app", "v1", cancellationToken: Ct);

        var summary = await SyncAsync(await AddRegistryAsync(registry, registry.Credentials!.Username, registry.Credentials.Password), SyncMode.Full);

        summary.Tags.ShouldBe(1);
    }

    [Fact]
    public async Task StoredSecretIsEncryptedAndNeverListed()
    {
        var registryId = await AddRegistryAsync(_registry, "robot", "s3cr3t-token");

        await using var db = await ContextAsync();
        var stored = await db.Registries.SingleAsync(r => r.Id == registryId, Ct);
        stored.ProtectedSecret.ShouldNotBeNull().ShouldNotContain("s3cr3t-token");
        var listed = (await _portal.Services.GetRequiredService<RegistryManagement>().ListAsync(Ct)).Single();
        listed.HasSecret.ShouldBeTrue();
        _portal.Services.GetRequiredService<RegistrySecrets>().Unprotect(stored.ProtectedSecret).ShouldBe("s3cr3t-token");
    }

    private long ConfigSize(string manifestDigest, string repository)
    {
        var pushed = _pusher.GetPushedManifest(repository, manifestDigest);
        return Portal.Core.Registry.ManifestParser.Parse(pushed.Bytes.Span, pushed.MediaType).Config!.Size;
    }

    private Task<int> AddRegistryAsync() => AddRegistryAsync(_registry, null, null);

    private async Task<int> AddRegistryAsync(DockerRegistryServer registry, string? username, string? secret)
    {
        var result = await _portal.Services.GetRequiredService<RegistryManagement>().AddAsync(
            new RegistryInput($"local-{registry.Port}", registry.BaseUrl, username, secret, null, AllowInsecure: true, MaxConcurrency: 4),
            "admin@example.org", Ct);
        result.Errors.ShouldBeEmpty();
        return result.Id!.Value;
    }

    private async Task<SyncSummary> SyncAsync(int registryId, SyncMode mode)
    {
        using var scope = _portal.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<InventorySync>().SyncAsync(registryId, mode, new RecordingProgress(), Ct);
    }

    private Task<PortalDbContext> ContextAsync() =>
        _portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);

    private static async Task<ImageManifest> ImageAsync(PortalDbContext db, string repository, string digest) =>
        await db.Images.SingleAsync(i => i.Digest == digest && db.Repositories.Any(r => r.Id == i.RepositoryId && r.Name == repository), Ct);

    /// <summary>Every repository, tag and image as (what, name, digest or target, gone?) rows, to compare before and after.</summary>
    private async Task<List<string>> InventoryAsync()
    {
        await using var db = await ContextAsync();
        var repositories = await db.Repositories.Select(r => $"repository {r.Name} gone={r.GoneAt != null} seen={r.LastSeen.UtcTicks}").ToListAsync(Ct);
        var tags = await db.Tags.Select(t => $"tag {t.RepositoryId}:{t.Name} -> {t.ImageId} gone={t.GoneAt != null} seen={t.LastSeen.UtcTicks}").ToListAsync(Ct);
        var images = await db.Images.Select(i => $"image {i.Digest} gone={i.GoneAt != null} seen={i.LastSeen.UtcTicks}").ToListAsync(Ct);
        return [.. repositories.Order(), .. tags.Order(), .. images.Order()];
    }

    private sealed class StopRegistryOnFirstRepository(DockerRegistryServer registry) : IJobProgress
    {
        public bool Stopped { get; private set; }

        public Task ReportAsync(long current, long? total, CancellationToken cancellationToken)
        {
            if (current >= 1 && !Stopped)
            {
                registry.Stop();
                Stopped = true;
            }

            return Task.CompletedTask;
        }
    }
}
