using System.Buffers;
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Portal.Core.Findings;
using Portal.Core.Findings.Parsers;
using Portal.Core.Inventory;
using Portal.Data;
using Portal.Features.Findings;
using Portal.Tests.TestInfrastructure;

namespace Portal.Benchmarks;

/// <summary>
/// One pass over every report by <paramref name="Deliveries"/> callers at once: time in the parser and time storing (for
/// several callers, waiting for the writer included), summed per report, and the wall clock of the whole pass, which
/// includes generating the bytes (<paramref name="Generate"/>, summed per report).
/// </summary>
internal sealed record IngestPass(int Reports, long Findings, long Bytes, TimeSpan Parse, TimeSpan Store, TimeSpan Wall, int New, int Dropped,
    int Deliveries, TimeSpan Generate)
{
    /// <summary>
    /// What the pass took: one caller's reports one after another, parse + store (generating the bytes not counted);
    /// several callers' side by side, the wall clock from the first report to the last (generating included, on the same cores).
    /// </summary>
    public TimeSpan Total => Deliveries == 1 ? Parse + Store : Wall;
}

/// <param name="Target">Held to the page target; otherwise reported for information.</param>
/// <param name="TotalIsLowerBound">Counting stopped at the portal's count limit: more than <c>TotalCount - 1</c> match.</param>
internal sealed record FindingPageVariant(string Name, int TotalCount, bool TotalIsLowerBound, int Rows, double PortalMedianMs, double PortalP95Ms, double RawPageMedianMs,
    double RawCountMedianMs, double SqlCommandsPerCall, int Calls, bool Target = true);

/// <summary>The first ingestion without one index, and what the query that index serves costs without it.</summary>
internal sealed record FindingsWhatIf(string DroppedIndex, TimeSpan ParseAlone, IngestPass Floor, IngestPass Ingest, double ImpactedQueryMs);

/// <summary>
/// The figures of one database: the floor, the first ingestion (reports delivered side by side, and one at a time into a
/// database of its own), the no-change re-scan, and the Findings page over the result.
/// </summary>
/// <param name="Settings">How the portal's connections are set up (SQLite's journal mode, synchronous, checkpoints), or empty.</param>
internal sealed record FindingsDatabaseResults(
    string Provider, string Settings, TimeSpan SeedTime, int SeededImages, TimeSpan ParseAlone, IngestPass Floor, IngestPass Ingest, IngestPass OneAtATime,
    IngestPass Rescan, long StoredFindings, long? DatabaseBytes, IReadOnlyList<FindingPageVariant> Page, FindingsWhatIf? WhatIf);

/// <param name="Memory">Peak memory of an ingestion and a re-scan per database, each measured in a child process of its own.</param>
internal sealed record FindingsResults(
    int Findings, int Digests, int DistinctVulnerabilities, long ReportBytes, IReadOnlyList<FindingsDatabaseResults> Databases,
    IReadOnlyList<(string Provider, SyncMemory Memory)> Memory);

/// <summary>
/// Issue 5's findings targets: ingesting N findings across D digests of generated Trivy reports through the real path
/// (<see cref="ScanReportReader.Read(ReadOnlySpan{byte}, ReportFormat?, ScanReportReaderOptions)"/> of each report's
/// bytes, then <see cref="FindingIngestion.IngestAsync"/>, as the API does for each request) into a fresh portal
/// database holding an inventory of those digests, by <see cref="BenchmarkOptions.Concurrency"/> callers at once, as
/// scanners and the scan job deliver them, beside the floor (parsing alone, and the same rows written with plain
/// prepared INSERTs, one transaction per report, one report after another); the same ingestion by one caller, report by
/// report, into a database of its own; a second ingestion of the same reports (a re-scan that finds nothing new); the
/// Findings page over the result beside its raw SQL; and peak memory in a child process.
/// </summary>
internal sealed class FindingsBenchmark(BenchmarkOptions options, TextWriter log)
{
    public const string ChildFlag = "--findings-memory-child";
    private const string Channel = "api-key ci";
    private static readonly ScanReportReaderOptions ReaderOptions = new();

