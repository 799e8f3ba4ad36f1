using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Findings;
using Portal.Core.Inventory;
using Portal.Core.Lifecycle;
using Portal.Core.Workloads;
using Portal.Data;

namespace Portal.Benchmarks;

/// <summary>What an estate holds; <see cref="Findings"/> counts open and resolved.</summary>
internal sealed record EstateSize(
    int Repositories, int Digests, int ImageRows, int Tags, int Findings, int BlockingFindings, int Workloads, int Namespaces, int Holds,
    int ManualEols, int Extensions, int Exceptions, int ExecutedActions);

/// <summary>
/// Writes a realistic estate of a given size into a fresh portal database, with <see cref="BulkInsert"/> as the
/// syncs write (EF's change tracker would take minutes for a million findings). Per scale 1: 2,000 repositories of
/// ten tagged digests with five tags each (20,000 digests, 100,000 tags; one digest in ten a multi-platform index
/// with two children, whose findings the scanners report per child); 1,000,000 findings over the scanned digests
/// (about 45% Low, 38% Medium, 8% Unknown, 5% High, 2% Critical, first seen between the image's first sighting and
/// now, so older images' blocking findings are past their grace; one in ten resolved; a little malware); 500
/// namespaces over two clusters with 20 workloads each (a Kubeflow notebook, 11 long-lived pods, 8 ephemeral ones;
/// many pods with an Istio sidecar; mostly the newest digest of a repository), an owner per namespace and
/// contributors for half; a few exceptions, holds, manual EOLs, granted extensions and executed actions.
/// Everything is a fixed function of the seed, so every run plans over the same estate.
/// </summary>
internal sealed class EstateSeeder(PortalSession portal, DateTimeOffset now)
{
    public const int FullDigests = 20_000;
    public const int FullFindings = 1_000_000;
    public const int FullWorkloads = 10_000;
    private const int DigestsPerRepository = 10;
    private const int TagsPerDigest = 5;
    private const int WorkloadsPerNamespace = 20;
    private const int FindingsPerTransaction = 50_000;
    private const string Owner = "benchmark@example.org";

    private static readonly string[] Platforms = ["linux/amd64", "linux/arm64/v8"];
    private readonly Random _random = new(6_007);

    public async Task<EstateSize> SeedAsync(int digests, int findings, int workloads, CancellationToken cancellationToken)
    {
        var registryId = await portal.AddRegistryAsync("prod-registry", "https://registry.example.test", 4, cancellationToken);
        var contexts = portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);

        var repositories = Enumerable.Range(0, Math.Max(1, digests / DigestsPerRepository))
            .Select(r => ImageRepository.Discover(registryId, $"team-{r % 40:D2}/service-{r:D5}", now.AddDays(-800)))
            .ToList();
        var (tagged, children, tags) = (new List<Seeded>(), new List<Seeded>(), 0);
        await InTransactionAsync(db, async () =>
        {
            await BulkInsert.InsertReturningKeysAsync(db, repositories, cancellationToken);
            foreach (var (repository, r) in repositories.Select((x, i) => (x, i)))
            {
                // Each repository's builds are a couple of weeks apart, the newest (j = 9) at most 700 days old.
                var newest = _random.Next(700);
                for (var j = 0; j < DigestsPerRepository; j++)
                {
                    var created = now.AddDays(-newest - (DigestsPerRepository - 1 - j) * 15).AddMinutes(-_random.Next(24 * 60));
                    tagged.Add(new Seeded(repository, r, j, NewImage(repository, r, j, j % 10 == r % 10 ? ImageKind.Index : ImageKind.Image, null, created)));
                }
            }

            await BulkInsert.InsertReturningKeysAsync(db, tagged.Select(t => t.Image).ToList(), cancellationToken);
            foreach (var parent in tagged.Where(t => t.Image.Kind == ImageKind.Index))
            {
                foreach (var platform in Platforms)
                {
                    var child = NewImage(parent.Repository, parent.RepositoryIndex, parent.Number, ImageKind.Image, platform, parent.Image.Created);
                    child.AttachTo(parent.Image);
                    children.Add(parent with { Image = child });
                }
            }

            await BulkInsert.InsertReturningKeysAsync(db, children.Select(c => c.Image).ToList(), cancellationToken);
            var tagRows = tagged.SelectMany(t => TagNames(t).Select(name =>
                ImageTag.Discover(t.Repository.Id, name, t.Image.Id, t.Image.FirstSeen.AddDays(_random.Next(3))))).ToList();
            await BulkInsert.InsertAsync(db, tagRows, cancellationToken);
            tags = tagRows.Count;
        }, cancellationToken);

