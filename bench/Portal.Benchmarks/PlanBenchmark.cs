using System.Data.Common;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Lifecycle;
using Portal.Data;
using Portal.Features.Lifecycle;
using Portal.Tests.TestInfrastructure;

namespace Portal.Benchmarks;

/// <summary>One estate size's figures: medians of the timed runs, and peak memory from a child process.</summary>
internal sealed record PlanScaleResult(
    string Database, int Percent, EstateSize Size, TimeSpan SeedTime, TimeSpan Total, TimeSpan Load, TimeSpan Decide, TimeSpan RawReads,
    int RawRows, int SnapshotImages, int SnapshotFindings, IReadOnlyDictionary<ActionKind, int> Actions, int Kept, SyncMemory? Memory);

/// <summary>
/// The lifecycle plan (<see cref="LifecyclePlanner.PlanAsync"/>: load the snapshot, then <see cref="DecisionEngine.Decide"/>)
/// over seeded estates at 10%, 50% and 100% of 100,000 tags, 20,000 digests, 1,000,000 findings and 10,000 workloads,
/// each in a fresh portal database; beside it the baseline: the same rows read with plain ADO.NET commands on the
/// same connection (no EF, nothing built), so the load's overhead over the database shows.
/// </summary>
internal sealed class PlanBenchmark(BenchmarkOptions options, TextWriter log)
{
    public const string ChildFlag = "--plan-child";
    public const double TotalTargetSeconds = 5;
    public const long MemoryTargetBytes = 1536L * 1024 * 1024;
    private static readonly int[] Percents = [10, 50, 100];

    public async Task<IReadOnlyList<PlanScaleResult>> RunAsync(CancellationToken cancellationToken)
    {
        var results = new List<PlanScaleResult>();
        foreach (var percent in Percents)
        {
            results.Add(await RunScaleAsync("SQLite", percent, new Dictionary<string, string?>(), cancellationToken));
        }

        if (options.PlanOnPostgres)
        {
            await using var server = new PostgresServer();
            await server.InitializeAsync();
            foreach (var percent in Percents)
            {
                var settings = new Dictionary<string, string?>
                {
                    ["Database:Provider"] = "Postgres",
                    ["ConnectionStrings:Portal"] = await server.CreateDatabaseAsync(),
                };
                results.Add(await RunScaleAsync("PostgreSQL", percent, settings, cancellationToken));
            }
        }

        return results;
    }

    private async Task<PlanScaleResult> RunScaleAsync(string database, int percent, Dictionary<string, string?> settings, CancellationToken cancellationToken)
    {
        var scale = options.PlanScale * percent / 100;
        var (digests, findings, workloads) = ((int)(EstateSeeder.FullDigests * scale), (int)(EstateSeeder.FullFindings * scale),
            (int)(EstateSeeder.FullWorkloads * scale));
        await using var portal = PortalSession.Start(settings: settings);
        await BenchmarkLog.WriteAsync(log, $"Plan, {database} {percent}%: seeding {Stats.Number(digests)} digests, "
            + $"{Stats.Number(findings)} findings, {Stats.Number(workloads)} workloads...");
        var clock = Stopwatch.StartNew();
        var size = await new EstateSeeder(portal, DateTimeOffset.UtcNow).SeedAsync(digests, findings, workloads, cancellationToken);
        var seedTime = clock.Elapsed;
        await BenchmarkLog.WriteAsync(log, $"Seeded in {Stats.Seconds(seedTime)}; planning once to warm up, then {options.Runs} timed runs...");

        var planner = portal.Services.GetRequiredService<LifecyclePlanner>();
        var last = await planner.PlanAsync(cancellationToken);
        var (totals, loads, decides, raws) = (new List<TimeSpan>(), new List<TimeSpan>(), new List<TimeSpan>(), new List<TimeSpan>());
        var rawRows = 0;
        var contexts = portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        for (var run = 0; run < options.Runs; run++)
        {
            // Alternate with the baseline so both see the same machine load.
            var started = Stopwatch.GetTimestamp();
            last = await planner.PlanAsync(cancellationToken);
            totals.Add(Stopwatch.GetElapsedTime(started));
            loads.Add(last.LoadTime);
            decides.Add(last.DecideTime);
            last = null!; // let the plan go before the baseline runs, as a caller would
            started = Stopwatch.GetTimestamp();
            rawRows = await ReadRawAsync(contexts, cancellationToken);
            raws.Add(Stopwatch.GetElapsedTime(started));
        }

        last = await planner.PlanAsync(cancellationToken);
        if (rawRows != RowsOf(last.Snapshot))
        {
            throw new InvalidOperationException($"The raw reads found {rawRows} rows, the snapshot holds {RowsOf(last.Snapshot)}.");
        }

        SyncMemory? memory = null;
        if (!options.SkipMemory)
        {
            await BenchmarkLog.WriteAsync(log, $"Peak memory of a plan in a child process...");
            string connectionString;
            await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
            {
                connectionString = db.Database.GetConnectionString()!;
            }

            var (measured, _) = await MemoryProbe.RunChildAsync(
                [ChildFlag, settings.GetValueOrDefault("Database:Provider") ?? "Sqlite", connectionString], log, cancellationToken);
            memory = measured[0];
        }

        var result = new PlanScaleResult(database, percent, size, seedTime, Stats.Median(totals), Stats.Median(loads), Stats.Median(decides),
            Stats.Median(raws), rawRows, last.Snapshot.Images.Count, last.Snapshot.Findings.Count,
            last.Plan.Actions.GroupBy(a => a.Kind).ToDictionary(g => g.Key, g => g.Count()), last.Plan.Kept.Count, memory);
        await BenchmarkLog.WriteAsync(log, $"{database} {percent}%: total {Stats.Seconds(result.Total)} (load {Stats.Seconds(result.Load)}, "
            + $"decide {Stats.Seconds(result.Decide)}), raw reads {Stats.Seconds(result.RawReads)}"
            + (memory is null ? "" : $", peak {Stats.Mebibytes(memory.PeakRss)}."));
        return result;
    }

