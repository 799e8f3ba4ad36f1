using System.Diagnostics;
using System.Text.Json;
using k8s;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Features.Workloads;
using Portal.Integrations.Kubernetes;
using Portal.Tests.TestInfrastructure;

namespace Portal.Benchmarks;

/// <summary>
/// A workload sync's summary, its wall time, when its read phase ended (the rest is building the snapshot and the
/// database write), and what this process allocated meanwhile.
/// </summary>
internal sealed record TimedWorkloadSync(WorkloadSyncSummary Summary, TimeSpan Elapsed, TimeSpan ReadPhase, long Allocated)
{
    public TimeSpan WritePhase => Elapsed - ReadPhase;
}

/// <summary>What the raw list calls returned (only counted), how long they took and what they allocated.</summary>
internal sealed record ListBaseline(TimeSpan Elapsed, int Pods, int ReplicaSets, int RoleBindings, int Notebooks, int Profiles, long Allocated);

internal sealed record WorkloadRun(
    ListBaseline Baseline, IReadOnlyDictionary<string, int> BaselineRequests,
    TimedWorkloadSync First, IReadOnlyDictionary<string, int> FirstRequests, IReadOnlyDictionary<string, (int Commands, TimeSpan Duration)> FirstSql,
    TimedWorkloadSync Second, IReadOnlyDictionary<string, (int Commands, TimeSpan Duration)> SecondSql);

internal sealed record WorkloadResults(
    ClusterSeed Seed, TimeSpan GenerateTime, TimeSpan EmulatorStart, int PageSize, IReadOnlyList<WorkloadRun> Runs,
    IReadOnlyList<SyncMemory> Memory, IReadOnlyList<(string Type, long Bytes)> Allocations);

/// <summary>
/// The workload sync (<see cref="WorkloadSync"/> through the real <see cref="KubernetesWorkloadSource"/>) of a generated
/// Kubeflow cluster served by the Kubernetes API emulator in a process of its own: per run, a first sync into a fresh
/// SQLite database and a no-change second sync, beside the raw KubernetesClient list calls the sync makes (same
/// requests, same page size, results discarded); then peak memory in a fresh child process, as for the inventory.
/// </summary>
internal sealed class WorkloadSyncBenchmark(BenchmarkOptions options, TextWriter log)
{
    public const string ChildFlag = "--workload-memory-child";
    private const string Measured = "measured";
    private const string Warmup = "warmup";
    public const int WarmupPods = 100;
    public const int WarmupNamespaces = 5;

    // The page size the portal ships with (Kubernetes:Clusters:N:PageSize); the baseline pages the same way.
    private static readonly int PageSize = new ClusterOptions().PageSize;

    public async Task<WorkloadResults> RunAsync(CancellationToken cancellationToken)
    {
        using var directory = new TempDirectory("portal-bench-workloads");
        await Log($"Generating {Stats.Number(options.Pods)} pods in {Stats.Number(options.Namespaces)} namespaces for the Kubernetes API emulator...");
        var clock = Stopwatch.StartNew();
        var seed = ClusterGenerator.Write(directory.File("seed"), options.Pods, options.Namespaces);
        var generateTime = clock.Elapsed;
        await Log($"Generated in {Stats.Seconds(generateTime)}: {Stats.Number(seed.Pods)} pods ({Stats.Mebibytes(seed.PodBytes)} of JSON, "
            + $"{seed.PodBytes / (double)seed.Pods / 1024:0.0} KB a pod), {Stats.Number(seed.ReplicaSets)} ReplicaSets, {Stats.Number(seed.RoleBindings)} RoleBindings, "
            + $"{Stats.Number(seed.Notebooks)} notebooks, {Stats.Number(seed.Profiles)} profiles; {Stats.Mebibytes(seed.TotalBytes)} in all. Starting the emulator...");

        await using var emulator = await EmulatorProcess.StartAsync(directory.File("seed"), directory.File("kubeconfig"), cancellationToken);
        await Log($"The emulator loaded the cluster and listens after {Stats.Seconds(emulator.StartTime)} (a process of its own; kubeconfig {emulator.Kubeconfig}).");

        // Warm-up on the measured cluster itself, not reported: JIT and heap growth here, in the emulator (its first
        // lists of thousands of objects take several times as long as later ones) and in SQLite; the figures are a
        // long-running portal's steady state, for the sync and for the list calls alike.
        await Log("Warm-up: raw list calls, first and second sync of the same cluster (not reported)...");
        await RunOnceAsync(emulator, seed, baselineFirst: true, cancellationToken);

        var runs = new List<WorkloadRun>();
        for (var i = 0; i < options.Runs; i++)
        {
            // Alternate which goes first, so neither always meets an emulator the other has just warmed.
            var run = await RunOnceAsync(emulator, seed, baselineFirst: i % 2 == 0, cancellationToken);
            runs.Add(run);
            await Log($"Run {i + 1}/{options.Runs}: raw list calls {Stats.Seconds(run.Baseline.Elapsed)}, "
                + $"first sync {Stats.Seconds(run.First.Elapsed)} (read {Stats.Seconds(run.First.ReadPhase)}, build + write {Stats.Seconds(run.First.WritePhase)}), "
                + $"second sync {Stats.Seconds(run.Second.Elapsed)} (read {Stats.Seconds(run.Second.ReadPhase)}, build + write {Stats.Seconds(run.Second.WritePhase)}); "
                + $"{run.First.Summary}");
        }

        IReadOnlyList<SyncMemory> memory = [];
        IReadOnlyList<(string, long)> allocations = [];
        if (!options.SkipMemory)
        {
            await Log($"Memory: first and second workload sync in a fresh child process, after a warm-up on a {WarmupPods}-pod cluster"
                + (options.ProfileAllocations ? ", then a first sync with allocation sampling..." : "..."));
            ClusterGenerator.Write(directory.File("warmup-seed"), WarmupPods, WarmupNamespaces);
            await using var warmup = await EmulatorProcess.StartAsync(directory.File("warmup-seed"), directory.File("warmup-kubeconfig"), cancellationToken);
            (memory, allocations) = await MemoryProbe.RunChildAsync(
                [ChildFlag, emulator.Kubeconfig, warmup.Kubeconfig, options.ProfileAllocations ? "profile" : ""], log, cancellationToken);
        }

        return new WorkloadResults(seed, generateTime, emulator.StartTime, PageSize, runs, memory, allocations);
    }

