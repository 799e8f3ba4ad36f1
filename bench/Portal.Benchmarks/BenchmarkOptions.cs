using System.Globalization;

namespace Portal.Benchmarks;

/// <summary>What to measure and at what scale; <c>--quick</c> shrinks the defaults for a smoke run.</summary>
internal sealed record BenchmarkOptions
{
    public int Repositories { get; init; } = 500;
    public int TagsPerRepository { get; init; } = 20;
    public int Concurrency { get; init; } = 8;
    public int Runs { get; init; } = 3;

    /// <summary>Tags in the database for the Images page test (over a fifth as many image digests).</summary>
    public int PageTags { get; init; } = 100_000;

    /// <summary>Timed calls per Images page query, after the warm-up calls.</summary>
    public int PageCalls { get; init; } = 20;

    /// <summary>Pods served by the Kubernetes API emulator for the workload sync test (one in each namespace is a notebook's).</summary>
    public int Pods { get; init; } = 10_000;

    /// <summary>Namespaces the pods are spread over, each a Kubeflow profile with one notebook.</summary>
    public int Namespaces { get; init; } = 500;

    /// <summary>Findings in the generated Trivy reports for the findings ingestion and Findings page test.</summary>
    public int Findings { get; init; } = 1_000_000;

    /// <summary>Image digests (one report each) the findings are spread over.</summary>
    public int FindingsDigests { get; init; } = 20_000;

    /// <summary>Also run the findings test on a PostgreSQL server started for the run.</summary>
    public bool FindingsPostgres { get; init; }

    /// <summary>Leave SQLite out of the findings test (with <see cref="FindingsPostgres"/>: PostgreSQL alone).</summary>
    public bool SkipFindingsSqlite { get; init; }

    public bool Quick { get; init; }
    public bool SkipSync { get; init; }
    public bool SkipPage { get; init; }
    public bool SkipWorkloads { get; init; }
    public bool SkipMalware { get; init; }
    public bool SkipFindings { get; init; }

    /// <summary>Also ingest again into databases without the vulnerability-id index (a what-if for the ingestion target).</summary>
    public bool FindingsWhatIf { get; init; }

    /// <summary>Ingestion only: leave the Findings page timing out of the findings test.</summary>
    public bool SkipFindingsPage { get; init; }

    /// <summary>Where to copy the SQLite database after the findings ingestion, to look at query plans afterwards.</summary>
    public string? KeepFindingsDatabase { get; init; }

    /// <summary>Unpacked size of the image the malware scan benchmark scans.</summary>
    public int MalwareMebibytes { get; init; } = 500;
    public bool SkipMemory { get; init; }

    /// <summary>Also sample what a full sync and a first workload sync allocate, by type (an extra sync in each memory probe process).</summary>
    public bool ProfileAllocations { get; init; }

    /// <summary>Also time the Images page again with covering indexes added to the seeded database (a what-if for a fix).</summary>
    public bool PageWhatIf { get; init; }

    /// <summary>Where to copy the seeded Images page database, to look at query plans afterwards.</summary>
    public string? KeepPageDatabase { get; init; }

    public int TotalTags => Repositories * TagsPerRepository;

    /// <summary>The lifecycle plan benchmark: leave it out, run it on PostgreSQL too, and its full size as a fraction of the estate.</summary>
    public bool SkipPlan { get; init; }
    public bool PlanOnPostgres { get; init; }
    public double PlanScale { get; init; } = 1;

    /// <summary>Leave out the admission webhook's load test.</summary>
    public bool SkipAdmission { get; init; }

    /// <summary>Leave out the content gateway (kept file under wrk vs nginx, cold fetch + scan of 100 MB, immediate sync of 1,000 files).</summary>
    public bool SkipGateway { get; init; }