    // What the raw reads count: every row the snapshot is built from.
    private static int RowsOf(LifecycleSnapshot s) =>
        s.Images.Count + s.Images.Sum(i => i.Tags.Count) + s.Findings.Count + s.Exceptions.Count + s.Workloads.Count + s.Holds.Count
        + s.Extensions.Count + s.ExecutedKeys.Count;

    /// <summary>
    /// The baseline: the planner's reads as plain SQL on one connection, each value read and dropped. Present
    /// top-level images (the planner also reads platform children, which it folds into their index), present tags,
    /// open blocking findings under the default policy (malware is Critical), and the small tables whole, filtered as the planner does.
    /// Returns the rows that match the snapshot's contents, to check both read the same estate.
    /// </summary>
    private static async Task<int> ReadRawAsync(IDbContextFactory<PortalDbContext> contexts, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync(cancellationToken);
        var rows = 0;
        rows += await CountAsync(connection, """
            SELECT i."Id", i."ParentId", i."Digest", i."RepositoryId", r."Name", i."Class", i."Track", i."Channel", i."Created", i."FirstSeen"
            FROM images AS i JOIN repositories AS r ON r."Id" = i."RepositoryId" WHERE i."GoneAt" IS NULL
            """, row => row.IsDBNull(1), cancellationToken);
        rows += await CountAsync(connection, """SELECT "Id", "Name", "ImageId", "FirstSeen" FROM tags WHERE "GoneAt" IS NULL""", null, cancellationToken);
        rows += await CountAsync(connection, """
            SELECT "Digest", "Kind", "VulnerabilityId", "Package", "Severity", "FirstSeen" FROM findings
            WHERE "ResolvedAt" IS NULL AND "Severity" IN ('Critical', 'High')
            """, null, cancellationToken);
        rows += await CountAsync(connection, """SELECT * FROM finding_exceptions WHERE "RevokedAt" IS NULL""", null, cancellationToken);
        rows += await CountAsync(connection, """SELECT "Id", "Cluster", "Namespace", "Name", "Kind", "Lifetime", "Status" FROM workloads WHERE "GoneAt" IS NULL""",
            null, cancellationToken);
        await CountAsync(connection, """SELECT "WorkloadId", "ImageId" FROM workload_images WHERE "ImageId" IS NOT NULL""", null, cancellationToken);
        await CountAsync(connection, """SELECT "Cluster", "Namespace", "Email" FROM namespace_members WHERE "Role" = 'Owner'""", null, cancellationToken);
        rows += await CountAsync(connection, """SELECT * FROM holds WHERE "LiftedAt" IS NULL""", null, cancellationToken);
        await CountAsync(connection, """SELECT * FROM manual_eols""", null, cancellationToken);
        rows += await CountAsync(connection, """SELECT * FROM extension_requests WHERE "Status" = 'Granted'""", null, cancellationToken);
        rows += await CountAsync(connection, """SELECT "Key" FROM lifecycle_actions WHERE "Status" = 'Done'""", null, cancellationToken);
        return rows;
    }

    /// <summary>Reads every value of every row; counts the rows <paramref name="counts"/> accepts (all when null).</summary>
    private static async Task<int> CountAsync(DbConnection connection, string sql, Func<DbDataReader, bool>? counts, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
#pragma warning disable CA2100 // The SQL is this benchmark's own constant text.
        command.CommandText = sql;
#pragma warning restore CA2100
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            for (var f = 0; f < reader.FieldCount; f++)
            {
                _ = reader.GetValue(f);
            }

            rows += counts is null || counts(reader) ? 1 : 0;
        }

