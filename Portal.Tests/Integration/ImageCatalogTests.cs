using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Portal.Core.Inventory;
using Portal.Features.Audit;
using Portal.Features.Inventory;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Integration;

/// <summary>The Images page's queries, overrides and rules on real SQLite and real PostgreSQL.</summary>
public sealed class ImageCatalogTests(PostgresServer postgres)
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    public static TheoryData<DatabaseKind> Databases => [DatabaseKind.Sqlite, DatabaseKind.Postgres];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task SearchPagesFiltersAndSortsTopLevelPresentImages(DatabaseKind kind)
    {
        await using var database = await TestDatabase.CreateAsync(kind, postgres);
        var (catalog, _, _) = Services(database);
        await SeedAsync(database);

        var all = await catalog.SearchAsync(new ImagePageRequest(new ImageFilter()), Ct);
        var byTag = await catalog.SearchAsync(new ImagePageRequest(new ImageFilter(Search: "v4-dev")), Ct);
        var byRepository = await catalog.SearchAsync(new ImagePageRequest(new ImageFilter(Search: "PLATFORM/")), Ct);
        var bySize = await catalog.SearchAsync(new ImagePageRequest(new ImageFilter(), SortBy: ImageSortField.Size, Descending: true, Take: 1), Ct);
        var dev = await catalog.SearchAsync(new ImagePageRequest(new ImageFilter(Channel: Channel.Dev)), Ct);

        all.TotalCount.ShouldBe(4, "the index's platform children and the gone image are not listed");
        all.Items.Select(i => i.Created).ShouldBe(all.Items.Select(i => i.Created).OrderDescending());
        all.Items.Single(i => i.Kind == ImageKind.Index).Platforms.ShouldBe(2);
        all.Items.Single(i => i.Tags.Contains("v1")).Tags.ShouldBe(["latest", "v1"]);
        byTag.Items.ShouldHaveSingleItem().Tags.ShouldBe(["v4-dev"]);
        byRepository.Items.ShouldHaveSingleItem().Repository.ShouldBe("platform/notebook-controller");
        bySize.Items.ShouldHaveSingleItem().Size.ShouldBe(9_000);
        dev.Items.ShouldHaveSingleItem().Tags.ShouldBe(["v4-dev"]);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task RulesClassifyImagesAndTheOverrideWinsAndIsAudited(DatabaseKind kind)
    {
        await using var database = await TestDatabase.CreateAsync(kind, postgres);
        var (catalog, rules, _) = Services(database);
        await SeedAsync(database);

        var preview = await rules.PreviewAsync(new RuleDefinition("notebooks", "aaw/jupyterlab-*", null, null, null, ImageClass.Curated, null), Ct);
        (await rules.AddAsync(new RuleDefinition("notebooks", "aaw/jupyterlab-*", null, null, null, ImageClass.Curated, null), "admin@example.org", Ct)).ShouldBeEmpty();
        (await rules.AddAsync(new RuleDefinition("kubeflow", null, "app.kubernetes.io/part-of", "kubeflow", null, ImageClass.Platform, null), "admin@example.org", Ct)).ShouldBeEmpty();
        var curated = await catalog.SearchAsync(new ImagePageRequest(new ImageFilter(Class: ImageClass.Curated)), Ct);
        var counts = await catalog.CountByClassAsync(Ct);
        var unclassified = await rules.UnclassifiedAsync(Ct);

        preview.Select(p => (p.Repository, p.Images)).ShouldBe([("aaw/jupyterlab-cpu", 2), ("aaw/jupyterlab-gpu", 1)]);
        curated.Items.Select(i => i.Track).Distinct().Order().ShouldBe(["jupyterlab-cpu", "jupyterlab-gpu"]);
        counts.Single(c => c.Class == ImageClass.Platform).Count.ShouldBe(1);
        unclassified.ShouldBeEmpty();

        await using (var db = database.CreateDbContext())
        {
            var repositoryId = db.Repositories.Single(r => r.Name == "aaw/jupyterlab-gpu").Id;
            (await catalog.OverrideRepositoryAsync(repositoryId, ImageClass.User, "gpu-experiments", "admin@example.org", Ct)).ShouldBeTrue();
        }

        var gpu = (await catalog.SearchAsync(new ImagePageRequest(new ImageFilter(Search: "jupyterlab-gpu")), Ct)).Items.Single();
        gpu.Class.ShouldBe(ImageClass.User);
        gpu.Track.ShouldBe("gpu-experiments");
        (await catalog.GetAsync(gpu.Id, Ct))!.ClassifiedBy.ShouldBe("override");
        await using var check = database.CreateDbContext();
        var audit = check.AuditEntries.Single(e => e.Action == "repository.class-overridden");
        (audit.Subject, audit.Before, audit.After).ShouldBe(("aaw/jupyterlab-gpu", "rules / rules", "User / gpu-experiments"));
    }

    [Fact]
    public async Task DetailHasTagsPlatformsLabelsAndLayers()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite, postgres);
        var (catalog, _, _) = Services(database);
        var ids = await SeedAsync(database);

        var index = await catalog.GetAsync(ids.Index, Ct);
        var image = await catalog.GetAsync(ids.V1, Ct);

        index!.Platforms.Select(p => p.Platform).ShouldBe(["linux/amd64", "linux/arm64/v8"]);
        index.Platforms[0].Layers.ShouldHaveSingleItem().Size.ShouldBe(1_000);
        image!.Tags.Select(t => t.Name).ShouldBe(["latest", "v1"]);
        image.Labels["deploymenttype"].ShouldBe("prod");
        image.Layers.Select(l => l.Size).ShouldBe([1_000, 2_000]);
        (await catalog.GetAsync(999_999, Ct)).ShouldBeNull();
    }

    private static (ImageCatalog Catalog, ClassificationRules Rules, AuditLog Audit) Services(TestDatabase database)
    {
        var audit = new AuditLog(database, new FakeTimeProvider(Now));
        var classification = new ImageClassification(database, Options.Create(new InventoryOptions()));
        return (new ImageCatalog(database, classification, audit), new ClassificationRules(database, classification, audit), audit);
    }

    /// <summary>
    /// aaw/jupyterlab-cpu: v1+latest (prod), v4-dev (dev label), one gone image; aaw/jupyterlab-gpu: a two-platform index;
    /// platform/notebook-controller labelled as part of Kubeflow.
    /// </summary>
    private static async Task<(long V1, long Index)> SeedAsync(TestDatabase database)
    {
        await using var db = database.CreateDbContext();
        var registry = ImageRegistry.Create("local", new Uri("http://127.0.0.1:5082"), null, null, null, true, 4, Now);
        db.Registries.Add(registry);
        await db.SaveChangesAsync(Ct);
        var cpu = ImageRepository.Discover(registry.Id, "aaw/jupyterlab-cpu", Now);
        var gpu = ImageRepository.Discover(registry.Id, "aaw/jupyterlab-gpu", Now);
        var controller = ImageRepository.Discover(registry.Id, "platform/notebook-controller", Now);
        db.Repositories.AddRange(cpu, gpu, controller);
        await db.SaveChangesAsync(Ct);

        ImageManifest Image(ImageRepository repository, char digit, int daysAgo, long size, Dictionary<string, string>? labels = null, string? platform = "linux/amd64",
            ImageKind kind = ImageKind.Image, params long[] layers) =>
            ImageManifest.Discover(repository.Id, "sha256:" + new string(digit, 64), "application/vnd.oci.image.manifest.v1+json", kind, platform,
                Now.AddDays(-daysAgo), size, labels ?? [], layers.Select((l, i) => new ImageLayer(i, "sha256:" + new string((char)('a' + i), 64), "application/vnd.oci.image.layer.v1.tar+gzip", l)), Now);

        var v1 = Image(cpu, '1', 30, 3_000, new() { ["deploymenttype"] = "prod" }, layers: [1_000, 2_000]);
        var dev = Image(cpu, '2', 1, 4_000, new() { ["deploymenttype"] = "dev" });
        var gone = Image(cpu, '3', 60, 1_000);
        var index = Image(gpu, '4', 10, 2_000, platform: null, kind: ImageKind.Index);
        var amd = Image(gpu, '5', 10, 1_000, layers: [1_000]);
        var arm = Image(gpu, '6', 10, 1_000, platform: "linux/arm64/v8", layers: [1_000]);
        var kubeflow = Image(controller, '7', 5, 9_000, new() { ["app.kubernetes.io/part-of"] = "kubeflow" });
        db.Images.AddRange(v1, dev, gone, index, amd, arm, kubeflow);
        await db.SaveChangesAsync(Ct);
        amd.AttachTo(index);
        arm.AttachTo(index);
        gone.MarkGone(Now);
        db.Tags.AddRange(
            ImageTag.Discover(cpu.Id, "v1", v1.Id, Now), ImageTag.Discover(cpu.Id, "latest", v1.Id, Now), ImageTag.Discover(cpu.Id, "v4-dev", dev.Id, Now),
            ImageTag.Discover(gpu.Id, "v2", index.Id, Now), ImageTag.Discover(controller.Id, "1.9.0", kubeflow.Id, Now));
        await db.SaveChangesAsync(Ct);
        await new ImageClassification(database, Options.Create(new InventoryOptions())).ClassifyAllAsync(Ct);
        return (v1.Id, index.Id);
    }
}
