using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Inventory;
using Portal.Data;
using Portal.Features.Inventory;

namespace Portal.Benchmarks;

internal sealed record PageVariantResult(
    string Name, int TotalCount, int Rows, double PortalMedianMs, double PortalP95Ms, double RawPageMedianMs, double RawCountMedianMs,
    double SqlCommandsPerCall, double SqlMsPerCall);

internal sealed record PageResults(
    int Repositories, int Images, int ImageRows, int Tags, TimeSpan SeedTime, long DatabaseBytes, IReadOnlyList<PageVariantResult> Variants,
    IReadOnlyList<PageWhatIfResult> WhatIf);

/// <summary>A variant timed again after the covering indexes were added to the seeded database.</summary>
internal sealed record PageWhatIfResult(string Name, double PortalMedianMs, double PortalP95Ms, double RawPageMedianMs, double RawCountMedianMs);

/// <summary>
/// The Images page's server side (<see cref="ImageCatalog.SearchAsync"/>) over a seeded estate of platform scale,
/// beside the raw SQLite query for the same page on the same file.
/// </summary>
internal sealed class ImagesPageBenchmark(BenchmarkOptions options, TextWriter log)
{
    /// <summary>Tagged digests per seeded repository; image <c>j</c> of repository <c>r</c> is tagged <c>1.j.2</c> among others.</summary>
    public const int ImagesPerRepository = 10;
    private const int TagsPerImage = 5;
    private const int RepositoriesPerBatch = 100;
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    public async Task<PageResults> RunAsync(CancellationToken cancellationToken)
    {
        var repositories = Math.Max(1, options.PageTags / (ImagesPerRepository * TagsPerImage));
        await using var portal = PortalSession.Start();
        await BenchmarkLog.WriteAsync(log, $"Seeding {Stats.Number(repositories)} repositories, "
            + $"{Stats.Number(repositories * ImagesPerRepository)} tagged digests, {Stats.Number(repositories * ImagesPerRepository * TagsPerImage)} tags...");
        var clock = Stopwatch.StartNew();
        var counts = await SeedAsync(portal, repositories, cancellationToken);
        var seedTime = clock.Elapsed;

        var contexts = portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        string connectionString;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            connectionString = db.Database.GetConnectionString()!;
        }

        var file = new SqliteConnectionStringBuilder(connectionString).DataSource;
        await BenchmarkLog.WriteAsync(log, $"Seeded in {Stats.Seconds(seedTime)}: {counts.ImageRows} image rows, {counts.Tags} tags "
            + $"({Stats.Mebibytes(new FileInfo(file).Length)} SQLite file). Timing {options.PageCalls} calls per query...");

        if (options.KeepPageDatabase is { } keep)
        {
            await CopyDatabaseAsync(connectionString, keep, cancellationToken);
            await BenchmarkLog.WriteAsync(log, $"Copied the seeded database to {keep}.");
        }

        var catalog = portal.Services.GetRequiredService<ImageCatalog>();
        var middleRepository = RepositoryName(repositories / 2);
        var variants = new (string Name, ImageFilter Filter, string RawWhere, string? RawSearch)[]
        {
            ("first page, newest first", new ImageFilter(), "", null),
            ("class filter (Platform)", new ImageFilter(Class: ImageClass.Platform), "AND i.Class = 'Platform'", null),
            ("search one repository's name", new ImageFilter(Search: middleRepository), SearchWhere, middleRepository),
            ("search tag '1.7.2'", new ImageFilter(Search: "1.7.2"), SearchWhere, "1.7.2"),
            ("search, no match", new ImageFilter(Search: "no-such-image"), SearchWhere, "no-such-image"),
        };

        using var sql = new SqlCommandProbe();
        var results = new List<PageVariantResult>();
        foreach (var (name, filter, rawWhere, rawSearch) in variants)
        {
            var (portalTimes, page) = await TimePortalAsync(catalog, new ImagePageRequest(filter), sql, cancellationToken);
            var commands = sql.Stop();
            var rawPage = await TimeRawAsync(connectionString, PageSql(rawWhere), rawSearch, cancellationToken);
            var rawCount = await TimeRawAsync(connectionString, CountSql(rawWhere), rawSearch, cancellationToken);
            var result = new PageVariantResult(name, page.TotalCount, page.Items.Count, Stats.Median(portalTimes), Stats.Percentile(portalTimes, 95),
                rawPage.MedianMs, rawCount.MedianMs,
                commands.Values.Sum(c => c.Commands) / (double)options.PageCalls,
                commands.Values.Sum(c => c.Duration.TotalMilliseconds) / options.PageCalls);
            if (rawPage.Rows != page.Items.Count || rawCount.Scalar != page.TotalCount)
            {
                throw new InvalidOperationException(
                    $"{name}: the raw query found {rawPage.Rows} rows of {rawCount.Scalar}, the portal {page.Items.Count} of {page.TotalCount}.");
            }

            results.Add(result);
        }