        return rows;
    }

    /// <summary>The child's side: the portal on the seeded database, one plan to warm up, then one measured.</summary>
    public static async Task<int> ChildMainAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        await using var portal = PortalSession.Start(settings: new Dictionary<string, string?>
        {
            ["Database:Provider"] = args[1],
            ["ConnectionStrings:Portal"] = args[2],
        });
        var planner = portal.Services.GetRequiredService<LifecyclePlanner>();
        await planner.PlanAsync(cancellationToken);
        MemoryProbe.WriteResult(await MemoryProbe.MeasureAsync("plan", async () =>
        {
            var started = Stopwatch.GetTimestamp();
            await planner.PlanAsync(cancellationToken);
            return Stopwatch.GetElapsedTime(started);
        }));
        return 0;
    }

    /// <summary>Rows for the results table: at full size the targets, at 10% and 50% the same figures for information.</summary>
    public static void AddTo(Report report, IReadOnlyList<PlanScaleResult> results, double planScale)
    {
        foreach (var r in results)
        {
            // Targets hold for the issue's estate; smaller ones (and a --plan-scale below 1) are for information.
            var full = r.Percent == 100 && planScale >= 1;
            var estate = $"{Stats.Number(r.Size.Tags)} tags, {Stats.Number(r.Size.Findings)} findings, {Stats.Number(r.Size.Workloads)} workloads";
            report.Add($"Lifecycle plan, {r.Database} {r.Percent}% ({estate}; median): total", Stats.Seconds(r.Total),
                $"{Stats.Seconds(r.RawReads)} raw SQL reads", Stats.Ratio(r.Total / r.RawReads), full ? $"<= {TotalTargetSeconds} s" : "",
                full ? r.Total.TotalSeconds <= TotalTargetSeconds : null);
            report.Add("  load snapshot from the database", Stats.Seconds(r.Load), $"{Stats.Seconds(r.RawReads)} raw SQL reads",
                Stats.Ratio(r.Load / r.RawReads), "", null);
            report.Add("  decide (engine over the snapshot in memory)", Stats.Seconds(r.Decide), "", "", "", null);
            if (r.Memory is { } m)
            {
                report.Add("  peak memory of the process (child, after a warm-up plan)", Stats.Mebibytes(m.PeakRss),
                    $"{Stats.Mebibytes(m.RssBefore)} before the plan", "", full ? $"<= {Stats.Mebibytes(MemoryTargetBytes)}" : "",
                    full ? m.PeakRss <= MemoryTargetBytes : null);
            }
        }
    }

    /// <summary>How cost grows with the estate, and what the estates and plans held.</summary>
    public static void WriteDetails(TextWriter log, IReadOnlyList<PlanScaleResult> results)
    {
        // Figures print with the invariant culture, which Program sets for the whole run.
        log.WriteLine();
        log.WriteLine("Lifecycle plan: cost by estate size");
        foreach (var r in results)
        {
            var s = r.Size;
            log.WriteLine(
                $"  {r.Database} {r.Percent,3}%: {Stats.Number(s.Repositories)} repositories, {Stats.Number(s.Digests)} digests ({Stats.Number(s.ImageRows)} image rows), "
                + $"{Stats.Number(s.Tags)} tags, {Stats.Number(s.Findings)} findings ({Stats.Number(s.BlockingFindings)} open Critical/High/malware), "
                + $"{Stats.Number(s.Workloads)} workloads in {Stats.Number(s.Namespaces)} namespaces, {s.Holds} holds, {s.ManualEols} manual EOLs, "
                + $"{s.Extensions} extensions, {s.Exceptions} exceptions, {s.ExecutedActions} executed actions; seeded in {Stats.Seconds(r.SeedTime)}");
            log.WriteLine(
                $"        load {Stats.Seconds(r.Load)}, decide {Stats.Seconds(r.Decide)}, total {Stats.Seconds(r.Total)}; raw reads {Stats.Seconds(r.RawReads)} "
                + $"({Stats.Number(r.RawRows)} rows); snapshot {Stats.Number(r.SnapshotImages)} images, {Stats.Number(r.SnapshotFindings)} findings; plan "
                + string.Join(", ", r.Actions.OrderBy(a => a.Key).Select(a => $"{Stats.Number(a.Value)} {a.Key}")) + $", {Stats.Number(r.Kept)} kept");
            if (r.Memory is { } m)
            {
                log.WriteLine(
                    $"        memory: peak RSS {Stats.Mebibytes(m.PeakRss)} ({Stats.Mebibytes(m.PeakRssGrowth)} above the idle portal{(m.PeakIsExact ? "" : ", sampled")}), "
                    + $"managed peak {Stats.Mebibytes(m.SampledPeakManaged)}, {Stats.Mebibytes(m.AllocatedBytes)} allocated, GCs {m.Gen0}/{m.Gen1}/{m.Gen2}");
            }
        }

        foreach (var group in results.GroupBy(r => r.Database))
        {
            if (group.FirstOrDefault(r => r.Percent == 10) is { } small && group.FirstOrDefault(r => r.Percent == 100) is { } large)
            {
                log.WriteLine(
                    $"  {group.Key}, 10% to 100% (10x the estate): load x{large.Load / small.Load:0.0}, decide x{large.Decide / small.Decide:0.0}, "
                    + $"total x{large.Total / small.Total:0.0}"
                    + (small.Memory is { } a && large.Memory is { } b ? $", peak memory growth x{b.PeakRssGrowth / (double)a.PeakRssGrowth:0.0}" : ""));
            }
        }
    }
}
