using System.Globalization;

namespace Portal.Benchmarks;

/// <summary>Turns the measurements into table rows against the issue's targets, and prints the detail behind them.</summary>
internal static class ResultsWriter
{
    public const double FullSyncTarget = 1.5;
    public const double IncrementalTarget = 0.20;
    public const long MemoryTargetBytes = 300L * 1024 * 1024;
    public const double PageTargetMs = 300;
    public const double WorkloadSyncTarget = 2.0;
    public const double MalwareScanTarget = 1.2;

    public static void AddMalware(Report report, MalwareResults malware)
    {
        var portal = Stats.Median(malware.Runs.Select(r => r.Portal));
        var baseline = Stats.Median(malware.Runs.Select(r => r.Baseline));
        var ratio = portal / baseline;
        report.Add($"Malware scan of a {Stats.Mebibytes(malware.UnpackedBytes)} image ({Stats.Number(malware.Files)} files, {malware.Layers} layers, "
                + $"{Stats.Mebibytes(malware.ImageBytes)} compressed; median of {malware.Runs.Count})",
            Stats.Seconds(portal), $"{Stats.Seconds(baseline)} clamdscan --fdpass, files on disk", Stats.Ratio(ratio),
            $"<= {Stats.Ratio(MalwareScanTarget)} baseline", ratio <= MalwareScanTarget);
        var throughput = malware.UnpackedBytes / portal.TotalSeconds;
        report.Add("  throughput (download, unpack, scan)", $"{Stats.Mebibytes((long)throughput)}/s", "", "", "", null);
    }

    public static void AddSync(Report report, SyncResults sync)
    {
        var runs = sync.Runs;
        var full = Stats.Median(runs.Select(r => r.Full.Elapsed));
        var baseline = Stats.Median(runs.Select(r => r.Baseline.Elapsed));
        var incremental = Stats.Median(runs.Select(r => r.Incremental.Elapsed));
        var heads = Stats.Median(runs.Select(r => r.HeadBaseline.Elapsed));
        var fullRatio = full / baseline;
        var byEvents = Stats.Median(runs.Select(r => r.ByEvents.Elapsed));
        var oneEvent = Stats.Median(runs.Select(r => r.OneEvent.Elapsed));
        var incrementalRatio = byEvents / full;
        var tags = Stats.Number(sync.PushedTags);
        var median = $"median of {runs.Count}";

        report.Add($"Full sync, {tags} tags, empty DB ({median})", Stats.Seconds(full),
            $"{Stats.Seconds(baseline)} HttpClient loop, same requests", Stats.Ratio(fullRatio),
            $"<= {Stats.Ratio(FullSyncTarget)} baseline", fullRatio <= FullSyncTarget);
        report.Add($"No-change incremental sync, registry events followed ({median})", Stats.Seconds(byEvents), $"{Stats.Seconds(full)} full sync",
            Stats.Ratio(incrementalRatio), $"<= {Stats.Ratio(IncrementalTarget)} full sync", incrementalRatio <= IncrementalTarget);
        var eventRequests = runs.Max(r => r.Portal.ByEventsRequests.Values.Sum());
        report.Add("  registry requests in it (max)", Stats.Number(eventRequests), "", "", "= 0", eventRequests == 0);
        report.Add("  incremental after an event for one repository", Stats.Seconds(oneEvent), $"{Stats.Seconds(full)} full sync",
            Stats.Ratio(oneEvent / full), "", null);
        report.Add($"No-change incremental sync, every tag by HEAD (events not followed, or once per Inventory:VerifyEvery)", Stats.Seconds(incremental),
            $"{Stats.Seconds(full)} full sync", Stats.Ratio(incremental / full), "", null);
        var downloads = runs.Max(r => r.Incremental.Summary.ManifestDownloads);
        report.Add("  manifest downloads in it (max)", Stats.Number(downloads), "", "", "= 0", downloads == 0);
        report.Add("  incremental by HEAD vs its HTTP floor", Stats.Seconds(incremental),
            $"{Stats.Seconds(heads)} loop of catalog+tags+1 HEAD/tag", Stats.Ratio(incremental / heads), "", null);
        report.Add("  HTTP floor of incremental by HEAD vs full sync", Stats.Seconds(heads), $"{Stats.Seconds(full)} full sync",
            Stats.Ratio(heads / full), "", null);

        foreach (var memory in sync.Memory)
        {
            AddMemory(report, memory, $"{memory.Mode.ToLowerInvariant()} sync", memory.Mode == "Full" ? MemoryTargetBytes : null);
        }
    }

