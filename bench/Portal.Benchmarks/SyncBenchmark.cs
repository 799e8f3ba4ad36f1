using System.Diagnostics;
using System.Net.Http.Json;
using Portal.Features.Inventory;
using Portal.Tests.TestInfrastructure.Registry;

namespace Portal.Benchmarks;

/// <summary>The portal's syncs of one run, each with the registry requests and SQL it made.</summary>
/// <param name="Incremental">A no-change incremental sync that checks every tag by HEAD (a registry whose events are not followed).</param>
/// <param name="ByEvents">A no-change incremental sync of the same registry once its events are followed: no event came, so no repository is read.</param>
/// <param name="OneEvent">An incremental sync after an event named one repository (a re-push of a tag it already had): that repository alone is read.</param>
internal sealed record PortalSyncs(
    TimedSync Full, IReadOnlyDictionary<string, int> FullRequests, IReadOnlyDictionary<string, (int Commands, TimeSpan Duration)> FullSql,
    TimedSync Incremental, IReadOnlyDictionary<string, int> IncrementalRequests, IReadOnlyDictionary<string, (int Commands, TimeSpan Duration)> IncrementalSql,
    TimedSync ByEvents, IReadOnlyDictionary<string, int> ByEventsRequests, TimedSync OneEvent, IReadOnlyDictionary<string, int> OneEventRequests);

internal sealed record SyncRun(
    CrawlResult Baseline, IReadOnlyDictionary<string, int> BaselineRequests, CrawlResult HeadBaseline, IReadOnlyDictionary<string, int> HeadBaselineRequests,
    PortalSyncs Portal)
{
    public TimedSync Full => Portal.Full;
    public TimedSync Incremental => Portal.Incremental;
    public TimedSync ByEvents => Portal.ByEvents;
    public TimedSync OneEvent => Portal.OneEvent;
}

internal sealed record SyncResults(TimeSpan PushTime, int PushedTags, IReadOnlyList<SyncRun> Runs, IReadOnlyList<SyncMemory> Memory,
    IReadOnlyList<(string Type, long Bytes)> Allocations);

/// <summary>
/// Full and no-change incremental syncs of a real docker-registry holding repositories x tags distinct images, each
/// set beside the plain HttpClient loop that makes the same requests, plus the memory probe.
/// </summary>
internal sealed class SyncBenchmark(BenchmarkOptions options, TextWriter log)
{
    // The page size the portal ships with (Registries:PageSize); the baseline pages the same way.
    private const int PageSize = 1_000;

    public async Task<SyncResults> RunAsync(CancellationToken cancellationToken)
    {
        await using var registry = await DockerRegistryServer.StartAsync(cancellationToken: cancellationToken);
        await using var warmup = await DockerRegistryServer.StartAsync(cancellationToken: cancellationToken);

        await Log($"Pushing {options.Repositories} repositories x {options.TagsPerRepository} tags = {Stats.Number(options.TotalTags)} distinct images "
            + $"into docker-registry at {registry.BaseUrl} ({options.Concurrency} at a time)...");
        var clock = Stopwatch.StartNew();
        IReadOnlyList<PushedTag> pushed;
        using (var pusher = registry.CreatePusher())
        {
            pushed = await pusher.PushManyAsync(options.Repositories, options.TagsPerRepository, options.Concurrency, "bench/repo-", cancellationToken);
        }

        var pushTime = clock.Elapsed;
        await Log($"Pushed {Stats.Number(pushed.Count)} tags in {Stats.Seconds(pushTime)} ({pushed.Count / pushTime.TotalSeconds:0} tags/s).");
        using (var pusher = warmup.CreatePusher())
        {
            await pusher.PushManyAsync(10, 5, options.Concurrency, "warmup/repo-", cancellationToken);
        }

        // Warm-up on a small registry of its own: JIT, EF's model, connection pools; nothing of it is reported.
        await Log("Warm-up: baseline loop and full + incremental sync of a 10 x 5 registry...");
        await RunOnceAsync(warmup, baselineFirst: true, cancellationToken);

        var runs = new List<SyncRun>();
        for (var i = 0; i < options.Runs; i++)
        {
            // Alternate which goes first, so neither always meets a registry the other has just warmed.
            var run = await RunOnceAsync(registry, baselineFirst: i % 2 == 0, cancellationToken);
            runs.Add(run);
            await Log($"Run {i + 1}/{options.Runs}: baseline loop {Stats.Seconds(run.Baseline.Elapsed)} (HEAD loop {Stats.Seconds(run.HeadBaseline.Elapsed)}), "
                + $"full sync {Stats.Seconds(run.Full.Elapsed)} (read {Stats.Seconds(run.Full.ReadPhase)}, apply {Stats.Seconds(run.Full.ApplyPhase)}), "
                + $"incremental {Stats.Seconds(run.Incremental.Elapsed)} (read {Stats.Seconds(run.Incremental.ReadPhase)}, apply {Stats.Seconds(run.Incremental.ApplyPhase)}), "
                + $"by events {Stats.Seconds(run.ByEvents.Elapsed)}, after one event {Stats.Seconds(run.OneEvent.Elapsed)}; "
                + $"{run.Full.Summary}");
            if (run.Full.Summary.Tags != pushed.Count)
            {
                throw new InvalidOperationException($"The full sync saw {run.Full.Summary.Tags} tags; {pushed.Count} were pushed.");
            }
        }

        IReadOnlyList<SyncMemory> memory = [];
        IReadOnlyList<(string, long)> allocations = [];
        if (!options.SkipMemory)
        {
            await Log("Memory: full and incremental sync in a fresh child process"
                + (options.ProfileAllocations ? ", then a full sync with allocation sampling..." : "..."));
            (memory, allocations) = await MemoryProbe.RunChildAsync(registry.BaseUrl, warmup.BaseUrl, options.Concurrency,
                options.ProfileAllocations, log, cancellationToken);
        }

        return new SyncResults(pushTime, pushed.Count, runs, memory, allocations);
    }

