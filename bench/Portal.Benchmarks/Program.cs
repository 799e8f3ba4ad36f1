using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using Portal.Benchmarks;

// Not top-level statements: those would declare a global Program that hides the portal's (WebApplicationFactory<Program>).
internal static class BenchmarkProgram
{
    public static async Task<int> Main(string[] args)
    {
        // Figures print the same everywhere (decimal points, digit grouping).
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        using var cancellation = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };

        if (args.Length > 0 && args[0] == MemoryProbe.ChildFlag)
        {
            return await MemoryProbe.ChildMainAsync(args, cancellation.Token);
        }

        if (args.Length > 0 && args[0] == WorkloadSyncBenchmark.ChildFlag)
        {
            return await WorkloadSyncBenchmark.ChildMainAsync(args, cancellation.Token);
        }

        if (args.Length > 0 && args[0] == FindingsBenchmark.ChildFlag)
        {
            return await FindingsBenchmark.ChildMainAsync(args, cancellation.Token);
        }

        if (args.Length > 0 && args[0] == PlanBenchmark.ChildFlag)
        {
            return await PlanBenchmark.ChildMainAsync(args, cancellation.Token);
        }

        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(BenchmarkOptions.Usage);
            return 0;
        }

        BenchmarkOptions options;
        try
        {
            options = BenchmarkOptions.Parse(args);
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine(ex.Message);
            Console.Error.WriteLine(BenchmarkOptions.Usage);
            return 2;
        }

        var clock = Stopwatch.StartNew();
        var log = Console.Out;
        await log.WriteLineAsync($"Portal benchmarks{(options.Quick ? " (--quick)" : "")}: {options.Repositories} x {options.TagsPerRepository} tags, "
            + $"concurrency {options.Concurrency}, {options.Runs} runs, {Stats.Number(options.PageTags)} tags for the Images page, "
            + $"{Stats.Number(options.Pods)} pods in {Stats.Number(options.Namespaces)} namespaces for the workload sync, "
            + $"{Stats.Number(options.Findings)} findings over {Stats.Number(options.FindingsDigests)} digests; "
            + $"{Environment.ProcessorCount} CPUs, .NET {Environment.Version}, {(GCSettings.IsServerGC ? "server" : "workstation")} GC.");

        SyncResults? sync = null;
        PageResults? page = null;
        WorkloadResults? workloads = null;
        MalwareResults? malware = null;
        FindingsResults? findings = null;
        IReadOnlyList<PlanScaleResult>? plan = null;
        AdmissionResults? admission = null;
        GatewayResults? gateway = null;
        if (!options.SkipSync)
        {
            sync = await new SyncBenchmark(options, log).RunAsync(cancellation.Token);
        }

        if (!options.SkipPage)
        {
            page = await new ImagesPageBenchmark(options, log).RunAsync(cancellation.Token);
        }

        if (!options.SkipWorkloads)
        {
            workloads = await new WorkloadSyncBenchmark(options, log).RunAsync(cancellation.Token);
        }

        if (!options.SkipMalware)
        {
            malware = await new MalwareScanBenchmark(options, log).RunAsync(cancellation.Token);
        }

        if (!options.SkipFindings)
        {
            findings = await new FindingsBenchmark(options, log).RunAsync(cancellation.Token);
        }

        if (!options.SkipPlan)
        {
            plan = await new PlanBenchmark(options, log).RunAsync(cancellation.Token);
        }

        if (!options.SkipAdmission)
        {
            admission = await new AdmissionBenchmark(options, log).RunAsync(cancellation.Token);
        }

        if (!options.SkipGateway)
        {
            gateway = await new GatewayBenchmark(options, log).RunAsync(cancellation.Token);
        }

        var report = new Report();
        if (sync is not null)
        {
            ResultsWriter.AddSync(report, sync);
            ResultsWriter.WriteSyncDetails(log, sync);
        }

        if (page is not null)
        {
            ResultsWriter.AddPage(report, page);
            ResultsWriter.WritePageDetails(log, page);
            ResultsWriter.WritePageWhatIf(log, page);
        }

        if (workloads is not null)
        {
            ResultsWriter.AddWorkloads(report, workloads);
            ResultsWriter.WriteWorkloadDetails(log, workloads);
        }

        if (malware is not null)
        {
            ResultsWriter.AddMalware(report, malware);
        }

        if (findings is not null)
        {
            FindingsResultsWriter.Add(report, findings);
            FindingsResultsWriter.WriteDetails(log, findings);
        }

        if (plan is not null)
        {
            PlanBenchmark.AddTo(report, plan, options.PlanScale);
            PlanBenchmark.WriteDetails(log, plan);
        }

        if (admission is not null)
        {
            AdmissionBenchmark.AddTo(report, admission);
            AdmissionBenchmark.WriteDetails(log, admission);
        }

        if (gateway is not null)
        {
            GatewayBenchmark.AddTo(report, gateway);
            GatewayBenchmark.WriteDetails(log, gateway);
        }

        await log.WriteLineAsync();
        await log.WriteLineAsync(report.Render());
        await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Total benchmark time {clock.Elapsed:m\\:ss}."));
        if (report.Failures > 0)
        {
            await log.WriteLineAsync($"FAIL: {report.Failures} target(s) missed (the exit code stays 0: this is a report).");
        }

        return 0;
    }
}