    public static void WriteSyncDetails(TextWriter log, SyncResults sync)
    {
        log.WriteLine();
        log.WriteLine($"Sync details ({Stats.Number(sync.PushedTags)} tags pushed in {Stats.Seconds(sync.PushTime)}):");
        log.WriteLine("  run  baseline  HEAD-loop  full-sync (read + apply)         incremental by HEAD (read + apply)  by events  one event");
        foreach (var (run, i) in sync.Runs.Select((r, i) => (r, i)))
        {
            log.WriteLine($"  {i + 1,3}  {Stats.Seconds(run.Baseline.Elapsed),8}  {Stats.Seconds(run.HeadBaseline.Elapsed),9}  "
                + $"{Stats.Seconds(run.Full.Elapsed),8} ({Stats.Seconds(run.Full.ReadPhase)} + {Stats.Seconds(run.Full.ApplyPhase)})       "
                + $"{Stats.Seconds(run.Incremental.Elapsed),8} ({Stats.Seconds(run.Incremental.ReadPhase)} + {Stats.Seconds(run.Incremental.ApplyPhase)})        "
                + $"{Stats.Seconds(run.ByEvents.Elapsed),9}  {Stats.Seconds(run.OneEvent.Elapsed),9}");
        }

        var last = sync.Runs[^1];
        log.WriteLine("  Registry requests (last run):      " + string.Join("  ", RequestCounter.Kinds.Select(k => $"{k,14}")));
        WriteRequests(log, "    baseline loop", last.BaselineRequests);
        WriteRequests(log, "    full sync", last.Portal.FullRequests);
        WriteRequests(log, "    HEAD loop", last.HeadBaselineRequests);
        WriteRequests(log, "    incremental sync", last.Portal.IncrementalRequests);
        WriteRequests(log, "    by events", last.Portal.ByEventsRequests);
        WriteRequests(log, "    after one event", last.Portal.OneEventRequests);
        log.WriteLine("  SQL commands during the sync (last run; count / time inside SQLite):");
        WriteSql(log, "    full sync", last.Portal.FullSql);
        WriteSql(log, "    incremental sync", last.Portal.IncrementalSql);
        log.WriteLine($"  Last full sync: {last.Full.Summary}");
        log.WriteLine($"  Last incremental sync: {last.Incremental.Summary}");
        log.WriteLine($"  Last sync by events: {last.ByEvents.Summary}");
        log.WriteLine($"  Last sync after one event: {last.OneEvent.Summary}");
        WriteMemory(log, sync.Memory);
        WriteAllocations(log, sync.Allocations, "a full sync");
        if (sync.Memory.Count > 0)
        {
            log.WriteLine("  (Method: the child starts the portal, warms up on a 10 x 5 registry, forces a full GC, resets the peak-RSS counter,");
            log.WriteLine("   runs the sync, and reads the peak back; growth = peak - RSS just before. The process runs server GC, as the portal does.)");
        }
    }