    /// <summary>The child's side: warm up on the small cluster, then measure a first and a second sync of the big one.</summary>
    public static async Task<int> ChildMainAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var (kubeconfig, warmupKubeconfig) = (args[1], args[2]);
        await using (var warmupDatabase = await CreateDatabaseAsync())
        {
            var warmup = CreateSync(warmupDatabase, Warmup, warmupKubeconfig);
            await SyncAsync(warmup, Warmup, cancellationToken);
            await SyncAsync(warmup, Warmup, cancellationToken);
        }

        await using (var database = await CreateDatabaseAsync())
        {
            var sync = CreateSync(database, Measured, kubeconfig);
            foreach (var mode in new[] { "First workload", "Second workload" })
            {
                MemoryProbe.WriteResult(await MemoryProbe.MeasureAsync(mode, async () => (await SyncAsync(sync, Measured, cancellationToken)).Elapsed));
            }
        }

        if (args.Count > 3 && args[3] == "profile")
        {
            // Apart from the measured syncs, so the listener's own cost is not in them; a fresh database makes it a first sync again.
            await using var database = await CreateDatabaseAsync();
            var sync = CreateSync(database, Measured, kubeconfig);
            await MemoryProbe.ProfileAsync(() => SyncAsync(sync, Measured, cancellationToken));
        }