    private async Task<SyncRun> RunOnceAsync(DockerRegistryServer registry, bool baselineFirst, CancellationToken cancellationToken)
    {
        CrawlResult? baseline = null, heads = null;
        IReadOnlyDictionary<string, int>? baselineRequests = null, headRequests = null;
        if (baselineFirst)
        {
            (baseline, baselineRequests) = await BaselineAsync(registry, headOnly: false, cancellationToken);
            (heads, headRequests) = await BaselineAsync(registry, headOnly: true, cancellationToken);
        }

        var syncs = await PortalSyncsAsync(registry, cancellationToken);
        if (!baselineFirst)
        {
            (baseline, baselineRequests) = await BaselineAsync(registry, headOnly: false, cancellationToken);
            (heads, headRequests) = await BaselineAsync(registry, headOnly: true, cancellationToken);
        }

        return new SyncRun(baseline!, baselineRequests!, heads!, headRequests!, syncs);
    }

    /// <summary>
    /// A full sync into a fresh portal database, then a no-change incremental sync by HEAD; then, with the registry's
    /// events followed, a no-change incremental sync and one after an event for one repository; requests and SQL counted.
    /// </summary>
    private async Task<PortalSyncs> PortalSyncsAsync(DockerRegistryServer registry, CancellationToken cancellationToken)
    {
        var counter = new RequestCounter();
        using var sql = new SqlCommandProbe();
        await using var portal = PortalSession.Start(counter);
        var registryId = await portal.AddRegistryAsync($"bench-{registry.Port}", registry.BaseUrl, options.Concurrency, cancellationToken);

        counter.Reset();
        sql.Start();
        var full = await portal.SyncAsync(registryId, SyncMode.Full, cancellationToken);
        var fullSql = sql.Stop();
        var fullRequests = counter.Snapshot();

        counter.Reset();
        sql.Start();
        var incremental = await portal.SyncAsync(registryId, SyncMode.Incremental, cancellationToken);
        var incrementalSql = sql.Stop();
        var incrementalRequests = counter.Snapshot();

        // No event arrives while nothing changes: the next sync has no repository to read.
        await portal.FollowEventsAsync(registryId, cancellationToken);
        counter.Reset();
        var byEvents = await portal.SyncAsync(registryId, SyncMode.Incremental, cancellationToken);
        var byEventsRequests = counter.Snapshot();
        if (byEvents.Summary.ChangedRepositories != 0)
        {
            throw new InvalidOperationException($"The sync by events read {byEvents.Summary.ChangedRepositories} repositories; no event was sent.");
        }

        // What a registry sends when a tag is pushed again unchanged: its repository is read, by HEAD, and nothing else.
        using var http = registry.CreateHttpClient();
        var repository = (await http.GetFromJsonAsync<Catalog>("v2/_catalog?n=1", cancellationToken))!.Repositories[0];
        await portal.ReceiveEventAsync(registryId, repository, cancellationToken);
        counter.Reset();
        var oneEvent = await portal.SyncAsync(registryId, SyncMode.Incremental, cancellationToken);
        return new PortalSyncs(full, fullRequests, fullSql, incremental, incrementalRequests, incrementalSql, byEvents, byEventsRequests, oneEvent, counter.Snapshot());
    }

    private sealed record Catalog(IReadOnlyList<string> Repositories);

    private async Task<(CrawlResult, IReadOnlyDictionary<string, int>)> BaselineAsync(DockerRegistryServer registry, bool headOnly,
        CancellationToken cancellationToken)
    {
        var counter = new RequestCounter();
        using var crawler = new RegistryCrawler(new Uri(registry.BaseUrl), options.Concurrency, PageSize, counter);
        var result = await crawler.CrawlAsync(headOnly, cancellationToken);
        return (result, counter.Snapshot());
    }

    private Task Log(string message) => BenchmarkLog.WriteAsync(log, message);
}
