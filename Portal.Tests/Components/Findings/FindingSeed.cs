using Microsoft.Extensions.Time.Testing;
using Portal.Core.Findings;
using Portal.Core.Inventory;
using Portal.Core.Workloads;
using Portal.Features.Findings;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Components.Findings;

/// <summary>
/// A small estate with scan results, on registry 127.0.0.1:5082:
/// <list type="bullet">
/// <item><c>aaw/jupyterlab-cpu:v1</c> (Curated, digest 1): CVE-2023-0286 in openssl (High, fixed in 3.0.8) and CVE-2022-1 in
/// zlib (Low); alice's running notebook <c>analysis</c> runs it.</item>
/// <item><c>users/alice/custom-notebook:latest</c> (User, digest 2): CVE-2023-0286 in openssl (High), CVE-2024-9 in curl
/// (Critical) and CVE-2019-1 in bash (Medium, no fix); bob's stopped notebook <c>bobs-lab</c> runs it.</item>
/// <item><c>platform/notebook-controller:1.9.0</c> (Platform), an index (digest 7) whose amd64 image (digest 8) has
/// CVE-2024-9 in curl (Critical); no workload runs it.</item>
/// <item>a digest the inventory does not hold (9), with CVE-2023-0286 in openssl (High).</item>
/// </list>
/// Everything was first reported two days ago. No exception is recorded.
/// </summary>
public static class FindingSeed
{
    public static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    public static readonly string V1 = Digest('1');
    public static readonly string Custom = Digest('2');
    public static readonly string ControllerIndex = Digest('7');
    public static readonly string ControllerAmd64 = Digest('8');
    public static readonly string NotInInventory = Digest('9');

    public sealed record Ids(long V1, long Custom, long Controller);

    public static string Digest(char c) => "sha256:" + new string(c, 64);

    public static async Task<Ids> SeedAsync(TestDatabase database, CancellationToken cancellationToken)
    {
        Ids ids;
        await using (var db = database.CreateDbContext())
        {
            var registry = ImageRegistry.Create("local", new Uri("http://127.0.0.1:5082"), null, null, null, true, 4, Now);
            db.Registries.Add(registry);
            await db.SaveChangesAsync(cancellationToken);
            var cpu = ImageRepository.Discover(registry.Id, "aaw/jupyterlab-cpu", Now);
            var custom = ImageRepository.Discover(registry.Id, "users/alice/custom-notebook", Now);
            var controller = ImageRepository.Discover(registry.Id, "platform/notebook-controller", Now);
            db.Repositories.AddRange(cpu, custom, controller);
            await db.SaveChangesAsync(cancellationToken);

            var v1 = Image(cpu.Id, V1, ImageKind.Image, null, ImageClass.Curated);
            var mine = Image(custom.Id, Custom, ImageKind.Image, null, ImageClass.User);
            var index = Image(controller.Id, ControllerIndex, ImageKind.Index, null, ImageClass.Platform);
            db.Images.AddRange(v1, mine, index);
            await db.SaveChangesAsync(cancellationToken);
            var amd64 = Image(controller.Id, ControllerAmd64, ImageKind.Image, "linux/amd64", ImageClass.Platform);
            amd64.AttachTo(index);
            db.Images.Add(amd64);
            db.Tags.AddRange(
                ImageTag.Discover(cpu.Id, "v1", v1.Id, Now), ImageTag.Discover(custom.Id, "latest", mine.Id, Now),
                ImageTag.Discover(controller.Id, "1.9.0", index.Id, Now));

            var analysis = Notebook("alice", "analysis", WorkloadStatus.Running, "127.0.0.1:5082/aaw/jupyterlab-cpu:v1", V1);
            analysis.Images[0].LinkTo(v1.Id);
            var lab = Notebook("bob", "bobs-lab", WorkloadStatus.Stopped, "127.0.0.1:5082/users/alice/custom-notebook:latest", Custom);
            lab.Images[0].LinkTo(mine.Id);
            db.Workloads.AddRange(analysis, lab);
            db.NamespaceMembers.AddRange(
                NamespaceMember.From("prod", new ObservedNamespaceMember("alice", "alice@example.org", NamespaceRole.Owner, "Profile alice")),
                NamespaceMember.From("prod", new ObservedNamespaceMember("bob", "bob@example.org", NamespaceRole.Owner, "Profile bob")));
            await db.SaveChangesAsync(cancellationToken);
            ids = new Ids(v1.Id, mine.Id, index.Id);
        }

        var ingestion = new FindingIngestion(database, new FakeTimeProvider(Now.AddDays(-2)));
        await ingestion.IngestAsync(Report(V1, Cve("CVE-2023-0286", "openssl", "3.0.7", "3.0.8", Severity.High),
            Cve("CVE-2022-1", "zlib", "1.2.11", "1.2.12", Severity.Low)), "api", null, cancellationToken);
        await ingestion.IngestAsync(Report(Custom, Cve("CVE-2023-0286", "openssl", "3.0.7", "3.0.8", Severity.High),
            Cve("CVE-2024-9", "curl", "8.0.0", "8.4.0", Severity.Critical), Cve("CVE-2019-1", "bash", "5.0", null, Severity.Medium)), "api", null, cancellationToken);
        await ingestion.IngestAsync(Report(ControllerAmd64, Cve("CVE-2024-9", "curl", "8.1.0", "8.4.0", Severity.Critical)), "api", null, cancellationToken);
        await ingestion.IngestAsync(Report(NotInInventory, Cve("CVE-2023-0286", "openssl", "3.0.7", "3.0.8", Severity.High)), "api", null, cancellationToken);
        return ids;
    }

    private static ReportedFinding Cve(string id, string package, string installed, string? fixedIn, Severity severity) =>
        new(FindingKind.Vulnerability, id, package, installed, fixedIn, severity, severity == Severity.Critical ? 9.8 : null, null, null,
            $"{package}: {id} title", null, $"https://avd.aquasec.com/nvd/{id.ToLowerInvariant()}");

    private static ScanReport Report(string digest, params ReportedFinding[] findings) =>
        new(ReportFormat.Trivy, "trivy 0.50.0", Now.AddDays(-2), [new ArtifactFindings(new ScannedArtifact(digest, null, null, digest), findings)]);

    private static ImageManifest Image(int repositoryId, string digest, ImageKind kind, string? platform, ImageClass imageClass)
    {
        var image = ImageManifest.Discover(repositoryId, digest, "application/vnd.oci.image.manifest.v1+json", kind, platform, Now, 1,
            new Dictionary<string, string>(), [], Now);
        image.Classify(new Classification(imageClass, null, Channel.Prod, "rule: seed", null));
        return image;
    }

    private static Workload Notebook(string ns, string name, string status, string reference, string digest)
    {
        var resolved = reference[..reference.LastIndexOf(':')] + "@" + digest;
        return Workload.Discover("prod", new ObservedWorkload(WorkloadKind.Notebook, ns, name, null, null, WorkloadLifetime.LongLived, status, Now, null,
            [new ObservedImageUse("main", ContainerType.Container, ContainerImage.Resolve(reference, resolved))]), Now);
    }
}
