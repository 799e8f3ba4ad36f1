using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Portal.Features.Inventory;

namespace Portal.Benchmarks;

/// <summary>What one sync cost in memory, measured in a process that did nothing else before it but start and warm up.</summary>
internal sealed record SyncMemory(
    string Mode, double Seconds, long RssBefore, long PeakRss, long SampledPeakRss, bool PeakIsExact,
    long ManagedBefore, long SampledPeakManaged, long AllocatedBytes, int Gen0, int Gen1, int Gen2)
{
    /// <summary>The process's peak resident set above where it stood just before the sync.</summary>
    public long PeakRssGrowth => PeakRss - RssBefore;

    public long PeakManagedGrowth => SampledPeakManaged - ManagedBefore;
}

/// <summary>
/// Peak memory of a sync, measured honestly: in a fresh child process (so nothing earlier in the benchmark left its
/// heap behind), after one warm-up sync of a small registry (so JIT and EF model building are not counted), with
/// Linux's peak-RSS counter (VmHWM) reset just before the sync by writing 5 to /proc/self/clear_refs, and read just
/// after; a 10 ms sampler of RSS and of the managed heap runs alongside as a cross-check.
/// </summary>
internal static class MemoryProbe
{
    public const string ChildFlag = "--memory-child";
    private const string ResultPrefix = "@@MEMORY ";
    private const string AllocationPrefix = "@@ALLOC ";
    public const string AllTypes = "(all types)";

    /// <summary>Runs the probe in a child process of this benchmark and returns its figures (full, then incremental).</summary>
    public static Task<(IReadOnlyList<SyncMemory> Syncs, IReadOnlyList<(string Type, long Bytes)> Allocations)> RunChildAsync(
        string registryUrl, string warmupUrl, int concurrency, bool profileAllocations, TextWriter log, CancellationToken cancellationToken) =>
        RunChildAsync([ChildFlag, registryUrl, warmupUrl, concurrency.ToString(CultureInfo.InvariantCulture), profileAllocations ? "profile" : ""],
            log, cancellationToken);

    /// <summary>
    /// Runs this benchmark again as a child with <paramref name="arguments"/> (a child flag first, which Program
    /// dispatches) and collects what it reports through <see cref="WriteResult"/> and <see cref="ProfileAsync"/>.
    /// </summary>
    public static async Task<(IReadOnlyList<SyncMemory> Syncs, IReadOnlyList<(string Type, long Bytes)> Allocations)> RunChildAsync(
        IReadOnlyList<string> arguments, TextWriter log, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(start.FileName) == "dotnet")
        {
            start.ArgumentList.Add(typeof(MemoryProbe).Assembly.Location);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var child = Process.Start(start) ?? throw new InvalidOperationException("Could not start the memory probe process.");
        var errors = child.StandardError.ReadToEndAsync(cancellationToken);
        var results = new List<SyncMemory>();
        var allocations = new List<(string, long)>();
        while (await child.StandardOutput.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith(ResultPrefix, StringComparison.Ordinal))
            {
                results.Add(JsonSerializer.Deserialize<SyncMemory>(line[ResultPrefix.Length..])!);
            }
            else if (line.StartsWith(AllocationPrefix, StringComparison.Ordinal))
            {
                var (bytes, type) = (line[AllocationPrefix.Length..].Split(' ', 2)[0], line[AllocationPrefix.Length..].Split(' ', 2)[1]);
                allocations.Add((type, long.Parse(bytes, CultureInfo.InvariantCulture)));
            }
            else
            {
                await log.WriteLineAsync("    [probe] " + line);
            }
        }

        await child.WaitForExitAsync(cancellationToken);
        var stderr = await errors;
        if (child.ExitCode != 0 || results.Count == 0)
        {
            throw new InvalidOperationException($"The memory probe process failed (exit {child.ExitCode}): {stderr}");
        }