    /// <summary>
    /// The reports are about the images the Images page seed puts in the inventory: digest <c>i</c> is image <c>i % 10</c>
    /// of seeded repository <c>i / 10</c>, scanned by its tag <c>1.j.2</c>. Each report names its digest in
    /// Metadata.RepoDigests, as <c>trivy image</c> does for an image pulled from a registry.
    /// </summary>
    public static TrivyReportGenerator Generator(int findings, int digests) => new(findings, digests, i =>
    {
        var repository = ImagesPageBenchmark.RepositoryName(i / ImagesPageBenchmark.ImagesPerRepository);
        var number = i % ImagesPageBenchmark.ImagesPerRepository;
        return (repository, $"1.{number}.2", ImagesPageBenchmark.DigestOf(repository, number));
    });

    public async Task<FindingsResults> RunAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var generator = Generator(options.Findings, options.FindingsDigests);
        await Log($"Findings: {Stats.Number(generator.Findings)} findings in {Stats.Number(generator.Digests)} Trivy reports "
            + $"({Stats.Number(generator.DistinctVulnerabilities)} distinct vulnerability ids; estate made in {Stats.Seconds(clock.Elapsed)}).");

        var databases = new List<FindingsDatabaseResults>();
        var memory = new List<(string, SyncMemory)>();
        if (!options.SkipFindingsSqlite)
        {
            databases.Add(await RunDatabaseAsync(generator, null, cancellationToken));
            memory.AddRange(await MeasureMemoryAsync("sqlite", cancellationToken));
        }

        if (options.FindingsPostgres)
        {
            var server = new PostgresServer();
            await server.InitializeAsync();
            try
            {
                databases.Add(await RunDatabaseAsync(generator, server, cancellationToken));
                memory.AddRange(await MeasureMemoryAsync("postgres", cancellationToken));
            }
            finally
            {
                await server.DisposeAsync();
            }
        }

