using Microsoft.EntityFrameworkCore;
using Portal.Core.Findings;
using Portal.Core.Inventory;
using Portal.Core.Lifecycle;
using Portal.Data;

namespace Portal.Tests.Integration.Admission;

/// <summary>
/// An inventory for the fixtures' pods, as syncs and scans leave it:
/// <list type="bullet">
/// <item>Docker Hub <c>jfusterm/stress</c>: <c>latest</c> (curated, a Critical finding 30 days old: expired) with an
/// approved migration path to <c>v2</c> (curated, clean); <c>unscanned</c> (curated, never scanned);</item>
/// <item>quay.io <c>openshift-release-dev/ocp-v4.0-art-dev</c> at the etcd pod's digest (user, malware in /usr/bin/etcd),
/// a multi-platform index whose amd64 child is also named by digest;</item>
/// <item>every image but <c>unscanned</c> has a scan record.</item>
/// </list>
/// </summary>
public static class AdmissionSeed
{
    public const string StressDigest = "sha256:5151515151515151515151515151515151515151515151515151515151515151";
    public const string StressV2Digest = "sha256:5252525252525252525252525252525252525252525252525252525252525252";
    public const string UnscannedDigest = "sha256:5353535353535353535353535353535353535353535353535353535353535353";
    public const string EtcdDigest = "sha256:e547acdeb82a29ae9561b1d04b55525ec78a678d892a0575f8c8c34f93542ae7";
    public const string EtcdChildDigest = "sha256:5454545454545454545454545454545454545454545454545454545454545454";

    public sealed record Ids(long Stress, long StressV2, long Unscanned, long Etcd);

    public static async Task<Ids> SeedAsync(IDbContextFactory<PortalDbContext> contexts, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var hub = ImageRegistry.Create("hub", new Uri("https://registry-1.docker.io"), null, null, null, false, 4, now);
        var quay = ImageRegistry.Create("quay", new Uri("https://quay.io"), null, null, null, false, 4, now);
        db.Registries.AddRange(hub, quay);
        await db.SaveChangesAsync(cancellationToken);
        var stressRepository = ImageRepository.Discover(hub.Id, "jfusterm/stress", now);
        var ocp = ImageRepository.Discover(quay.Id, "openshift-release-dev/ocp-v4.0-art-dev", now);
        db.Repositories.AddRange(stressRepository, ocp);
        await db.SaveChangesAsync(cancellationToken);

        var stress = Image(stressRepository.Id, StressDigest, ImageClass.Curated, now);
        var v2 = Image(stressRepository.Id, StressV2Digest, ImageClass.Curated, now);
        var unscanned = Image(stressRepository.Id, UnscannedDigest, ImageClass.Curated, now);
        var etcd = ImageManifest.Discover(ocp.Id, EtcdDigest, "application/vnd.oci.image.index.v1+json", ImageKind.Index, null, now.AddDays(-40), 2_000,
            new Dictionary<string, string>(), [], now);
        etcd.Classify(new Classification(ImageClass.User, null, Channel.Prod, "rule: users", null));
        db.Images.AddRange(stress, v2, unscanned, etcd);
        await db.SaveChangesAsync(cancellationToken);
        var child = ImageManifest.Discover(ocp.Id, EtcdChildDigest, "application/vnd.oci.image.manifest.v1+json", ImageKind.Image, "linux/amd64",
            now.AddDays(-40), 1_000, new Dictionary<string, string>(), [], now);
        child.Classify(new Classification(ImageClass.User, null, Channel.Prod, "rule: users", null));
        child.AttachTo(etcd);
        db.Images.Add(child);
        db.Tags.AddRange(
            ImageTag.Discover(stressRepository.Id, "latest", stress.Id, now), ImageTag.Discover(stressRepository.Id, "v2", v2.Id, now),
            ImageTag.Discover(stressRepository.Id, "unscanned", unscanned.Id, now), ImageTag.Discover(ocp.Id, "4.8", etcd.Id, now));
        db.Findings.Add(Finding.Discover(StressDigest,
            new ReportedFinding(FindingKind.Vulnerability, "CVE-2026-0001", "openssl", "3.0.1", "3.0.2", Severity.Critical, 9.8, null, "fixed", "a flaw", "debian", null),
            "Trivy", now.AddDays(-30)));
        db.Findings.Add(Finding.Discover(EtcdChildDigest,
            new ReportedFinding(FindingKind.Malware, "Eicar-Signature.UNOFFICIAL", "/usr/bin/etcd", null, null, Severity.Critical, null, null, null, null, null, null),
            "clamav", now.AddHours(-2)));
        foreach (var digest in new[] { StressDigest, StressV2Digest, EtcdDigest })
        {
            db.ScanRecords.Add(ScanRecord.Create(digest, ReportFormat.Trivy, "scan-command:trivy", "Trivy 0.58", now.AddDays(-1), now.AddDays(-1), [], 0, 0));
        }

        await db.SaveChangesAsync(cancellationToken);
        var path = MigrationPath.Propose(stress.Id, "jfusterm/stress:latest", v2.Id, "docker.io/jfusterm/stress:v2", "newest clean Prod release", now);
        path.Approve("admin@example.org", now);
        db.MigrationPaths.Add(path);
        await db.SaveChangesAsync(cancellationToken);
        return new Ids(stress.Id, v2.Id, unscanned.Id, etcd.Id);
    }

    private static ImageManifest Image(int repositoryId, string digest, ImageClass imageClass, DateTimeOffset now)
    {
        var image = ImageManifest.Discover(repositoryId, digest, "application/vnd.oci.image.manifest.v1+json", ImageKind.Image, "linux/amd64",
            now.AddDays(-40), 1_000, new Dictionary<string, string>(), [], now);
        image.Classify(new Classification(imageClass, "stress", Channel.Prod, "rule: test", null));
        return image;
    }
}