    public static void AddPage(Report report, PageResults page)
    {
        // The issue's target is the unfiltered first page; filters and search are held to the same bar.
        foreach (var (v, i) in page.Variants.Select((v, i) => (v, i)))
        {
            report.Add($"Images page, {v.Name} ({Stats.Number(page.Tags)} tags)", $"{Stats.Millis(v.PortalMedianMs)} (p95 {Stats.Millis(v.PortalP95Ms)})",
                $"{Stats.Millis(v.RawPageMedianMs)} raw SQL page", Stats.Ratio(v.PortalMedianMs / v.RawPageMedianMs),
                i == 0 ? $"<= {PageTargetMs:0} ms" : $"<= {PageTargetMs:0} ms (same bar)", v.PortalMedianMs <= PageTargetMs);
        }
    }

    public static void WritePageDetails(TextWriter log, PageResults page)
    {
        log.WriteLine();
        log.WriteLine($"Images page details: {Stats.Number(page.Repositories)} repositories, {Stats.Number(page.Images)} tagged digests ({Stats.Number(page.ImageRows)} image rows "
            + $"with platform children), {Stats.Number(page.Tags)} tags; seeded in {Stats.Seconds(page.SeedTime)}; SQLite file {Stats.Mebibytes(page.DatabaseBytes)}.");
        log.WriteLine("  query                                   total  rows  portal median  SQL cmds/call  SQL time/call  raw page  raw COUNT");
        foreach (var v in page.Variants)
        {
            log.WriteLine($"  {v.Name,-38} {v.TotalCount,6} {v.Rows,5}  {Stats.Millis(v.PortalMedianMs),13}  {v.SqlCommandsPerCall,13:0.0}  {Stats.Millis(v.SqlMsPerCall),13}  "
                + $"{Stats.Millis(v.RawPageMedianMs),8}  {Stats.Millis(v.RawCountMedianMs),9}");
        }
    }

    public static void WritePageWhatIf(TextWriter log, PageResults page)
    {
        if (page.WhatIf.Count == 0)
        {
            return;
        }

        log.WriteLine("  What-if, with covering indexes images(GoneAt, ParentId, Created, RepositoryId, Digest) and tags(ImageId, GoneAt, Name)");
        log.WriteLine("  replacing IX_images_GoneAt_ParentId_Created and IX_tags_ImageId_GoneAt (portal code unchanged):");
        log.WriteLine("  query                                   portal median before -> after (p95 after)   raw page after  raw COUNT after");
        foreach (var after in page.WhatIf)
        {
            var before = page.Variants.Single(v => v.Name == after.Name);
            log.WriteLine($"  {after.Name,-38} {Stats.Millis(before.PortalMedianMs),10} -> {Stats.Millis(after.PortalMedianMs),9} ({Stats.Millis(after.PortalP95Ms)})"
                + $"   {Stats.Millis(after.RawPageMedianMs),12}  {Stats.Millis(after.RawCountMedianMs),13}");
        }
    }

    public static void AddWorkloads(Report report, WorkloadResults workloads)
    {
        var runs = workloads.Runs;
        var baseline = Stats.Median(runs.Select(r => r.Baseline.Elapsed));
        var first = Stats.Median(runs.Select(r => r.First.Elapsed));
        var second = Stats.Median(runs.Select(r => r.Second.Elapsed));
        var median = $"median of {runs.Count}";
        var listCalls = $"{Stats.Seconds(baseline)} raw list calls, same requests";

        report.Add($"Workload first sync, {Stats.Number(workloads.Seed.Pods)} pods in {Stats.Number(workloads.Seed.Namespaces)} ns, empty DB ({median})",
            Stats.Seconds(first), listCalls, Stats.Ratio(first / baseline), $"<= {Stats.Ratio(WorkloadSyncTarget)} baseline", first / baseline <= WorkloadSyncTarget);
        report.Add("  first sync: read phase (list calls + mapping)", Stats.Seconds(Stats.Median(runs.Select(r => r.First.ReadPhase))), listCalls,
            Stats.Ratio(Stats.Median(runs.Select(r => r.First.ReadPhase)) / baseline), "", null);
        report.Add("  first sync: build + database write", Stats.Seconds(Stats.Median(runs.Select(r => r.First.WritePhase))), "", "", "", null);
        report.Add($"Workload no-change second sync ({median})", Stats.Seconds(second), listCalls, Stats.Ratio(second / baseline),
            $"<= {Stats.Ratio(WorkloadSyncTarget)} baseline", second / baseline <= WorkloadSyncTarget);
        report.Add("  second sync: build + database write", Stats.Seconds(Stats.Median(runs.Select(r => r.Second.WritePhase))), "", "", "", null);

        foreach (var memory in workloads.Memory)
        {
            AddMemory(report, memory, $"{memory.Mode.ToLowerInvariant()} sync", memory.Mode.StartsWith("First", StringComparison.Ordinal) ? MemoryTargetBytes : null);
        }
    }