        return (results, allocations);
    }

    /// <summary>The child's side: start the portal, warm up, then measure a full and an incremental sync.</summary>
    public static async Task<int> ChildMainAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var (registryUrl, warmupUrl, concurrency) = (args[1], args[2], int.Parse(args[3], CultureInfo.InvariantCulture));
        await using var portal = PortalSession.Start();
        var warmupId = await portal.AddRegistryAsync("warmup", warmupUrl, concurrency, cancellationToken);
        var registryId = await portal.AddRegistryAsync("measured", registryUrl, concurrency, cancellationToken);
        await portal.SyncAsync(warmupId, SyncMode.Full, cancellationToken);
        await portal.SyncAsync(warmupId, SyncMode.Incremental, cancellationToken);

        foreach (var mode in new[] { SyncMode.Full, SyncMode.Incremental })
        {
            WriteResult(await MeasureAsync(mode.ToString(), async () => (await portal.SyncAsync(registryId, mode, cancellationToken)).Elapsed));
        }

        if (args.Count > 4 && args[4] == "profile")
        {
            // Apart from the measured syncs, so the listener's own cost is not in them: the same registry under another
            // name is an empty inventory again, so this is a full sync of an empty inventory too.
            var profiledId = await portal.AddRegistryAsync("profiled", registryUrl, concurrency, cancellationToken);
            await ProfileAsync(() => portal.SyncAsync(profiledId, SyncMode.Full, cancellationToken));
        }

        return 0;
    }

    /// <summary>The child's side: hands one measurement to <see cref="RunChildAsync(IReadOnlyList{string}, TextWriter, CancellationToken)"/>.</summary>
    public static void WriteResult(SyncMemory figures) => Console.WriteLine(ResultPrefix + JsonSerializer.Serialize(figures));

    /// <summary>The child's side: runs <paramref name="run"/> with allocation sampling on and hands the largest types to the parent.</summary>
    public static async Task ProfileAsync(Func<Task> run)
    {
        using var sampler = new AllocationSampler();
        sampler.Start();
        await run();
        var sampled = sampler.Stop();
        Console.WriteLine(AllocationPrefix + sampled.Sum(a => a.Bytes).ToString(CultureInfo.InvariantCulture) + " " + AllTypes);
        foreach (var (type, bytes) in sampled.Take(15))
        {
            Console.WriteLine(AllocationPrefix + bytes.ToString(CultureInfo.InvariantCulture) + " " + type);
        }
    }

    /// <summary>
    /// Peak RSS growth, managed heap and allocations of <paramref name="run"/> (which returns the time it took), after a
    /// full compacting GC and with the peak-RSS counter reset just before it.
    /// </summary>
    public static async Task<SyncMemory> MeasureAsync(string mode, Func<Task<TimeSpan>> run)
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var managedBefore = GC.GetTotalMemory(forceFullCollection: false);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var (gen0, gen1, gen2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        var exact = ResetPeakRss();
        var rssBefore = ReadStatusKb("VmRSS") * 1024;

        using var stop = new CancellationTokenSource();
        long sampledRss = rssBefore, sampledManaged = managedBefore;
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                sampledRss = Math.Max(sampledRss, ReadStatusKb("VmRSS") * 1024);
                sampledManaged = Math.Max(sampledManaged, GC.GetTotalMemory(forceFullCollection: false));
                try
                {
                    await Task.Delay(10, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        });

        var elapsed = await run();
        await stop.CancelAsync();
        await sampler;
        var peak = exact ? ReadStatusKb("VmHWM") * 1024 : sampledRss;
        return new SyncMemory(mode, elapsed.TotalSeconds, rssBefore, Math.Max(peak, sampledRss), sampledRss, exact,
            managedBefore, sampledManaged, GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore,
            GC.CollectionCount(0) - gen0, GC.CollectionCount(1) - gen1, GC.CollectionCount(2) - gen2);
    }

    // Writing 5 to clear_refs resets VmHWM to the current RSS (Linux 4.0+); elsewhere only the sampler is left.
    private static bool ResetPeakRss()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static long ReadStatusKb(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }
}
