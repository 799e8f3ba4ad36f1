using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Api;
using Portal.Core.ApiKeys;
using Portal.Core.Jobs;
using Portal.Core.Registry;
using Portal.Data;
using Portal.Features.ApiKeys;
using Portal.Features.Inventory;
using Portal.Tests.TestInfrastructure;
using Portal.Tests.TestInfrastructure.Registry;

namespace Portal.Tests.Integration.Registry;

/// <summary>
/// A real docker-registry sends its push and delete events (<c>notifications.endpoints</c>) to the real portal on
/// Kestrel; incremental syncs then read only the repositories the events named, and check every tag again by HEAD
/// once <c>Inventory:VerifyEvery</c> has passed.
/// </summary>
public sealed class RegistryEventSyncTests : IAsyncLifetime
{
    private const string VerifyEvery = "00:00:03";
    private PortalAppFactory _portal = null!;
    private DockerRegistryServer _registry = null!;
    private RegistryImagePusher _pusher = null!;
    private string _key = null!;
    private int _registryId;
    private Uri _portalUrl = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var portalUrl = _portalUrl = new Uri($"http://127.0.0.1:{LocalServers.FreePort()}/");
        _portal = PortalAppFactory.WithSettings(new Dictionary<string, string?>
        {
            ["urls"] = portalUrl.AbsoluteUri.TrimEnd('/'),
            ["Inventory:VerifyEvery"] = VerifyEvery,
        });
        _portal.UseKestrel();
        _portal.StartServer();
        var created = await _portal.Services.GetRequiredService<ApiKeyManagement>()
            .CreateAsync("registry events", [ApiKeyScopes.RegistryEventsWrite], null, "admin@example.test", Ct);
        _key = created.PlainKey!;

