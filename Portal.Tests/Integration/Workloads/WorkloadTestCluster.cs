using KubernetesEmulator;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Portal.Core.Inventory;
using Portal.Features.Workloads;
using Portal.Integrations.Kubernetes;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Integration.Workloads;

/// <summary>A Kubernetes API emulator with a kubeconfig, and the portal's workload sync pointed at it.</summary>
internal sealed class WorkloadTestCluster : IAsyncDisposable
{
    public const string Name = "test";
    public const string Registry = "127.0.0.1:5082";
    public static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _directory = new("workloads");

    private WorkloadTestCluster(KubernetesApiEmulator emulator, TestDatabase database, int pageSize)
    {
        Emulator = emulator;
        Database = database;
        var options = Options.Create(new KubernetesOptions
        {
            Clusters = [new ClusterOptions { Name = Name, KubeConfigPath = emulator.WriteKubeconfig(_directory.File("kubeconfig")), PageSize = pageSize }],
        });
        Linker = new WorkloadImageLinker(database);
        Sync = new WorkloadSync(database, new KubernetesWorkloadSource(options, NullLogger<KubernetesWorkloadSource>.Instance), Linker, Clock);
        Catalog = new WorkloadCatalog(database);
    }

    public KubernetesApiEmulator Emulator { get; }
    public TestDatabase Database { get; }
    public FakeTimeProvider Clock { get; } = new(Now);
    public WorkloadSync Sync { get; }
    public WorkloadImageLinker Linker { get; }
    public WorkloadCatalog Catalog { get; }

    public static async Task<WorkloadTestCluster> StartAsync(DatabaseKind kind, PostgresServer postgres, int pageSize = 500)
    {
        var emulator = await KubernetesApiEmulator.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        return new WorkloadTestCluster(emulator, await TestDatabase.CreateAsync(kind, postgres), pageSize);
    }

    public static string Fixture(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "Fixtures", "kubernetes", .. parts]);

    public Task<WorkloadSyncSummary> SyncAsync() => Sync.SyncAsync(Name, (_, _) => Task.CompletedTask, TestContext.Current.CancellationToken);

    /// <summary>An inventory with aaw/jupyterlab-cpu v1 and v2 in the local registry; returns the images' ids.</summary>
    public async Task<(long V1, long V2)> SeedInventoryAsync(string v1Digest, string v2Digest)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = Database.CreateDbContext();
        var registry = ImageRegistry.Create("local", new Uri($"http://{Registry}"), null, null, null, true, 4, Now);
        db.Registries.Add(registry);
        await db.SaveChangesAsync(ct);
        var repository = ImageRepository.Discover(registry.Id, "aaw/jupyterlab-cpu", Now);
        db.Repositories.Add(repository);
        await db.SaveChangesAsync(ct);
        var v1 = ImageManifest.Discover(repository.Id, v1Digest, "application/vnd.oci.image.manifest.v1+json", ImageKind.Image, "linux/amd64",
            Now.AddDays(-30), 1_000, new Dictionary<string, string>(), [], Now);
        var v2 = ImageManifest.Discover(repository.Id, v2Digest, "application/vnd.oci.image.manifest.v1+json", ImageKind.Image, "linux/amd64",
            Now.AddDays(-10), 1_000, new Dictionary<string, string>(), [], Now);
        db.Images.AddRange(v1, v2);
        await db.SaveChangesAsync(ct);
        db.Tags.AddRange(ImageTag.Discover(repository.Id, "v1", v1.Id, Now), ImageTag.Discover(repository.Id, "v2", v2.Id, Now));
        await db.SaveChangesAsync(ct);
        return (v1.Id, v2.Id);
    }

    public async ValueTask DisposeAsync()
    {
        await Emulator.DisposeAsync();
        await Database.DisposeAsync();
        _directory.Dispose();
    }
}