    public static void WriteWorkloadDetails(TextWriter log, WorkloadResults workloads)
    {
        var seed = workloads.Seed;
        log.WriteLine();
        log.WriteLine($"Workload sync details: {Stats.Number(seed.Pods)} pods ({Stats.Number(seed.Containers)} containers, {Stats.Number(seed.DistinctImages)} distinct images; "
            + $"{Stats.Mebibytes(seed.PodBytes)} of pod JSON, {seed.PodBytes / (double)seed.Pods / 1024:0.0} KB a pod), {Stats.Number(seed.ReplicaSets)} ReplicaSets, "
            + $"{Stats.Number(seed.RoleBindings)} RoleBindings ({Stats.Number(seed.ContributorBindings)} contributors), {Stats.Number(seed.Notebooks)} notebooks, "
            + $"{Stats.Number(seed.Profiles)} profiles in {Stats.Number(seed.Namespaces)} namespaces; generated in {Stats.Seconds(workloads.GenerateTime)}, "
            + $"loaded by the emulator (its own process) in {Stats.Seconds(workloads.EmulatorStart)}; page size {workloads.PageSize}.");
        log.WriteLine("  run  list calls  first sync (read + build/write)   second sync (read + build/write)");
        foreach (var (run, i) in workloads.Runs.Select((r, i) => (r, i)))
        {
            log.WriteLine($"  {i + 1,3}  {Stats.Seconds(run.Baseline.Elapsed),10}  {Stats.Seconds(run.First.Elapsed),10} ({Stats.Seconds(run.First.ReadPhase)} + {Stats.Seconds(run.First.WritePhase)})"
                + $"   {Stats.Seconds(run.Second.Elapsed),10} ({Stats.Seconds(run.Second.ReadPhase)} + {Stats.Seconds(run.Second.WritePhase)})");
        }

        var last = workloads.Runs[^1];
        var paths = last.BaselineRequests.Keys.Union(last.FirstRequests.Keys).Order(StringComparer.Ordinal).ToList();
        log.WriteLine($"  {"Emulator requests (last run):",-54} {"list calls",10} {"first sync",10}");
        foreach (var path in paths)
        {
            log.WriteLine($"    {path,-52} {Stats.Number(last.BaselineRequests.GetValueOrDefault(path)),10} {Stats.Number(last.FirstRequests.GetValueOrDefault(path)),10}");
        }

        log.WriteLine($"  Allocated (last run, this process): list calls {Stats.Mebibytes(last.Baseline.Allocated)}, first sync {Stats.Mebibytes(last.First.Allocated)}, "
            + $"second sync {Stats.Mebibytes(last.Second.Allocated)}.");
        log.WriteLine("  SQL commands during the sync (last run; count / time inside SQLite):");
        WriteSql(log, "    first sync", last.FirstSql);
        WriteSql(log, "    second sync", last.SecondSql);
        log.WriteLine($"  Last first sync: {last.First.Summary}");
        log.WriteLine($"  Last second sync: {last.Second.Summary}");
        WriteMemory(log, workloads.Memory);
        WriteAllocations(log, workloads.Allocations, "a first workload sync");
        if (workloads.Memory.Count > 0)
        {
            log.WriteLine($"  (Method: as for the inventory; the child warms up on a {WorkloadSyncBenchmark.WarmupPods}-pod cluster of its own emulator, and the emulator");
            log.WriteLine("   serving the measured cluster runs in another process, so its copy of the objects is not counted.)");
        }
    }