        var whatIf = new List<PageWhatIfResult>();
        if (options.PageWhatIf)
        {
            await BenchmarkLog.WriteAsync(log, $"What-if: replacing two indexes with covering ones and timing again...");
            await using (var connection = new SqliteConnection(connectionString))
            {
                await connection.OpenAsync(cancellationToken);
                await using var command = connection.CreateCommand();
                command.CommandText = WhatIfIndexes;
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            foreach (var (name, filter, rawWhere, rawSearch) in variants)
            {
                var (times, _) = await TimePortalAsync(catalog, new ImagePageRequest(filter), null, cancellationToken);
                var rawPage = await TimeRawAsync(connectionString, PageSql(rawWhere), rawSearch, cancellationToken);
                var rawCount = await TimeRawAsync(connectionString, CountSql(rawWhere), rawSearch, cancellationToken);
                whatIf.Add(new PageWhatIfResult(name, Stats.Median(times), Stats.Percentile(times, 95), rawPage.MedianMs, rawCount.MedianMs));
            }
        }

        return new PageResults(repositories, counts.Images, counts.ImageRows, counts.Tags, seedTime, new FileInfo(file).Length, results, whatIf);
    }

    /// <summary>Copies a SQLite database to <paramref name="path"/> with SQLite's online backup.</summary>
    public static async Task CopyDatabaseAsync(string connectionString, string path, CancellationToken cancellationToken)
    {
        await using var backup = new SqliteConnection($"Data Source={path}");
        await using var source = new SqliteConnection(connectionString);
        await source.OpenAsync(cancellationToken);
        source.BackupDatabase(backup);
    }

    /// <summary>
    /// The fix the what-if tries: the page's index also carries RepositoryId and Digest, and the tags index carries
    /// Name, so COUNT and search never read the wide image rows (labels and layers JSON) or tag rows.
    /// Each new index starts with the old one's columns, so the old one is dropped as a migration would.
    /// </summary>
    private const string WhatIfIndexes = """
        CREATE INDEX IX_images_GoneAt_ParentId_Created_RepositoryId_Digest ON images (GoneAt, ParentId, Created, RepositoryId, Digest);
        DROP INDEX IX_images_GoneAt_ParentId_Created;
        CREATE INDEX IX_tags_ImageId_GoneAt_Name ON tags (ImageId, GoneAt, Name);
        DROP INDEX IX_tags_ImageId_GoneAt;
        """;

    private Task<(List<double> Times, ImagePage Page)> TimePortalAsync(ImageCatalog catalog, ImagePageRequest request, SqlCommandProbe? sql,
        CancellationToken cancellationToken) =>
        QueryTiming.TimeAsync(() => catalog.SearchAsync(request, cancellationToken), options.PageCalls, sql);

    // What EF makes of string.Contains on SQLite: instr(x, @s) > 0.
    private const string SearchWhere = """
        AND (instr(r.Name, $search) > 0
             OR EXISTS (SELECT 1 FROM tags AS t WHERE t.ImageId = i.Id AND t.GoneAt IS NULL AND instr(t.Name, $search) > 0)
             OR instr(i.Digest, $search) > 0)
        """;

    private static string PageSql(string where) => $"""
        SELECT i.Id, g.Name, r.Name, i.Digest, i.Kind, i.Class, i.Track, i.Channel, i.Created, i.TotalSize
        FROM images AS i
        JOIN repositories AS r ON r.Id = i.RepositoryId
        JOIN registries AS g ON g.Id = r.RegistryId
        WHERE i.GoneAt IS NULL AND i.ParentId IS NULL {where}
        ORDER BY i.Created DESC, i.Id DESC
        LIMIT 50
        """;

    private static string CountSql(string where) => $"""
        SELECT COUNT(*)
        FROM images AS i
        JOIN repositories AS r ON r.Id = i.RepositoryId
        JOIN registries AS g ON g.Id = r.RegistryId
        WHERE i.GoneAt IS NULL AND i.ParentId IS NULL {where}
        """;

    /// <summary>The baseline: the same number of calls of one raw query through Microsoft.Data.Sqlite (pooled connection, all rows read).</summary>
    private Task<(double MedianMs, int Rows, long Scalar)> TimeRawAsync(string connectionString, string sql, string? search,
        CancellationToken cancellationToken) =>
        QueryTiming.TimeRawAsync(() => new SqliteConnection(connectionString), sql, search is null ? [] : [("$search", search)], options.PageCalls,
            cancellationToken);

    public static string RepositoryName(int index) => $"team-{index % 40:D2}/service-{index:D5}";

