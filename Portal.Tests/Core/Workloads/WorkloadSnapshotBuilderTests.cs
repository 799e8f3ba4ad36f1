using Portal.Core.Workloads;

namespace Portal.Tests.Core.Workloads;

public sealed class WorkloadSnapshotBuilderTests
{
    private static readonly DateTimeOffset Started = new(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);
    private const string Digest = "sha256:09c4a9684cc63dc17565b656b57797498b4a5d5e10f4286ce5ad6ff7435d7f3d";

    private static ObservedPod Pod(
        string ns, string name, OwnerReference? controller = null, Dictionary<string, string>? labels = null, string phase = "Running",
        params ObservedContainer[] containers) =>
        new(ns, name, phase, Started, Started, labels ?? [], controller,
            containers.Length > 0 ? containers : [new ObservedContainer("main", ContainerType.Container, "nginx:1.27", null)]);

    private static ClusterSnapshot Cluster(
        IReadOnlyList<ObservedPod>? pods = null, IReadOnlyList<ObservedNotebook>? notebooks = null,
        IReadOnlyList<ObservedController>? replicaSets = null, IReadOnlyList<ObservedProfile>? profiles = null,
        IReadOnlyList<ObservedRoleBinding>? bindings = null) =>
        new("test", pods ?? [], notebooks ?? [], replicaSets ?? [], profiles ?? [], bindings ?? []);

    [Fact]
    public void FollowsAReplicaSetToItsDeploymentAndCallsItLongLived()
    {
        var snapshot = WorkloadSnapshotBuilder.Build(Cluster(
            pods: [Pod("kube-system", "coredns-7f5998f4c-5fblt", new OwnerReference("ReplicaSet", "coredns-7f5998f4c"))],
            replicaSets: [new ObservedController("kube-system", "coredns-7f5998f4c", new OwnerReference("Deployment", "coredns"))]));

        var workload = snapshot.Workloads.ShouldHaveSingleItem();
        workload.Kind.ShouldBe(WorkloadKind.Pod);
        workload.ControllerKind.ShouldBe("Deployment");
        workload.ControllerName.ShouldBe("coredns");
        workload.Lifetime.ShouldBe(WorkloadLifetime.LongLived);
    }

    [Theory]
    [InlineData("Job", WorkloadLifetime.Ephemeral)]
    [InlineData("Workflow", WorkloadLifetime.Ephemeral)]
    [InlineData("StatefulSet", WorkloadLifetime.LongLived)]
    [InlineData("DaemonSet", WorkloadLifetime.LongLived)]
    [InlineData("Node", WorkloadLifetime.LongLived)]
    public void DecidesLifetimeFromTheControllingOwner(string kind, WorkloadLifetime expected)
    {
        var snapshot = WorkloadSnapshotBuilder.Build(Cluster(pods: [Pod("ns", "p", new OwnerReference(kind, "owner"))]));

        snapshot.Workloads.ShouldHaveSingleItem().Lifetime.ShouldBe(expected);
    }

    [Fact]
    public void BarePodsAreEphemeral()
    {
        var snapshot = WorkloadSnapshotBuilder.Build(Cluster(pods: [Pod("stress-test", "stress2")]));

        var workload = snapshot.Workloads.ShouldHaveSingleItem();
        workload.ControllerKind.ShouldBeNull();
        workload.Lifetime.ShouldBe(WorkloadLifetime.Ephemeral);
    }

    [Fact]
    public void FoldsANotebooksPodIntoTheNotebookWithItsResolvedDigest()
    {
        var pod = Pod("alice", "analysis-0", new OwnerReference("StatefulSet", "analysis"),
            new Dictionary<string, string> { [WorkloadSnapshotBuilder.NotebookNameLabel] = "analysis" }, "Running",
            new ObservedContainer("analysis", ContainerType.Container, "127.0.0.1:5082/aaw/jupyterlab-cpu:v1", $"127.0.0.1:5082/aaw/jupyterlab-cpu@{Digest}"));
        var notebook = new ObservedNotebook("alice", "analysis", Started, Stopped: false, "alice@example.org",
            [new ObservedContainer("analysis", ContainerType.Container, "127.0.0.1:5082/aaw/jupyterlab-cpu:v1", null)]);

        var snapshot = WorkloadSnapshotBuilder.Build(Cluster(pods: [pod], notebooks: [notebook]));

        var workload = snapshot.Workloads.ShouldHaveSingleItem();
        workload.Kind.ShouldBe(WorkloadKind.Notebook);
        workload.Name.ShouldBe("analysis");
        workload.Status.ShouldBe(WorkloadStatus.Running);
        workload.Lifetime.ShouldBe(WorkloadLifetime.LongLived);
        workload.CreatedBy.ShouldBe("alice@example.org");
        workload.Images.ShouldHaveSingleItem().Image.Digest.ShouldBe(Digest);
    }

