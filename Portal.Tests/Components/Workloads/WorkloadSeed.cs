using Portal.Core.Inventory;
using Portal.Core.Workloads;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Components.Workloads;

/// <summary>
/// One cluster, "prod", as a sync would leave it, over a small inventory:
/// <list type="bullet">
/// <item>namespace <c>alice</c> (owner alice): notebook <c>alice-notebook</c> on the curated jupyterlab-cpu v1 with an
/// istio sidecar the inventory does not hold, the Job pod <c>cleanup-job</c> on the platform controller image, and the
/// gone pod <c>old-pod</c>;</item>
/// <item>namespace <c>team-shared</c> (owner carol, contributor alice): stopped notebook <c>shared-notebook</c> on v1, created by alice;</item>
/// <item>namespace <c>bob</c> (owner bob): notebook <c>bob-notebook</c> on a custom image not in the inventory;</item>
/// <item>namespace <c>kubeflow</c> (no owner): the Deployment pod <c>notebook-controller-7d9f</c> on the platform image.</item>
/// </list>
/// The jupyterlab-cpu v2 image is in the inventory but nothing runs it.
/// </summary>
public static class WorkloadSeed
{
    public const string Cluster = "prod";
    public const string V1Digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    public const string ControllerDigest = "sha256:7777777777777777777777777777777777777777777777777777777777777777";

    public sealed record Ids(long V1, long V2, long Controller);

    public static async Task<Ids> SeedAsync(TestDatabase database, CancellationToken cancellationToken)
    {
        var now = WorkloadComponentContext.Now;
        await using var db = database.CreateDbContext();
        var registry = ImageRegistry.Create("local", new Uri("http://127.0.0.1:5082"), null, null, null, true, 4, now);
        db.Registries.Add(registry);
        await db.SaveChangesAsync(cancellationToken);
        var cpu = ImageRepository.Discover(registry.Id, "aaw/jupyterlab-cpu", now);
        var controller = ImageRepository.Discover(registry.Id, "platform/notebook-controller", now);
        db.Repositories.AddRange(cpu, controller);
        await db.SaveChangesAsync(cancellationToken);

        var v1 = Image(cpu.Id, V1Digest, new Classification(ImageClass.Curated, "jupyterlab-cpu", Channel.Prod, "rule: notebooks", null));
        var v2 = Image(cpu.Id, "sha256:" + new string('2', 64), new Classification(ImageClass.Curated, "jupyterlab-cpu", Channel.Prod, "rule: notebooks", null));
        var platform = Image(controller.Id, ControllerDigest, new Classification(ImageClass.Platform, null, Channel.Prod, "rule: kubeflow", null));
        db.Images.AddRange(v1, v2, platform);
        await db.SaveChangesAsync(cancellationToken);
        db.Tags.AddRange(
            ImageTag.Discover(cpu.Id, "v1", v1.Id, now), ImageTag.Discover(cpu.Id, "v2", v2.Id, now),
            ImageTag.Discover(controller.Id, "1.9.0", platform.Id, now));

        var cpuV1 = Use("main", ContainerType.Container, "127.0.0.1:5082/aaw/jupyterlab-cpu:v1", V1Digest);
        var controllerImage = Use("manager", ContainerType.Container, "127.0.0.1:5082/platform/notebook-controller:1.9.0", ControllerDigest);

        var aliceNotebook = Discover(WorkloadKind.Notebook, "alice", "alice-notebook", null, null, WorkloadLifetime.LongLived, WorkloadStatus.Running,
            now.AddHours(-3), "alice@example.org",
            cpuV1,
            Use("istio-init", ContainerType.Init, "docker.io/istio/proxyv2:1.20.0", null),
            Use("istio-proxy", ContainerType.Container, "docker.io/istio/proxyv2:1.20.0", null));
        aliceNotebook.Images[0].LinkTo(v1.Id);
        var cleanup = Discover(WorkloadKind.Pod, "alice", "cleanup-job", "Job", "cleanup", WorkloadLifetime.Ephemeral, WorkloadStatus.Succeeded,
            now.AddDays(-2), null, controllerImage);
        cleanup.Images[0].LinkTo(platform.Id);
        var oldPod = Discover(WorkloadKind.Pod, "alice", "old-pod", null, null, WorkloadLifetime.Ephemeral, WorkloadStatus.Succeeded,
            now.AddDays(-30), null, cpuV1);
        oldPod.Images[0].LinkTo(v1.Id);
        oldPod.MarkGone(now.AddDays(-20));
        var shared = Discover(WorkloadKind.Notebook, "team-shared", "shared-notebook", null, null, WorkloadLifetime.LongLived, WorkloadStatus.Stopped,
            null, "alice@example.org", cpuV1);
        shared.Images[0].LinkTo(v1.Id);
        var bobNotebook = Discover(WorkloadKind.Notebook, "bob", "bob-notebook", null, null, WorkloadLifetime.LongLived, WorkloadStatus.Running,
            now.AddMinutes(-10), "bob@example.org", Use("main", ContainerType.Container, "127.0.0.1:5082/users/bob/custom-notebook:latest", null));
        var controllerPod = Discover(WorkloadKind.Pod, "kubeflow", "notebook-controller-7d9f", "Deployment", "notebook-controller",
            WorkloadLifetime.LongLived, WorkloadStatus.Running, now.AddDays(-40), null, controllerImage);
        controllerPod.Images[0].LinkTo(platform.Id);
        db.Workloads.AddRange(aliceNotebook, cleanup, oldPod, shared, bobNotebook, controllerPod);

        db.NamespaceMembers.AddRange(
            Member("alice", "alice@example.org", NamespaceRole.Owner),
            Member("team-shared", "carol@example.org", NamespaceRole.Owner),
            Member("team-shared", "alice@example.org", NamespaceRole.Contributor),
            Member("bob", "bob@example.org", NamespaceRole.Owner));
        await db.SaveChangesAsync(cancellationToken);
        return new Ids(v1.Id, v2.Id, platform.Id);
    }

    private static ImageManifest Image(int repositoryId, string digest, Classification classification)
    {
        var image = ImageManifest.Discover(repositoryId, digest, "application/vnd.oci.image.manifest.v1+json", ImageKind.Image, "linux/amd64",
            WorkloadComponentContext.Now.AddDays(-10), 1_000, new Dictionary<string, string>(), [], WorkloadComponentContext.Now);
        image.Classify(classification);
        return image;
    }

    // The kubelet reports a pulled image as "repository@digest", which is what links a container to the inventory.
    private static ObservedImageUse Use(string container, ContainerType type, string reference, string? digest)
    {
        var tag = reference.LastIndexOf(':');
        var repository = tag > reference.LastIndexOf('/') ? reference[..tag] : reference;
        return new(container, type, ContainerImage.Resolve(reference, digest is null ? null : $"{repository}@{digest}"));
    }

    private static Workload Discover(
        WorkloadKind kind, string ns, string name, string? controllerKind, string? controllerName, WorkloadLifetime lifetime, string status,
        DateTimeOffset? started, string? createdBy, params ObservedImageUse[] images) =>
        Workload.Discover(Cluster, new ObservedWorkload(kind, ns, name, controllerKind, controllerName, lifetime, status, started, createdBy, images),
            WorkloadComponentContext.Now);

    private static NamespaceMember Member(string ns, string email, NamespaceRole role) =>
        NamespaceMember.From(Cluster, new ObservedNamespaceMember(ns, email, role, role == NamespaceRole.Owner ? $"Profile {ns}" : "RoleBinding test"));
}