    /// <summary>Peak RSS growth of <paramref name="what"/> (held to <paramref name="targetBytes"/> if given) and its managed heap peak.</summary>
    public static void AddMemory(Report report, SyncMemory memory, string what, long? targetBytes, string before = "pre-sync")
    {
        report.Add($"Peak memory, {what} (RSS above {before})", Stats.Mebibytes(memory.PeakRssGrowth),
            $"RSS before {Stats.Mebibytes(memory.RssBefore)}, peak {Stats.Mebibytes(memory.PeakRss)}", "",
            targetBytes is { } target ? $"<= {Stats.Mebibytes(target)}" : "", targetBytes is { } limit ? memory.PeakRssGrowth <= limit : null);
        report.Add($"  managed heap peak, {what} (sampled, above {before})",
            Stats.Mebibytes(memory.PeakManagedGrowth), $"allocated {Stats.Mebibytes(memory.AllocatedBytes)} in total", "", "", null);
    }

    public static void WriteMemory(TextWriter log, IReadOnlyList<SyncMemory> memory, string what = "sync")
    {
        foreach (var m in memory)
        {
            log.WriteLine($"  Memory, {m.Mode} {what} in a fresh child process ({m.Seconds:0.00} s): RSS {Stats.Mebibytes(m.RssBefore)} before, peak {Stats.Mebibytes(m.PeakRss)} "
                + $"({(m.PeakIsExact ? "VmHWM reset via /proc/self/clear_refs" : "sampled every 10 ms")}; 10 ms sampler saw {Stats.Mebibytes(m.SampledPeakRss)}), "
                + $"managed heap {Stats.Mebibytes(m.ManagedBefore)} -> peak {Stats.Mebibytes(m.SampledPeakManaged)} (sampled), "
                + $"{Stats.Mebibytes(m.AllocatedBytes)} allocated, GCs gen0/1/2 {m.Gen0}/{m.Gen1}/{m.Gen2}.");
        }
    }

    private static void WriteAllocations(TextWriter log, IReadOnlyList<(string Type, long Bytes)> allocations, string what)
    {
        if (allocations.Count == 0)
        {
            return;
        }

        var total = allocations.FirstOrDefault(a => a.Type == MemoryProbe.AllTypes).Bytes;
        log.WriteLine($"  Allocations of {what} by type (GCAllocationTick sampling, one sample per ~100 KB; the largest):");
        foreach (var (type, bytes) in allocations)
        {
            log.WriteLine($"    {Stats.Mebibytes(bytes),10}  {bytes * 100.0 / total,5:0.0}%  {(type.Length > 110 ? type[..107] + "..." : type)}");
        }
    }

    private static void WriteRequests(TextWriter log, string label, IReadOnlyDictionary<string, int> counts) =>
        log.WriteLine($"{label,-36}" + string.Join("  ", RequestCounter.Kinds.Select(k => $"{Stats.Number(counts.GetValueOrDefault(k)),14}")));

    private static void WriteSql(TextWriter log, string label, IReadOnlyDictionary<string, (int Commands, TimeSpan Duration)> sql) =>
        log.WriteLine($"{label,-22}" + string.Join(", ", sql.OrderByDescending(p => p.Value.Duration)
            .Select(p => $"{p.Key} {Stats.Number(p.Value.Commands)} / {Stats.Seconds(p.Value.Duration)}"))
            + $"; total {Stats.Number(sql.Values.Sum(v => v.Commands))} / {Stats.Seconds(TimeSpan.FromTicks(sql.Values.Sum(v => v.Duration.Ticks)))}");
}