        return 0;
    }

    /// <summary>The raw list calls, and a first sync into a fresh database followed by a no-change second sync; checked against what was generated.</summary>
    private static async Task<WorkloadRun> RunOnceAsync(EmulatorProcess emulator, ClusterSeed seed, bool baselineFirst, CancellationToken cancellationToken)
    {
        ListBaseline? baseline = null;
        IReadOnlyDictionary<string, int>? baselineRequests = null;
        if (baselineFirst)
        {
            (baseline, baselineRequests) = await BaselineAsync(emulator, cancellationToken);
        }

        await using var database = await CreateDatabaseAsync();
        var sync = CreateSync(database, Measured, emulator.Kubeconfig);
        using var sql = new SqlCommandProbe();
        await emulator.ResetRequestsAsync();
        sql.Start();
        var first = await SyncAsync(sync, Measured, cancellationToken);
        var firstSql = sql.Stop();
        var firstRequests = await emulator.RequestsAsync();
        sql.Start();
        var second = await SyncAsync(sync, Measured, cancellationToken);
        var secondSql = sql.Stop();
        if (!baselineFirst)
        {
            (baseline, baselineRequests) = await BaselineAsync(emulator, cancellationToken);
        }

        Check(seed, baseline!, first, second);

        return new WorkloadRun(baseline!, baselineRequests!, first, firstRequests, firstSql, second, secondSql);
    }

    private static async Task<(ListBaseline, IReadOnlyDictionary<string, int>)> BaselineAsync(EmulatorProcess emulator, CancellationToken cancellationToken)
    {
        await emulator.ResetRequestsAsync();
        var baseline = await ListAllAsync(emulator.Kubeconfig, PageSize, cancellationToken);
        return (baseline, await emulator.RequestsAsync());
    }

    /// <summary>
    /// The baseline: the list requests a sync makes (pods, ReplicaSets and RoleBindings in all namespaces, then
    /// kubeflow.org/v1 Notebooks and Profiles), through the same client at the same page size, each page only counted.
    /// What the sync takes beyond this is the portal's own cost.
    /// </summary>
    private static async Task<ListBaseline> ListAllAsync(string kubeconfig, int pageSize, CancellationToken cancellationToken)
    {
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        using var client = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
        var pods = await CountPagesAsync(
            token => client.CoreV1.ListPodForAllNamespacesAsync(continueParameter: token, limit: pageSize, cancellationToken: cancellationToken),
            list => (list.Items.Count, list.Metadata?.ContinueProperty));
        var replicaSets = await CountPagesAsync(
            token => client.AppsV1.ListReplicaSetForAllNamespacesAsync(continueParameter: token, limit: pageSize, cancellationToken: cancellationToken),
            list => (list.Items.Count, list.Metadata?.ContinueProperty));
        var roleBindings = await CountPagesAsync(
            token => client.RbacAuthorizationV1.ListRoleBindingForAllNamespacesAsync(continueParameter: token, limit: pageSize, cancellationToken: cancellationToken),
            list => (list.Items.Count, list.Metadata?.ContinueProperty));
        var notebooks = await CountCustomAsync(client, "notebooks", pageSize, cancellationToken);
        var profiles = await CountCustomAsync(client, "profiles", pageSize, cancellationToken);
        return new ListBaseline(clock.Elapsed, pods, replicaSets, roleBindings, notebooks, profiles, GC.GetTotalAllocatedBytes(precise: true) - allocated);
    }

    private static Task<int> CountCustomAsync(k8s.Kubernetes client, string plural, int pageSize, CancellationToken cancellationToken) =>
        CountPagesAsync(
            async token => (JsonElement)await client.CustomObjects.ListClusterCustomObjectAsync(
                KubernetesWorkloadSource.KubeflowGroup, "v1", plural, continueParameter: token, limit: pageSize, cancellationToken: cancellationToken),
            page => (page.GetProperty("items").GetArrayLength(),
                page.GetProperty("metadata").TryGetProperty("continue", out var next) ? next.GetString() : null));

    private static async Task<int> CountPagesAsync<TList>(Func<string?, Task<TList>> list, Func<TList, (int Count, string? Next)> read)
    {
        var total = 0;
        string? token = null;
        do
        {
            (var count, token) = read(await list(token));
            total += count;
        }
        while (!string.IsNullOrEmpty(token));

        return total;
    }

    private static async Task<TimedWorkloadSync> SyncAsync(WorkloadSync sync, string cluster, CancellationToken cancellationToken)
    {
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        TimeSpan? lastPage = null;
        var summary = await sync.SyncAsync(cluster, (_, _) =>
        {
            lastPage = clock.Elapsed;
            return Task.CompletedTask;
        }, cancellationToken);
        var total = clock.Elapsed;
        return new TimedWorkloadSync(summary, total, lastPage ?? total, GC.GetTotalAllocatedBytes(precise: true) - allocated);
    }

    /// <summary>The portal's services for one cluster as the app wires them (a migrated SQLite file, as the portal uses by default).</summary>
    private static WorkloadSync CreateSync(IDbContextFactory<PortalDbContext> database, string cluster, string kubeconfig)
    {
        var kubernetes = Options.Create(new KubernetesOptions
        {
            Clusters = [new ClusterOptions { Name = cluster, KubeConfigPath = kubeconfig, PageSize = PageSize }],
        });
        return new WorkloadSync(database, new KubernetesWorkloadSource(kubernetes, NullLogger<KubernetesWorkloadSource>.Instance),
            new WorkloadImageLinker(database), TimeProvider.System);
    }

    // PostgreSQL is not involved: TestDatabase only uses its server for DatabaseKind.Postgres.
    private static Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.CreateAsync(DatabaseKind.Sqlite, null!);

    private static void Check(ClusterSeed seed, ListBaseline baseline, TimedWorkloadSync first, TimedWorkloadSync second)
    {
        if (baseline.Pods != seed.Pods || baseline.Notebooks != seed.Notebooks || baseline.Profiles != seed.Profiles)
        {
            throw new InvalidOperationException($"The raw list calls saw {baseline.Pods} pods, {baseline.Notebooks} notebooks and {baseline.Profiles} profiles; "
                + $"{seed.Pods}, {seed.Notebooks} and {seed.Profiles} were generated.");
        }

        if (first.Summary.Workloads != seed.Workloads || first.Summary.New != seed.Workloads)
        {
            throw new InvalidOperationException($"The first sync saw {first.Summary}; {seed.Workloads} new workloads were expected.");
        }

        if (second.Summary.New + second.Summary.Changed + second.Summary.Gone != 0)
        {
            throw new InvalidOperationException($"The second sync of an unchanged cluster saw changes: {second.Summary}.");
        }
    }

    private Task Log(string message) => BenchmarkLog.WriteAsync(log, message);
}