        return new FindingsResults(generator.Findings, generator.Digests, generator.DistinctVulnerabilities, databases[0].Ingest.Bytes, databases, memory);
    }

    /// <summary>Peak memory of an ingestion and a re-scan into a fresh database of <paramref name="provider"/>, in a fresh child process.</summary>
    private async Task<IEnumerable<(string, SyncMemory)>> MeasureMemoryAsync(string provider, CancellationToken cancellationToken)
    {
        if (options.SkipMemory)
        {
            return [];
        }

        var name = Provider(provider == "postgres");
        await Log($"{name}: peak memory of an ingestion and a re-scan, in a fresh child process...");
        var (memory, _) = await MemoryProbe.RunChildAsync(
            [ChildFlag, options.Findings.ToString(CultureInfo.InvariantCulture), options.FindingsDigests.ToString(CultureInfo.InvariantCulture), provider,
                options.Concurrency.ToString(CultureInfo.InvariantCulture)],
            log, cancellationToken);
        return memory.Select(m => (name, m));
    }

    private static string Provider(bool postgres) => postgres ? "PostgreSQL" : "SQLite";

    private async Task<FindingsDatabaseResults> RunDatabaseAsync(TrivyReportGenerator generator, PostgresServer? server, CancellationToken cancellationToken)
    {
        var provider = Provider(server is not null);
        await using var portal = await StartAsync(server);
        var repositories = (generator.Digests + ImagesPageBenchmark.ImagesPerRepository - 1) / ImagesPageBenchmark.ImagesPerRepository;
        await Log($"{provider}: seeding the inventory with {Stats.Number(repositories)} repositories ({Stats.Number(repositories * ImagesPageBenchmark.ImagesPerRepository)} tagged digests)...");
        var clock = Stopwatch.StartNew();
        var (images, _, _) = await ImagesPageBenchmark.SeedAsync(portal, repositories, cancellationToken);
        var seedTime = clock.Elapsed;

        var settings = await SettingsAsync(portal, cancellationToken);
        await Log($"{provider}: seeded in {Stats.Seconds(seedTime)}{settings}. The floor: parsing alone and the same rows with plain prepared INSERTs, "
            + "one transaction per report, one report after another, into a database of their own...");
        TimeSpan parseAlone;
        IngestPass floor;
        await using (var floorPortal = await StartAsync(server))
        await using (var floorWriter = await FindingsFloor.OpenAsync(Contexts(floorPortal), cancellationToken))
        {
            (parseAlone, floor) = await FloorAsync(generator, floorWriter, cancellationToken);
        }

        await Log($"{provider}: floor {Stats.Seconds(floor.Store)}, parsing alone {Stats.Seconds(parseAlone)}. First ingestion, {options.Concurrency} deliveries at once...");
        var ingestion = portal.Services.GetRequiredService<FindingIngestion>();
        var ingest = await IngestAsync(generator, ingestion, options.Concurrency, cancellationToken);
        var stored = await CountFindingsAsync(portal, cancellationToken);
        await Log($"{provider}: ingested in {Stats.Seconds(ingest.Wall)} (parse {Stats.Seconds(ingest.Parse)}, generating {Stats.Seconds(ingest.Generate)}, summed over "
            + $"reports); {Stats.Number(stored)} findings stored. The same reports one at a time into a database of their own...");
        if (stored != generator.Findings || ingest.New != generator.Findings)
        {
            throw new InvalidOperationException($"{provider}: {generator.Findings} findings were reported, {ingest.New} counted new and {stored} stored.");
        }

        IngestPass oneAtATime;
        await using (var sequentialPortal = await StartAsync(server))
        {
            oneAtATime = await IngestAsync(generator, sequentialPortal.Services.GetRequiredService<FindingIngestion>(), 1, cancellationToken);
        }

        await Log($"{provider}: one at a time in {Stats.Seconds(oneAtATime.Total)} (parse {Stats.Seconds(oneAtATime.Parse)} + store {Stats.Seconds(oneAtATime.Store)}). "
            + "Re-scan (same reports again)...");
        var rescan = await IngestAsync(generator, ingestion, options.Concurrency, cancellationToken);
        if (server is null && options.KeepFindingsDatabase is { } keep)
        {
            await ImagesPageBenchmark.CopyDatabaseAsync(ConnectionString(portal), keep, cancellationToken);
            await Log($"{provider}: copied the database to {keep}.");
        }

        if (rescan.New != 0 || rescan.Dropped != 0 || await CountFindingsAsync(portal, cancellationToken) != stored)
        {
            throw new InvalidOperationException($"{provider}: the re-scan of unchanged reports counted {rescan.New} new and {rescan.Dropped} dropped.");
        }

        await Log($"{provider}: re-scan in {Stats.Seconds(rescan.Total)}." + (options.SkipFindingsPage ? "" : $" Timing the Findings page ({options.PageCalls} calls per query)..."));
        var page = options.SkipFindingsPage ? [] : await TimePageAsync(portal, generator, server is not null, cancellationToken);
        long? databaseBytes = server is null ? new FileInfo(new SqliteConnectionStringBuilder(ConnectionString(portal)).DataSource).Length : null;
        var whatIf = options.FindingsWhatIf ? await WhatIfAsync(generator, server, provider, cancellationToken) : null;
        return new FindingsDatabaseResults(provider, settings, seedTime, images, parseAlone, floor, ingest, oneAtATime, rescan, stored, databaseBytes, page, whatIf);
    }

    /// <summary>
    /// The first ingestion again, with its baselines, into fresh databases without <see cref="WhatIfIndex"/>, the index
    /// whose entries land all over the table (one per vulnerability id a report names), and the impacted-artifacts
    /// findings query without it. The inventory is not seeded: the ingestion does not read it.
    /// </summary>
    private async Task<FindingsWhatIf> WhatIfAsync(TrivyReportGenerator generator, PostgresServer? server, string provider, CancellationToken cancellationToken)
    {
        await Log($"{provider}: what-if, the first ingestion again without {WhatIfIndex}...");
        await using var portal = await StartAsync(server);
        await using var floorPortal = await StartAsync(server);
        foreach (var session in new[] { portal, floorPortal })
        {
            await using var db = Contexts(session);
            await db.Database.ExecuteSqlRawAsync($"DROP INDEX \"{WhatIfIndex}\"", cancellationToken);
        }

        await using var floorWriter = await FindingsFloor.OpenAsync(Contexts(floorPortal), cancellationToken);
        var (parseAlone, floor) = await FloorAsync(generator, floorWriter, cancellationToken);
        var ingest = await IngestAsync(generator, portal.Services.GetRequiredService<FindingIngestion>(), options.Concurrency, cancellationToken);
        var impacted = await QueryTiming.TimeRawAsync(ConnectionFactory(portal), FindingsPageSql.OpenFindingsOf, [("@id", generator.CommonCve)], options.PageCalls,
            cancellationToken);
        await Log($"{provider}: without {WhatIfIndex}: ingested in {Stats.Seconds(ingest.Total)} (floor {Stats.Seconds(floor.Store)}, parsing alone "
            + $"{Stats.Seconds(parseAlone)}); a vulnerability's open findings in {Stats.Millis(impacted.MedianMs)}.");
        return new FindingsWhatIf(WhatIfIndex, parseAlone, floor, ingest, impacted.MedianMs);
    }

    public const string WhatIfIndex = "IX_findings_VulnerabilityId_ResolvedAt";

    private static PortalDbContext Contexts(PortalSession portal) =>
        portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext();

    /// <summary>
    /// How the database is set up, e.g. " (WAL, synchronous 1, background checkpoint, a writer's at 50000 pages)" for SQLite, or PostgreSQL's
    /// durability and cache settings (the test server runs without fsync: a figure with it on would wait for the disk).
    /// </summary>
    private static async Task<string> SettingsAsync(PortalSession portal, CancellationToken cancellationToken)
    {
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(cancellationToken);
        await db.Database.OpenConnectionAsync(cancellationToken);
        await using var command = db.Database.GetDbConnection().CreateCommand();
        async Task<string> ValueAsync(string sql)
        {
            command.CommandText = sql;
            return Convert.ToString(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture)!;
        }

        return db.Database.IsSqlite()
            ? $" ({(await ValueAsync("PRAGMA journal_mode")).ToUpperInvariant()}, synchronous {await ValueAsync("PRAGMA synchronous")}, "
                + $"background checkpoint, a writer's at {await ValueAsync("PRAGMA wal_autocheckpoint")} pages)"
            : $" (PostgreSQL {await ValueAsync("SHOW server_version")}, fsync {await ValueAsync("SHOW fsync")}, synchronous_commit "
                + $"{await ValueAsync("SHOW synchronous_commit")}, shared_buffers {await ValueAsync("SHOW shared_buffers")})";
    }

    private static async Task<PortalSession> StartAsync(PostgresServer? server) =>
        server is null
            ? PortalSession.Start()
            : PortalSession.Start(settings: new Dictionary<string, string?>
            {
                ["Database:Provider"] = "Postgres",
                ["ConnectionStrings:Portal"] = await server.CreateDatabaseAsync(),
            });

    /// <summary>
    /// The baselines, report by report: each report's bytes read alone (parsing alone), and its parsed findings written by
    /// the floor into a database of its own.
    /// </summary>
    private static async Task<(TimeSpan ParseAlone, IngestPass Floor)> FloorAsync(TrivyReportGenerator generator, FindingsFloor floor,
        CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(256 * 1024);
        for (var i = 0; i < Math.Min(50, generator.Digests); i++)
        {
            // The JIT's first calls of the parser are not parsing.
            generator.Write(i, buffer);
            _ = ScanReportReader.Read(buffer.WrittenSpan, null, ReaderOptions);
        }

        var wall = Stopwatch.StartNew();
        var (parseAlone, floorTime, bytes) = (TimeSpan.Zero, TimeSpan.Zero, 0L);
        for (var i = 0; i < generator.Digests; i++)
        {
            generator.Write(i, buffer);
            bytes += buffer.WrittenCount;
            var started = Stopwatch.GetTimestamp();
            var report = ScanReportReader.Read(buffer.WrittenSpan, null, ReaderOptions);
            parseAlone += Stopwatch.GetElapsedTime(started);
            floorTime += await floor.WriteAsync(report, Channel, cancellationToken);
        }

        return (parseAlone, new IngestPass(generator.Digests, generator.Findings, bytes, TimeSpan.Zero, floorTime, wall.Elapsed, generator.Findings, 0, 1, TimeSpan.Zero));
    }

    /// <summary>
    /// The measured path over every report, by <paramref name="deliveries"/> callers at once, each taking the next report
    /// not yet taken: its bytes written into the caller's buffer, read as the API reads them, then ingested.
    /// </summary>
    public static async Task<IngestPass> IngestAsync(TrivyReportGenerator generator, FindingIngestion ingestion, int deliveries, CancellationToken cancellationToken)
    {
        var next = -1;
        var wall = Stopwatch.StartNew();
        var callers = await Task.WhenAll(Enumerable.Range(0, deliveries).Select(_ => Task.Run(async () =>
        {
            var buffer = new ArrayBufferWriter<byte>(256 * 1024);
            var totals = new IngestTotals();
            for (var i = Interlocked.Increment(ref next); i < generator.Digests; i = Interlocked.Increment(ref next))
            {
                var started = Stopwatch.GetTimestamp();
                generator.Write(i, buffer);
                totals.Generate += Stopwatch.GetElapsedTime(started);
                await totals.AddAsync(i, buffer, ingestion, cancellationToken);
            }

            return totals;
        }, cancellationToken)));
        return IngestTotals.Pass(callers, generator.Digests, wall.Elapsed, deliveries);
    }

    /// <summary>One caller's time in the parser and in the ingestion, summed over its reports, with what the ingestion said it did.</summary>
    private sealed class IngestTotals
    {
        private TimeSpan _parse;
        private TimeSpan _store;
        private long _findings;
        private int _new;
        private int _dropped;
        private long _bytes;

        public TimeSpan Generate { get; set; }

        public async Task AddAsync(int index, ArrayBufferWriter<byte> report, FindingIngestion ingestion, CancellationToken cancellationToken)
        {
            _bytes += report.WrittenCount;
            var started = Stopwatch.GetTimestamp();
            var parsed = ScanReportReader.Read(report.WrittenSpan, null, ReaderOptions);
            var read = Stopwatch.GetTimestamp();
            var result = await ingestion.IngestAsync(parsed, Channel, null, cancellationToken);
            _store += Stopwatch.GetElapsedTime(read);
            _parse += Stopwatch.GetElapsedTime(started, read);
            var artifact = result.Stored.Count == 1
                ? result.Stored[0]
                : throw new InvalidOperationException($"Report {index} was not stored for its digest ({result.Unmatched.Count} unmatched).");
            (_findings, _new, _dropped) = (_findings + artifact.Findings, _new + artifact.New, _dropped + artifact.Dropped);
        }

        public static IngestPass Pass(IReadOnlyCollection<IngestTotals> callers, int reports, TimeSpan wall, int deliveries) => new(
            reports, callers.Sum(c => c._findings), callers.Sum(c => c._bytes), Sum(callers, c => c._parse), Sum(callers, c => c._store), wall,
            callers.Sum(c => c._new), callers.Sum(c => c._dropped), deliveries, Sum(callers, c => c.Generate));

        private static TimeSpan Sum(IEnumerable<IngestTotals> callers, Func<IngestTotals, TimeSpan> time) => callers.Aggregate(TimeSpan.Zero, (sum, c) => sum + time(c));
    }

    private static async Task<long> CountFindingsAsync(PortalSession portal, CancellationToken cancellationToken)
    {
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(cancellationToken);
        return await db.Findings.LongCountAsync(cancellationToken);
    }

    private static string ConnectionString(PortalSession portal)
    {
        using var db = portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext();
        return db.Database.GetConnectionString()!;
    }

    private static Func<DbConnection> ConnectionFactory(PortalSession portal)
    {
        using var db = portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext();
        var connectionString = db.Database.GetConnectionString()!;
        return db.Database.IsNpgsql() ? () => new NpgsqlConnection(connectionString) : () => new SqliteConnection(connectionString);
    }

    /// <summary>
    /// <see cref="FindingCatalog.SearchAsync"/> (first page of 50, the page's default order) unfiltered and with the
    /// filters people use, beside the raw SQL of the same query (and its count, capped where the portal's stops) on the same database.
    /// </summary>
    private async Task<IReadOnlyList<FindingPageVariant>> TimePageAsync(PortalSession portal, TrivyReportGenerator generator, bool postgres,
        CancellationToken cancellationToken)
    {
        var catalog = portal.Services.GetRequiredService<FindingCatalog>();
        // The first page (skip 0, 50 rows) counts up to the limit; the raw count stops one past it, as the portal's does.
        var countUpTo = Math.Max(portal.Services.GetRequiredService<IOptions<FindingsOptions>>().Value.CountLimit, new FindingPageRequest(new FindingFilter()).Take);
        var connect = ConnectionFactory(portal);
        var sql = FindingsPageSql.For(postgres);
        var variants = new List<(string Name, FindingFilter Filter, string RawWhere, string? Search)>
        {
            ("first page, worst first", new FindingFilter(), "", null),
            ("minimum severity High", new FindingFilter(MinimumSeverity: Severity.High), FindingsPageSql.SeverityAtLeastHigh, null),
            ($"search a CVE id ({generator.CommonCve})", new FindingFilter(Search: generator.CommonCve), sql.SearchWhere, generator.CommonCve),
            ("search a package ('openssl')", new FindingFilter(Search: "openssl"), sql.SearchWhere, "openssl"),
            ("class filter (Platform)", new FindingFilter(Class: ImageClass.Platform), FindingsPageSql.ClassWhere("Platform"), null),
        };
        if (postgres)
        {
            // Timed right after the re-scan rewrote every row, PostgreSQL's count visits the table for each of them (the
            // visibility map is cleared) until autovacuum has been through; the first page again once it has.
            variants.Add((AfterVacuum, new FindingFilter(), "", null));
        }

        using var probe = new SqlCommandProbe();
        var results = new List<FindingPageVariant>();
        foreach (var (name, filter, rawWhere, search) in variants)
        {
            if (name == AfterVacuum)
            {
                await using var connection = connect();
                await connection.OpenAsync(cancellationToken);
                await using var vacuum = connection.CreateCommand();
                vacuum.CommandText = "VACUUM ANALYZE findings";
                vacuum.CommandTimeout = 600;
                await vacuum.ExecuteNonQueryAsync(cancellationToken);
            }

            // A query that takes seconds is timed in fewer calls (this first one warmed it up): its median says what it needs to.
            var first = Stopwatch.StartNew();
            await catalog.SearchAsync(new FindingPageRequest(filter), cancellationToken);
            var (warmups, calls) = first.Elapsed.TotalSeconds switch
            {
                > 10 => (0, 1),
                > 1 => (0, Math.Min(3, options.PageCalls)),
                _ => (QueryTiming.WarmupCalls, options.PageCalls),
            };
            var (times, page) = await QueryTiming.TimeAsync(() => catalog.SearchAsync(new FindingPageRequest(filter), cancellationToken), calls, probe, warmups);
            var commands = probe.Stop();
            (string, object)[] parameters = search is null
                ? [("@now", sql.Now(DateTimeOffset.UtcNow)), ("@limit", countUpTo + 1)]
                : [("@now", sql.Now(DateTimeOffset.UtcNow)), ("@limit", countUpTo + 1), ("@search", search.ToLowerInvariant())];
            var rawPage = await QueryTiming.TimeRawAsync(connect, FindingsPageSql.Page(rawWhere), parameters, calls, cancellationToken, warmups);
            var rawCount = await QueryTiming.TimeRawAsync(connect, FindingsPageSql.Count(rawWhere), parameters, calls, cancellationToken, warmups);
            if (rawPage.Rows != page.Items.Count || rawCount.Scalar != page.TotalCount || (rawCount.Scalar > countUpTo) != page.TotalIsLowerBound)
            {
                throw new InvalidOperationException($"{name}: the raw query found {rawPage.Rows} rows of {Total(rawCount.Scalar, rawCount.Scalar > countUpTo)}, "
                    + $"the portal {page.Items.Count} of {Total(page.TotalCount, page.TotalIsLowerBound)}.");
            }

            results.Add(new FindingPageVariant(name, page.TotalCount, page.TotalIsLowerBound, page.Items.Count, Stats.Median(times), Stats.Percentile(times, 95), rawPage.MedianMs,
                rawCount.MedianMs, commands.Values.Sum(c => c.Commands) / (double)calls, calls));
            await Log($"  {name}: portal {Stats.Millis(results[^1].PortalMedianMs)}, raw page {Stats.Millis(rawPage.MedianMs)}, raw count {Stats.Millis(rawCount.MedianMs)}");
        }

        // Not a target of the issue: the view that starts from a vulnerability, which IX_findings_VulnerabilityId_ResolvedAt serves.
        var cve = generator.CommonCve;
        var (impactedTimes, impacted) = await QueryTiming.TimeAsync(() => catalog.ImpactedAsync(cve, cancellationToken), options.PageCalls, null);
        var rawImpacted = await QueryTiming.TimeRawAsync(connect, FindingsPageSql.OpenFindingsOf, [("@id", cve)], options.PageCalls, cancellationToken);
        results.Add(new FindingPageVariant($"impacted artifacts of {cve}", impacted.Images.Count, false, rawImpacted.Rows, Stats.Median(impactedTimes),
            Stats.Percentile(impactedTimes, 95), rawImpacted.MedianMs, double.NaN, double.NaN, options.PageCalls, Target: false));
        await Log($"  impacted artifacts of {cve}: portal {Stats.Millis(results[^1].PortalMedianMs)}, raw findings query {Stats.Millis(rawImpacted.MedianMs)}");
        return results;
    }

    private const string AfterVacuum = "first page, after VACUUM";

    private static string Total(long counted, bool lowerBound) => lowerBound ? $"more than {Stats.Number(counted - 1)}" : Stats.Number(counted);

    private Task Log(string message) => BenchmarkLog.WriteAsync(log, message);

    /// <summary>
    /// The child's side: a fresh portal (on a PostgreSQL server of the child's own when asked: the server's memory is not
    /// the portal's), a warm-up on a small estate of other digests, then the measured ingestion and re-scan.
    /// </summary>
    public static async Task<int> ChildMainAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var (findings, digests) = (int.Parse(args[1], CultureInfo.InvariantCulture), int.Parse(args[2], CultureInfo.InvariantCulture));
        var deliveries = int.Parse(args[4], CultureInfo.InvariantCulture);
        var generator = Generator(findings, digests);
        var warmup = new TrivyReportGenerator(2_500, 50, i => ("warmup/app", $"1.{i}.0", ImagesPageBenchmark.DigestOf("warmup/app", i)), seed: 11);
        await using var server = args[3] == "postgres" ? new PostgresServer() : null;
        if (server is not null)
        {
            await server.InitializeAsync();
        }

        await using var portal = await StartAsync(server);
        var ingestion = portal.Services.GetRequiredService<FindingIngestion>();
        await IngestAsync(warmup, ingestion, deliveries, cancellationToken);
        await IngestAsync(warmup, ingestion, deliveries, cancellationToken);
        foreach (var mode in new[] { "Ingest", "Rescan" })
        {
            MemoryProbe.WriteResult(await MemoryProbe.MeasureAsync(mode, async () => (await IngestAsync(generator, ingestion, deliveries, cancellationToken)).Wall));
        }

        return 0;
    }
}