    public const string Usage = """
        Portal.Benchmarks: inventory sync and Images page against a real docker-registry and the real portal in memory;
        workload sync against the Kubernetes API emulator in a process of its own.

          --repositories N   repositories in the registry (default 500; --quick 50)
          --tags N           tags per repository, each a distinct image (default 20; --quick 10)
          --concurrency N    the registry's MaxConcurrency and the baseline loop's concurrency, and the findings test's deliveries at once (default 8)
          --runs N           timed runs of each sync and of its baseline; the median is reported (default 3)
          --page-tags N      tags seeded for the Images page test (default 100000; --quick 10000)
          --page-calls N     timed calls per Images page query (default 20)
          --pods N           pods in the Kubernetes API emulator for the workload sync (default 10000; --quick 1000)
          --namespaces N     namespaces they are spread over, each with a profile and a notebook (default 500; --quick 50)
          --malware-mb N     unpacked size of the image for the malware scan (default 500; --quick 100)
          --findings N       findings in the generated Trivy reports for the findings test (default 1000000; --quick 100000)
          --findings-digests N   digests (one report each) they are spread over (default 20000; --quick 2000)
          --findings-postgres    also run the findings test on a PostgreSQL server started for the run
          --skip-findings-sqlite leave SQLite out of the findings test (with --findings-postgres: PostgreSQL alone)
          --skip-findings-page   time the findings ingestion only, not the Findings page over it
          --findings-what-if     also time the first ingestion into databases without IX_findings_VulnerabilityId_ResolvedAt
          --keep-findings-db PATH  copy the SQLite database with the ingested findings there (to run EXPLAIN QUERY PLAN on it)
          --quick            a fast smoke run with the smaller defaults
          --skip-sync, --skip-page, --skip-workloads, --skip-malware, --skip-findings, --skip-memory   leave a part out
          --profile          also sample the allocations by type of a full sync and of a first workload sync (one more
                             sync of each, in its probe process)
          --page-what-if     also time the Images page with two covering indexes added to the seeded database
          --keep-page-db PATH  copy the seeded Images page database there (to run EXPLAIN QUERY PLAN on it)
          --skip-plan        leave out the lifecycle plan (10%, 50% and 100% of 20,000 digests, 1,000,000 findings, 10,000 workloads)
          --plan-postgres    also run the lifecycle plan on a PostgreSQL started for the run (Debian's postgresql package)
          --plan-scale PCT   the plan's full size in percent of that estate (default 100; --quick 10); targets apply at 100 only
          --skip-admission   leave out the admission webhook (2,000 reviews/s over HTTPS for 30 s, --quick 10 s, against 20,000 digests)
          --skip-gateway     leave out the content gateway (a kept 1 MB file under wrk beside nginx, a cold fetch and scan of 100 MB
                             beside download + clamdscan, an immediate sync of 1,000 small files beside clamdscan --multiscan;
                             --quick 20 MB and 200 files)
        """;

    public static BenchmarkOptions Parse(IReadOnlyList<string> args)
    {
        var quick = args.Contains("--quick");
        var options = quick
            ? new BenchmarkOptions { Quick = true, Repositories = 50, TagsPerRepository = 10, PageTags = 10_000, Pods = 1_000, Namespaces = 50, MalwareMebibytes = 100,
                Findings = 100_000, FindingsDigests = 2_000, PlanScale = 0.1 }
            : new BenchmarkOptions();
        for (var i = 0; i < args.Count; i++)
        {
            options = args[i] switch
            {
                "--quick" => options,
                "--repositories" => options with { Repositories = Positive(args, ++i) },
                "--tags" => options with { TagsPerRepository = Positive(args, ++i) },
                "--concurrency" => options with { Concurrency = Positive(args, ++i) },
                "--runs" => options with { Runs = Positive(args, ++i) },
                "--page-tags" => options with { PageTags = Positive(args, ++i) },
                "--page-calls" => options with { PageCalls = Positive(args, ++i) },
                "--pods" => options with { Pods = Positive(args, ++i) },
                "--namespaces" => options with { Namespaces = Positive(args, ++i) },
                "--skip-sync" => options with { SkipSync = true },
                "--skip-page" => options with { SkipPage = true },
                "--skip-workloads" => options with { SkipWorkloads = true },
                "--skip-malware" => options with { SkipMalware = true },
                "--skip-findings" => options with { SkipFindings = true },
                "--findings" => options with { Findings = Positive(args, ++i) },
                "--findings-digests" => options with { FindingsDigests = Positive(args, ++i) },
                "--findings-postgres" => options with { FindingsPostgres = true },
                "--skip-findings-sqlite" => options with { SkipFindingsSqlite = true },
                "--skip-findings-page" => options with { SkipFindingsPage = true },
                "--findings-what-if" => options with { FindingsWhatIf = true },
                "--keep-findings-db" => options with { KeepFindingsDatabase = Value(args, ++i) },
                "--malware-mb" => options with { MalwareMebibytes = Positive(args, ++i) },
                "--skip-memory" => options with { SkipMemory = true },
                "--profile" => options with { ProfileAllocations = true },
                "--page-what-if" => options with { PageWhatIf = true },
                "--keep-page-db" => options with { KeepPageDatabase = Value(args, ++i) },
                "--skip-plan" => options with { SkipPlan = true },
                "--plan-postgres" => options with { PlanOnPostgres = true },
                "--plan-scale" => options with { PlanScale = Positive(args, ++i) / 100.0 },
                "--skip-admission" => options with { SkipAdmission = true },
                "--skip-gateway" => options with { SkipGateway = true },
                _ => throw new ArgumentException($"Unknown argument '{args[i]}'."),
            };
        }

        if (options.SkipFindingsSqlite && !options.FindingsPostgres && !options.SkipFindings)
        {
            throw new ArgumentException("--skip-findings-sqlite leaves the findings test no database: add --findings-postgres, or --skip-findings.");
        }

        // Every namespace has a notebook, and every notebook a pod.
        return options.Pods >= options.Namespaces
            ? options
            : throw new ArgumentException($"--pods ({options.Pods}) must be at least --namespaces ({options.Namespaces}): each namespace runs a notebook's pod.");
    }

    private static string Value(IReadOnlyList<string> args, int index) =>
        index < args.Count ? args[index] : throw new ArgumentException($"{args[index - 1]} needs a value.");

    private static int Positive(IReadOnlyList<string> args, int index)
    {
        if (index >= args.Count || !int.TryParse(args[index], NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < 1)
        {
            throw new ArgumentException($"{args[index - 1]} needs a positive whole number.");
        }

        return value;
    }
}
