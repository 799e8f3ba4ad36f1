using System.Diagnostics;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Jobs;
using Portal.Core.Registry;
using Portal.Features.Inventory;
using Portal.Tests.TestInfrastructure;

namespace Portal.Benchmarks;

/// <summary>
/// The real portal in memory (Portal.Tests' <see cref="PortalAppFactory"/>) on a fresh SQLite file, with its
/// scheduled jobs pushed out of reach so nothing else syncs mid-measurement, and optionally a request counter
/// in the registry HttpClient pipeline.
/// </summary>
internal sealed class PortalSession : IAsyncDisposable
{
    // Quartz cron with a year: never within a benchmark run (the shipped schedule syncs every 30 minutes).
    private const string Never = "0 0 0 1 1 ? 2099";

    private readonly PortalAppFactory _factory;
    private readonly WebApplicationFactory<Program> _app;

    private PortalSession(PortalAppFactory factory, WebApplicationFactory<Program> app)
    {
        _factory = factory;
        _app = app;
    }

    public IServiceProvider Services => _app.Services;

    /// <param name="counter">Counts the registry requests when given.</param>
    /// <param name="settings">Settings on top of the benchmark's.</param>
    /// <param name="kestrel">Serve on real Kestrel at the configured addresses (for measurements over the network stack) instead of the in-memory test server.</param>
    /// <param name="testServices">Services added last, as tests add theirs.</param>
    public static PortalSession Start(
        RequestCounter? counter = null, IReadOnlyDictionary<string, string?>? settings = null, bool kestrel = false, Action<IServiceCollection>? testServices = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Jobs:Schedules:inventory-sync"] = Never,
            ["Jobs:Schedules:audit-retention"] = Never,
            ["Jobs:Schedules:malware-scan"] = Never,
            // Each fresh database makes a new key ring, and says so at Warning; that is noise here.
            ["Logging:LogLevel:Microsoft.AspNetCore.DataProtection"] = "Error",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var factory = PortalAppFactory.WithSettings(all);
        try
        {
            var app = counter is null && testServices is null
                ? factory
                : factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
                {
                    if (counter is not null)
                    {
                        services.AddHttpClient("registry-insecure").AddHttpMessageHandler(() => new CountingHandler(counter));
                    }

                    testServices?.Invoke(services);
                }));
            if (kestrel)
            {
                app.UseKestrel();
                app.StartServer();
            }

            var session = new PortalSession(factory, app);
            _ = session.Services; // starts the host: migrations and hosted services run here, outside any timing
            return session;
        }
        catch
        {
            factory.Dispose();
            throw;
        }
    }

    public async Task<int> AddRegistryAsync(string name, string url, int maxConcurrency, CancellationToken cancellationToken)
    {
        var loopback = new Uri(url).IsLoopback;
        var result = await Services.GetRequiredService<RegistryManagement>().AddAsync(
            new RegistryInput(name, url, null, null, null, AllowInsecure: loopback, MaxConcurrency: maxConcurrency),
            "benchmark@example.org", cancellationToken);
        return result.Id ?? throw new InvalidOperationException($"Adding registry {name} failed: {string.Join(" ", result.Errors)}");
    }

    /// <summary>Marks the registry as sending its push and delete events, as an admin does in Settings.</summary>
    public async Task FollowEventsAsync(int registryId, CancellationToken cancellationToken)
    {
        var management = Services.GetRequiredService<RegistryManagement>();
        var registry = (await management.ListAsync(cancellationToken)).Single(r => r.Id == registryId);
        var result = await management.UpdateAsync(registryId, new RegistryInput(registry.Name, registry.Url, registry.Username, null,
            registry.ArtifactoryRepositoryKey, registry.AllowInsecure, registry.MaxConcurrency, FollowsEvents: true), "benchmark@example.org", cancellationToken);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join(" ", result.Errors));
        }
    }

    /// <summary>Receives a push event for a tag of <paramref name="repository"/>, as the events endpoint does.</summary>
    public async Task ReceiveEventAsync(int registryId, string repository, CancellationToken cancellationToken) =>
        await Services.GetRequiredService<RegistryEventReceiver>().ReceiveAsync(registryId,
            new RegistryEventBatch([new RegistryEvent(RegistryEventAction.Push, repository, null, null)], 0), cancellationToken);

    /// <summary>One sync through a fresh scope, timed, with the time the read phase ended (the last progress report).</summary>
    public async Task<TimedSync> SyncAsync(int registryId, SyncMode mode, CancellationToken cancellationToken)
    {
        using var scope = Services.CreateScope();
        var sync = scope.ServiceProvider.GetRequiredService<InventorySync>();
        var clock = Stopwatch.StartNew();
        var progress = new TimingProgress(clock);
        var summary = await sync.SyncAsync(registryId, mode, progress, cancellationToken);
        var total = clock.Elapsed;
        return new TimedSync(summary, total, progress.LastReportAt ?? total);
    }

    public async ValueTask DisposeAsync() => await _factory.DisposeAsync();

    /// <summary>
    /// The sync reports "repositories done" as it reads and nothing while it writes, so the last report marks the
    /// end of the registry reads and the start of the single-transaction apply.
    /// </summary>
    private sealed class TimingProgress(Stopwatch clock) : IJobProgress
    {
        public TimeSpan? LastReportAt { get; private set; }

        public Task ReportAsync(long current, long? total, CancellationToken cancellationToken)
        {
            LastReportAt = clock.Elapsed;
            return Task.CompletedTask;
        }
    }
}

/// <summary>A sync's summary, its wall time, and when its read phase ended (the rest is the database apply).</summary>
internal sealed record TimedSync(SyncSummary Summary, TimeSpan Elapsed, TimeSpan ReadPhase)
{
    public TimeSpan ApplyPhase => Elapsed - ReadPhase;
}