        // Scanners report single-platform images: an index's findings sit on its children.
        var scanned = tagged.Where(t => t.Image.Kind == ImageKind.Image).Concat(children).ToList();
        var (written, blocking) = await SeedFindingsAsync(db, scanned, findings, cancellationToken);
        var (workloadCount, namespaces, notebooks) = await SeedWorkloadsAsync(db, tagged, workloads, cancellationToken);
        var extras = await SeedDecisionsAsync(db, tagged, notebooks, scale: digests / (double)FullDigests, cancellationToken);
        return new EstateSize(repositories.Count, tagged.Count, tagged.Count + children.Count, tags, written, blocking, workloadCount, namespaces,
            extras.Holds, extras.ManualEols, extras.Extensions, extras.Exceptions, extras.Executed);
    }

    private sealed record Seeded(ImageRepository Repository, int RepositoryIndex, int Number, ImageManifest Image);

    private static string[] TagNames(Seeded t) =>
        [$"1.{t.Number}.0", $"1.{t.Number}.1", $"1.{t.Number}.2", $"1.{t.Number}-{(t.Image.Channel == Channel.Dev ? "dev" : "release")}",
            $"sha-{t.Image.Digest[7..19]}"];

    private ImageManifest NewImage(ImageRepository repository, int repositoryIndex, int number, ImageKind kind, string? platform, DateTimeOffset? created)
    {
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{repository.Name}|{number}|{platform}")));
        var dev = (repositoryIndex + number) % 3 == 0;
        IReadOnlyList<ImageLayer> layers = kind == ImageKind.Index
            ? []
            : Enumerable.Range(0, 3).Select(p => new ImageLayer(p, $"sha256:{digest[7..40]}{p:D31}", "application/vnd.oci.image.layer.v1.tar+gzip",
                _random.Next(1_000, 200_000_000))).ToList();
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["org.opencontainers.image.source"] = $"https://git.example.test/{repository.Name}",
            ["org.opencontainers.image.version"] = $"1.{number}.2",
            ["deploymenttype"] = dev ? "dev" : "prod",
        };
        var image = ImageManifest.Discover(repository.Id, digest,
            kind == ImageKind.Index ? "application/vnd.oci.image.index.v1+json" : "application/vnd.oci.image.manifest.v1+json",
            kind, platform ?? (kind == ImageKind.Image ? "linux/amd64" : null), created, layers.Sum(l => l.Size) + 7_000, labels, layers,
            created ?? now);
        image.Classify(SeededImages.ByRepository(repositoryIndex, dev));
        return image;
    }

    /// <summary>Exactly <paramref name="total"/> findings, more on some images than others, in transactions of 50,000.</summary>
    private async Task<(int Written, int Blocking)> SeedFindingsAsync(PortalDbContext db, List<Seeded> scanned, int total, CancellationToken cancellationToken)
    {
        var weights = scanned.Select(_ => 0.2 + 1.6 * _random.NextDouble()).ToArray();
        var sum = weights.Sum();
        var counts = weights.Select(w => (int)(total * w / sum)).ToArray();
        for (var i = 0; counts.Sum() < total; i++)
        {
            counts[i % counts.Length]++;
        }

        var (written, blocking) = (0, 0);
        var batch = new List<Finding>(FindingsPerTransaction + 1_000);
        for (var i = 0; i < scanned.Count; i++)
        {
            var image = scanned[i].Image;
            var ageDays = Math.Max(1, (int)(now - image.FirstSeen).TotalDays);
            for (var j = 0; j < counts[i]; j++)
            {
                // Distinct (vulnerability, package) per digest: 7,919 is prime to the pool size.
                var cve = (i * 101 + j * 7_919) % 30_000;
                var severity = _random.Next(1_000) switch
                {
                    < 20 => Severity.Critical,
                    < 70 => Severity.High,
                    < 450 => Severity.Medium,
                    < 920 => Severity.Low,
                    _ => Severity.Unknown,
                };
                // Malware is rare, and the malware scan always reports it Critical.
                var malware = _random.Next(20_000) == 0;
                severity = malware ? Severity.Critical : severity;
                var package = $"lib{cve * 31 % 2_000:D4}";
                var reported = new ReportedFinding(malware ? FindingKind.Malware : FindingKind.Vulnerability,
                    malware ? $"Eicar-Test-Signature-{cve}" : $"CVE-{2018 + cve % 8}-{10_000 + cve}", package, $"1.{cve % 17}.{j % 9}",
                    _random.Next(3) == 0 ? null : $"1.{cve % 17}.{j % 9 + 1}", severity, 1 + _random.Next(90) / 10.0,
                    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "fixed", $"{package}: flaw in parsing {cve}", "usr/lib/" + package,
                    $"https://avd.example.test/CVE-{cve}");
                var finding = Finding.Discover(image.Digest, reported, "Trivy", image.FirstSeen.AddDays(_random.Next(ageDays)));
                if (_random.Next(10) == 0)
                {
                    finding.NotReported("Trivy", now.AddDays(-_random.Next(30)));
                }
                else if (malware || severity is Severity.Critical or Severity.High)
                {
                    blocking++;
                }

                batch.Add(finding);
            }

            if (batch.Count >= FindingsPerTransaction || i == scanned.Count - 1)
            {
                await InTransactionAsync(db, () => BulkInsert.InsertAsync(db, batch, cancellationToken), cancellationToken);
                written += batch.Count;
                batch.Clear();
            }
        }

        return (written, blocking);
    }

    /// <summary>Workloads per namespace (a notebook, long-lived and ephemeral pods), their images and the namespace members.</summary>
    private async Task<(int Workloads, int Namespaces, List<(Workload Workload, Seeded Image)> Notebooks)> SeedWorkloadsAsync(
        PortalDbContext db, List<Seeded> tagged, int total, CancellationToken cancellationToken)
    {
        var namespaces = (total + WorkloadsPerNamespace - 1) / WorkloadsPerNamespace;
        var byClass = tagged.GroupBy(t => t.Image.Class).ToDictionary(g => g.Key, g => g.ToList());
        var sidecar = byClass[ImageClass.Platform][^1];
        var workloads = new List<(Workload Workload, List<Seeded> Images)>(total);
        var members = new List<NamespaceMember>();
        for (var i = 0; i < total; i++)
        {
            var (n, w) = (i / WorkloadsPerNamespace, i % WorkloadsPerNamespace);
            var (cluster, ns, owner) = (n % 2 == 0 ? "prod-east" : "prod-west", $"user-{n:D5}", $"user{n:D5}@example.org");
            if (w == 0)
            {
                members.Add(NamespaceMember.From(cluster, new ObservedNamespaceMember(ns, owner, NamespaceRole.Owner, $"Profile {ns}")));
                if (n % 2 == 0 && namespaces > 1)
                {
                    members.Add(NamespaceMember.From(cluster,
                        new ObservedNamespaceMember(ns, $"user{(n + 1) % namespaces:D5}@example.org", NamespaceRole.Contributor, "RoleBinding edit")));
                }
            }

            // The first workload of a namespace is its notebook, the next 11 long-lived pods, the rest ephemeral.
            var notebook = w == 0;
            var longLived = w <= 11;
            var image = Pick(byClass, notebook ? (_random.Next(4) == 0 ? ImageClass.User : ImageClass.Curated)
                : _random.Next(3) == 0 ? ImageClass.Platform : ImageClass.User);
            List<Seeded> images = !notebook && _random.Next(2) == 0 ? [image, sidecar] : [image];
            var status = notebook ? (_random.Next(7) == 0 ? WorkloadStatus.Stopped : WorkloadStatus.Running)
                : longLived || _random.Next(3) == 0 ? WorkloadStatus.Running : WorkloadStatus.Succeeded;
            var controller = notebook ? "Notebook" : longLived ? (w % 4 == 0 ? "StatefulSet" : "Deployment") : (w % 2 == 0 ? "Job" : null);
            var name = notebook ? $"{ns}-notebook" : $"{(longLived ? "api" : "job")}-{w:D2}";
            var observed = new ObservedWorkload(notebook ? WorkloadKind.Notebook : WorkloadKind.Pod, ns,
                notebook ? name : $"{name}-{_random.Next(100_000):D5}", controller, controller is null ? null : name,
                longLived ? WorkloadLifetime.LongLived : WorkloadLifetime.Ephemeral, status, now.AddDays(-_random.Next(60)),
                notebook ? owner : null, images.Select((x, c) => Use(c == 0 ? "main" : "istio-proxy", x)).ToList());
            workloads.Add((Workload.Discover(cluster, observed, now.AddDays(-_random.Next(90))), images));
        }

        await InTransactionAsync(db, async () =>
        {
            await BulkInsert.InsertReturningKeysAsync(db, workloads.Select(w => w.Workload).ToList(), cancellationToken);
            var rows = new List<WorkloadImage>();
            foreach (var (workload, uses) in workloads)
            {
                foreach (var (row, image) in workload.Images.Zip(uses))
                {
                    row.AttachTo(workload.Id);
                    row.LinkTo(image.Image.Id);
                    rows.Add(row);
                }
            }

            await BulkInsert.InsertAsync(db, rows, cancellationToken);
            await BulkInsert.InsertAsync(db, members, cancellationToken);
        }, cancellationToken);
        var notebooks = workloads.Where(w => w.Workload.Kind == WorkloadKind.Notebook)
            .Select(w => (w.Workload, w.Images[0])).ToList();
        return (workloads.Count, namespaces, notebooks);

        ObservedImageUse Use(string container, Seeded image) =>
            new(container, ContainerType.Container, new ContainerImage($"registry.example.test/{image.Repository.Name}:1.{image.Number}.2",
                "registry.example.test", image.Repository.Name, $"1.{image.Number}.2", image.Image.Digest));
    }

    // Mostly the newest build of a repository, sometimes an older one that is still running.
    private Seeded Pick(Dictionary<ImageClass, List<Seeded>> byClass, ImageClass imageClass)
    {
        var images = byClass[imageClass];
        var repository = _random.Next(images.Count / DigestsPerRepository) * DigestsPerRepository;
        var number = _random.Next(10) < 7 ? DigestsPerRepository - 1 : _random.Next(DigestsPerRepository);
        return images[Math.Min(images.Count - 1, repository + number)];
    }

    private sealed record Decisions(int Holds, int ManualEols, int Extensions, int Exceptions, int Executed);

    /// <summary>People's decisions, a few per thousand images: holds, manual EOLs, exceptions, granted extensions, executed actions.</summary>
    private async Task<Decisions> SeedDecisionsAsync(
        PortalDbContext db, List<Seeded> tagged, List<(Workload Workload, Seeded Image)> notebooks, double scale, CancellationToken cancellationToken)
    {
        int Scaled(int full) => Math.Max(1, (int)(full * scale));
        Seeded AnyImage() => tagged[_random.Next(tagged.Count)];
        var scopes = new[] { HoldScope.Deletion, HoldScope.Termination, HoldScope.Both };
        var holds = new List<Hold>();
        for (var i = 0; i < Scaled(60); i++)
        {
            var image = AnyImage();
            var (kind, id, subject) = (i % 3) switch
            {
                0 => (HoldSubjectKind.Image, image.Image.Id, $"{image.Repository.Name}@{image.Image.Digest[..19]}"),
                1 => (HoldSubjectKind.Repository, (long)image.Repository.Id, image.Repository.Name),
                _ => (HoldSubjectKind.Workload, notebooks[i % notebooks.Count].Workload.Id,
                $"{notebooks[i % notebooks.Count].Workload.Namespace}/{notebooks[i % notebooks.Count].Workload.Name}"),
            };
            var hold = Hold.Place(kind, id, subject, scopes[i % 3], "Release freeze for the quarter's audit", now.AddDays(1 + _random.Next(80)),
                "approver@example.org", now.AddDays(-_random.Next(10)));
            if (i % 10 == 0)
            {
                hold.Lift("approver@example.org", now.AddDays(-1));
            }

            holds.Add(hold);
        }

        var manual = Enumerable.Range(0, Scaled(40)).Select(_ => AnyImage().Image.Id).Distinct()
            .Select(id => ManualEol.Set(id, now.AddDays(1 + _random.Next(120)), "Base image end of support", "admin@example.org", now.AddDays(-5)))
            .ToList();
        var exceptions = Enumerable.Range(0, Scaled(30)).Select(i =>
        {
            var cve = _random.Next(30_000);
            var image = AnyImage();
            return FindingException.Record($"CVE-{2018 + cve % 8}-{10_000 + cve}", i % 2 == 0 ? image.Repository.Name : null, null, null,
                ExceptionState.NotAffected, "Not reachable in this image", "admin@example.org", now.AddDays(-3), now.AddDays(60));
        }).ToList();
        var extensions = new List<ExtensionRequest>();
        foreach (var (notebook, image) in notebooks.Where((_, i) => i % 25 == 0))
        {
            var request = ExtensionRequest.Ask(notebook.Id, image.Image.Id, $"{notebook.Namespace}/{notebook.Name}", image.Repository.Name,
                "Thesis runs finish next month", now.AddDays(40), notebook.CreatedBy ?? "user@example.org", now.AddDays(-2));
            request.Grant(now.AddDays(30), "Granted once", "approver@example.org", now.AddDays(-1), 90);
            extensions.Add(request);
        }

        var executed = Enumerable.Range(0, Scaled(200)).Select(i =>
        {
            var image = AnyImage();
            var action = new PlannedAction(ActionKind.NotifyOwner, $"notify-owner:{Owner}:{i}:{image.Image.Id}:2026-01-01:14", ExecutionMode.Automatic,
                "Reminder", 0, now.AddDays(-20), image.Image.Id, Owner: Owner, Stage: 14);
            var record = ActionRecord.Start(action, image.Repository.Name, "lifecycle-job", now.AddDays(-20));
            record.Complete("sent", now.AddDays(-20));
            return record;
        }).ToList();

        // A few hundred rows: EF is quick enough, and a manual EOL's key is its image's id, which BulkInsert leaves out.
        db.AddRange(holds);
        db.AddRange(manual);
        db.AddRange(exceptions);
        db.AddRange(extensions);
        db.AddRange(executed);
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
        return new Decisions(holds.Count, manual.Count, extensions.Count, exceptions.Count, executed.Count);
    }

    private static async Task InTransactionAsync(PortalDbContext db, Func<Task> write, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await write();
        await transaction.CommitAsync(cancellationToken);
    }
}