        // The portal's database is new, so the registry added below is number 1: its URL is known before it is added.
        _registry = await DockerRegistryServer.StartAsync(new DockerRegistryOptions
        {
            Notifications = new RegistryNotifications(new Uri(portalUrl, "api/v1/registries/1/events"), $"Bearer {_key}"),
        }, Ct);
        _pusher = _registry.CreatePusher();
        var added = await _portal.Services.GetRequiredService<RegistryManagement>().AddAsync(
            new RegistryInput("events", _registry.BaseUrl, null, null, null, AllowInsecure: true, MaxConcurrency: 4, FollowsEvents: true),
            "admin@example.test", Ct);
        added.Errors.ShouldBeEmpty();
        _registryId = added.Id!.Value;
        _registryId.ShouldBe(1);
    }

    public async ValueTask DisposeAsync()
    {
        _pusher.Dispose();
        await _registry.DisposeAsync();
        await _portal.DisposeAsync();
    }

    [Fact]
    public async Task AfterOneCheckOfEveryTagIncrementalSyncsReadOnlyTheRepositoriesTheRegistryReportedChanged()
    {
        await _pusher.PushImageAsync("team/app", "1.0", new ImageSpec { Content = "app 1.0" }, Ct);
        var doomed = await _pusher.PushImageAsync("team/tool", "old", new ImageSpec { Content = "tool old" }, Ct);
        await _pusher.PushImageAsync("team/tool", "new", new ImageSpec { Content = "tool new" }, Ct);
        await _pusher.PushImageAsync("team/quiet", "1", new ImageSpec { Content = "quiet" }, Ct);
        await WaitForPushEventAsync("team/quiet", "1");

        var first = await SyncAsync();
        first.ChangedRepositories.ShouldBeNull("nothing checked every tag yet, so the first sync reads the whole registry");
        first.Tags.ShouldBe(4);
        (await ChangesAsync()).ShouldBeEmpty("the sync read everything the events named");

        // Nothing changed and nothing was reported: no request is needed, so even a stopped registry does not matter.
        _registry.Stop();
        var quiet = await SyncAsync();
        quiet.ChangedRepositories.ShouldBe(0);
        quiet.Tags.ShouldBe(4);
        quiet.UnchangedTags.ShouldBe(4);
        quiet.GoneTags.ShouldBe(0);
        await _registry.StartAgainAsync(Ct);

        var pushed = await _pusher.PushImageAsync("team/app", "1.1", new ImageSpec { Content = "app 1.1" }, Ct);
        await _pusher.DeleteManifestAsync("team/tool", doomed, Ct);
        // A delete can arrive as more than one event (the manifest, and the tag it had); the registry delivers in order,
        // so once the event of a push after them is in, so are they.
        await _pusher.PushImageAsync("team/app", "1.2", new ImageSpec { Content = "app 1.2" }, Ct);
        await WaitForPushEventAsync("team/app", "1.2");
        var changed = await SyncAsync();

        changed.ChangedRepositories.ShouldBe(2);
        changed.NewImages.ShouldBe(2);
        changed.ManifestDownloads.ShouldBe(2, "team/app's new tags; its known tag and team/tool's are unchanged by HEAD");
        changed.GoneTags.ShouldBe(1);
        changed.Tags.ShouldBe(5);
        await using var db = await ContextAsync();
        var live = await (from tag in db.Tags
                          join repository in db.Repositories on tag.RepositoryId equals repository.Id
                          join image in db.Images on tag.ImageId equals image.Id
                          where tag.GoneAt == null
                          select repository.Name + ":" + tag.Name + "@" + image.Digest).ToListAsync(Ct);
        live.Select(t => t[..t.IndexOf('@', StringComparison.Ordinal)]).ShouldBe(["team/app:1.0", "team/app:1.1", "team/app:1.2", "team/tool:new", "team/quiet:1"],
            ignoreOrder: true);
        live.ShouldContain($"team/app:1.1@{pushed}");
        (await ChangesAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task AChangeWhoseEventWasLostIsFoundOnceTheVerificationIntervalHasPassed()
    {
        await _pusher.PushImageAsync("team/app", "1.0", new ImageSpec { Content = "app 1.0" }, Ct);
        await WaitForPushEventAsync("team/app", "1.0");
        (await SyncAsync()).ChangedRepositories.ShouldBeNull();
        var verifiedAt = DateTimeOffset.UtcNow;

        await _pusher.PushImageAsync("team/app", "1.1", new ImageSpec { Content = "app 1.1" }, Ct);
        await WaitForPushEventAsync("team/app", "1.1");
        // As if the event had never arrived (the portal was down longer than the registry kept retrying).
        await using (var db = await ContextAsync())
        {
            await db.RegistryChanges.ExecuteDeleteAsync(Ct);
        }

        var trusting = await SyncAsync();
        var waited = TimeSpan.Parse(VerifyEvery, System.Globalization.CultureInfo.InvariantCulture) - (DateTimeOffset.UtcNow - verifiedAt);
        if (waited > TimeSpan.Zero)
        {
            await Task.Delay(waited + TimeSpan.FromMilliseconds(200), Ct);
        }

        var verifying = await SyncAsync();

        trusting.ChangedRepositories.ShouldBe(0);
        trusting.Tags.ShouldBe(1, "without its event the new tag is not seen yet");
        verifying.ChangedRepositories.ShouldBeNull("the interval passed, so every tag is checked by HEAD");
        verifying.Tags.ShouldBe(2);
        verifying.NewImages.ShouldBe(1);
        verifying.UnchangedTags.ShouldBe(1);
    }

    [Fact]
    public async Task ARegistryThatDoesNotFollowEventsIsCheckedByHeadEveryTime()
    {
        await _pusher.PushImageAsync("team/app", "1.0", new ImageSpec { Content = "app 1.0" }, Ct);
        await WaitForPushEventAsync("team/app", "1.0");
        var management = _portal.Services.GetRequiredService<RegistryManagement>();
        (await management.UpdateAsync(_registryId,
            new RegistryInput("events", _registry.BaseUrl, null, null, null, AllowInsecure: true, MaxConcurrency: 4, FollowsEvents: false),
            "admin@example.test", Ct)).Errors.ShouldBeEmpty();

        await SyncAsync();
        var second = await SyncAsync();

        second.ChangedRepositories.ShouldBeNull();
        second.UnchangedTags.ShouldBe(1);
    }

    [Fact]
    public async Task TheEventsEndpointWantsAKeyWithItsScopeReadableEventsAndAKnownRegistry()
    {
        // What the registry does: plain HTTP to the portal's listener.
        using var client = new HttpClient { BaseAddress = _portalUrl };
        var envelope = """{"events":[{"action":"push","target":{"mediaType":"application/vnd.oci.image.manifest.v1+json","repository":"team/x","tag":"1","digest":"sha256:""" + new string('a', 64) + "\"}}]}";
        var otherKey = (await _portal.Services.GetRequiredService<ApiKeyManagement>()
            .CreateAsync("reports only", [ApiKeyScopes.ScanReportsWrite], null, "admin@example.test", Ct)).PlainKey!;

        using var missing = await PostAsync(client, 1, envelope, key: null);
        using var wrongScope = await PostAsync(client, 1, envelope, otherKey);
        using var wrongKey = await PostAsync(client, 1, envelope, "igp_not-a-real-key-at-all");
        using var unknownRegistry = await PostAsync(client, 99, envelope, _key);
        using var notJson = await PostAsync(client, 1, "{\"events\":[", _key);
        using var badName = await PostAsync(client, 1, envelope.Replace("team/x", "../../etc", StringComparison.Ordinal), _key);
        using var tooLarge = await PostAsync(client, 1, new string(' ', RegistryEventEndpoints.MaxBodyBytes + 1), _key);

        missing.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        wrongKey.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        wrongScope.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        unknownRegistry.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        notJson.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await notJson.Content.ReadAsStringAsync(Ct)).ShouldContain("not valid JSON");
        notJson.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        badName.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        tooLarge.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await ChangesAsync()).ShouldBeEmpty("nothing is kept from a refused delivery");

        using var accepted = await PostAsync(client, 1, envelope, _key);
        accepted.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var received = await accepted.Content.ReadFromJsonAsync<RegistryEventsReceived>(Ct);
        received.ShouldBe(new RegistryEventsReceived("events", 1, 0));
        (await ChangesAsync()).ShouldBe(["team/x"]);
    }

    [Fact]
    public async Task DeletingARegistryDeletesTheEventsItSent()
    {
        await _pusher.PushImageAsync("team/app", "1.0", new ImageSpec { Content = "app 1.0" }, Ct);
        await WaitForPushEventAsync("team/app", "1.0");

        (await _portal.Services.GetRequiredService<RegistryManagement>().DeleteAsync(_registryId, "admin@example.test", Ct)).ShouldBeTrue();

        (await ChangesAsync()).ShouldBeEmpty();
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, int registryId, string body, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/registries/{registryId}/events")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/vnd.docker.distribution.events.v1+json"),
        };
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return await client.SendAsync(request, Ct);
    }

    /// <summary>
    /// Distribution delivers events on a queue of its own, in order, a moment after the push: waits (bounded) until the
    /// push of <paramref name="repository"/>:<paramref name="tag"/> is in, and with it every event sent before.
    /// </summary>
    private async Task WaitForPushEventAsync(string repository, string tag)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            await using (var db = await ContextAsync())
            {
                if (await db.RegistryChanges.AnyAsync(c => c.Repository == repository && c.Tag == tag && c.Action == RegistryEventAction.Push, Ct))
                {
                    return;
                }
            }

            if (waited.Elapsed > TimeSpan.FromSeconds(20))
            {
                throw new TimeoutException($"The registry sent no event for the push of {repository}:{tag} within 20 s; see {_registry.LogPath}.");
            }

            await Task.Delay(50, Ct);
        }
    }

    private async Task<List<string>> ChangesAsync()
    {
        await using var db = await ContextAsync();
        return await db.RegistryChanges.Select(c => c.Repository).Distinct().ToListAsync(Ct);
    }

    private async Task<SyncSummary> SyncAsync()
    {
        using var scope = _portal.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<InventorySync>().SyncAsync(_registryId, SyncMode.Incremental, new RecordingProgress(), Ct);
    }

    private Task<PortalDbContext> ContextAsync() =>
        _portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
}