    /// <summary>
    /// A platform-scale estate: two registries; per repository ten tagged digests with five tags each; one digest in
    /// seven a multi-platform index with two platform children; one in twenty gone (its tags too) and a few moved
    /// tags gone; classes by repository (10% unclassified, 20% curated, 30% platform, 40% user); a third of the
    /// images Dev; build dates over two years, a few unknown; realistic labels and six layers each.
    /// </summary>
    public static async Task<(int Images, int ImageRows, int Tags)> SeedAsync(PortalSession portal, int repositoryCount, CancellationToken cancellationToken)
    {
        var registries = new[]
        {
            await portal.AddRegistryAsync("prod-registry", "https://registry.example.test", 4, cancellationToken),
            await portal.AddRegistryAsync("dev-harbor", "https://harbor.example.test", 4, cancellationToken),
        };
        var contexts = portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        var random = new Random(20_000);
        var (images, imageRows, tags) = (0, 0, 0);
        for (var first = 0; first < repositoryCount; first += RepositoriesPerBatch)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            var batch = Enumerable.Range(first, Math.Min(RepositoriesPerBatch, repositoryCount - first))
                .Select(i => (Index: i, Repository: ImageRepository.Discover(registries[i % 2], RepositoryName(i), Now.AddDays(-800))))
                .ToList();
            db.Repositories.AddRange(batch.Select(b => b.Repository));
            await db.SaveChangesAsync(cancellationToken);

            var tagged = new List<(ImageRepository Repository, ImageManifest Image, int Number, bool Gone)>();
            foreach (var (index, repository) in batch)
            {
                for (var j = 0; j < ImagesPerRepository; j++)
                {
                    var isIndex = (index + j) % 7 == 0;
                    var gone = (index * ImagesPerRepository + j) % 20 == 0;
                    DateTimeOffset? created = random.Next(50) == 0 ? null : Now.AddMinutes(-random.Next(2 * 365 * 24 * 60));
                    var image = NewImage(repository, index, j, isIndex ? ImageKind.Index : ImageKind.Image, null, created, gone, random);
                    db.Images.Add(image);
                    tagged.Add((repository, image, j, gone));
                }
            }

            await db.SaveChangesAsync(cancellationToken);
            foreach (var (repository, parent, number, gone) in tagged.Where(t => t.Image.Kind == ImageKind.Index))
            {
                var index = batch.Single(b => b.Repository == repository).Index;
                foreach (var platform in new[] { "linux/amd64", "linux/arm64/v8" })
                {
                    var child = NewImage(repository, index, number, ImageKind.Image, platform, parent.Created, gone, random);
                    child.AttachTo(parent);
                    db.Images.Add(child);
                    imageRows++;
                }
            }

            foreach (var (repository, image, number, gone) in tagged)
            {
                string[] names = [$"1.{number}.0", $"1.{number}.1", $"1.{number}.2", $"1.{number}-{(image.Channel == Channel.Dev ? "dev" : "release")}",
                    $"sha-{image.Digest[7..19]}"];
                foreach (var name in names)
                {
                    var tag = ImageTag.Discover(repository.Id, name, image.Id, Now.AddDays(-random.Next(700)));
                    // Gone images lost their tags; a few tags of present images moved on and are gone too.
                    if (gone || random.Next(40) == 0)
                    {
                        tag.MarkGone(Now.AddDays(-random.Next(30)));
                    }

                    db.Tags.Add(tag);
                }
            }

            await db.SaveChangesAsync(cancellationToken);
            images += tagged.Count;
            imageRows += tagged.Count;
            tags += tagged.Count * TagsPerImage;
        }

        return (images, imageRows, tags);
    }

    /// <summary>The manifest digest the seed gives image <paramref name="number"/> of a repository (a platform child's, with its platform).</summary>
    public static string DigestOf(string repository, int number, string? platform = null) =>
        "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{repository}|{number}|{platform}")));

    private static ImageManifest NewImage(ImageRepository repository, int repositoryIndex, int number, ImageKind kind, string? platform,
        DateTimeOffset? created, bool gone, Random random)
    {
        var digest = DigestOf(repository.Name, number, platform);
        var dev = number % 3 == 2;
        var layers = kind == ImageKind.Index
            ? []
            : Enumerable.Range(0, 6).Select(p => new ImageLayer(p,
                "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{digest}|{p}"))),
                "application/vnd.oci.image.layer.v1.tar+gzip", random.Next(1_000, 200_000_000))).ToList();
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["org.opencontainers.image.source"] = $"https://git.example.test/{repository.Name}",
            ["org.opencontainers.image.version"] = $"1.{number}.2",
            ["org.opencontainers.image.revision"] = digest[7..47],
            ["deploymenttype"] = dev ? "dev" : "prod",
        };
        var image = ImageManifest.Discover(repository.Id, digest,
            kind == ImageKind.Index ? "application/vnd.oci.image.index.v1+json" : "application/vnd.oci.image.manifest.v1+json",
            kind, platform ?? (kind == ImageKind.Image ? "linux/amd64" : null), created, layers.Sum(l => l.Size) + 7_000, labels, layers,
            Now.AddDays(-random.Next(700)));
        image.Classify(SeededImages.ByRepository(repositoryIndex, dev));
        if (gone)
        {
            image.MarkGone(Now.AddDays(-random.Next(1, 90)));
        }

        return image;
    }
}