    [Fact]
    public void AStoppedNotebookKeepsItsSpecImagesAndSaysStopped()
    {
        var notebook = new ObservedNotebook("alice", "old", Started, Stopped: true, null,
            [new ObservedContainer("old", ContainerType.Container, "127.0.0.1:5082/aaw/jupyterlab-cpu:v2", null)]);

        var workload = WorkloadSnapshotBuilder.Build(Cluster(notebooks: [notebook])).Workloads.ShouldHaveSingleItem();

        workload.Status.ShouldBe(WorkloadStatus.Stopped);
        workload.StartedAt.ShouldBeNull();
        var image = workload.Images.ShouldHaveSingleItem().Image;
        image.Tag.ShouldBe("v2");
        image.Digest.ShouldBeNull();
    }

    [Fact]
    public void ANotebookWithoutAPodIsStarting()
    {
        var notebook = new ObservedNotebook("alice", "new", Started, Stopped: false, null,
            [new ObservedContainer("new", ContainerType.Container, "nginx", null)]);

        WorkloadSnapshotBuilder.Build(Cluster(notebooks: [notebook])).Workloads.ShouldHaveSingleItem().Status.ShouldBe(WorkloadStatus.Starting);
    }

    [Fact]
    public void AStatefulSetPodWithoutANotebookOfThatNameStaysAPod()
    {
        var snapshot = WorkloadSnapshotBuilder.Build(Cluster(pods: [Pod("db", "postgres-0", new OwnerReference("StatefulSet", "postgres"))]));

        var workload = snapshot.Workloads.ShouldHaveSingleItem();
        workload.Kind.ShouldBe(WorkloadKind.Pod);
        workload.ControllerKind.ShouldBe("StatefulSet");
    }

    [Fact]
    public void KeepsEveryContainerTypeInOrder()
    {
        var pod = Pod("ns", "p", null, null, "Pending",
            new ObservedContainer("init", ContainerType.Init, "busybox", null),
            new ObservedContainer("app", ContainerType.Container, "nginx", null),
            new ObservedContainer("debug", ContainerType.Ephemeral, "busybox:1.36", null));

        var images = WorkloadSnapshotBuilder.Build(Cluster(pods: [pod])).Workloads.ShouldHaveSingleItem().Images;

        images.Select(i => (i.ContainerName, i.Type)).ShouldBe([("init", ContainerType.Init), ("app", ContainerType.Container), ("debug", ContainerType.Ephemeral)]);
    }

    [Fact]
    public void ResolvesProfileOwnersAndKubeflowContributors()
    {
        var snapshot = WorkloadSnapshotBuilder.Build(Cluster(
            profiles: [new ObservedProfile("alice", "User", "Alice@Example.org"), new ObservedProfile("bob", "User", "bob@example.org")],
            bindings:
            [
                new ObservedRoleBinding("alice", "namespaceAdmin", "alice@example.org", "admin"),
                new ObservedRoleBinding("alice", "user-bob-example-org-clusterrole-edit", "bob@example.org", "edit"),
            ]));

        snapshot.Members.ShouldBe(
        [
            new ObservedNamespaceMember("alice", "alice@example.org", NamespaceRole.Owner, "Profile alice"),
            new ObservedNamespaceMember("alice", "bob@example.org", NamespaceRole.Contributor, "RoleBinding user-bob-example-org-clusterrole-edit (edit)"),
            new ObservedNamespaceMember("bob", "bob@example.org", NamespaceRole.Owner, "Profile bob"),
        ]);
    }

    [Fact]
    public void AProfileWithoutAnOwnerGivesNoMember()
    {
        WorkloadSnapshotBuilder.Build(Cluster(profiles: [new ObservedProfile("orphan", null, null)])).Members.ShouldBeEmpty();
    }
}
