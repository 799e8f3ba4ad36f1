using System.Text.Json.Nodes;
using KubernetesEmulator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Core.Inventory;
using Portal.Core.Workloads;
using Portal.Features.Workloads;
using Portal.Integrations.Kubernetes;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Integration.Workloads;

/// <summary>
/// The workload sync against the Kubernetes API emulator through the real KubernetesClient, into real SQLite and
/// PostgreSQL: real PodList fixtures, paging, notebooks, owners and contributors, gone workloads, failures mid-list.
/// </summary>
public sealed class WorkloadSyncTests(PostgresServer postgres)
{
    private static readonly string V1 = "sha256:" + new string('a', 64);
    private static readonly string V2 = "sha256:" + new string('b', 64);

    public static TheoryData<DatabaseKind> Databases => [DatabaseKind.Sqlite, DatabaseKind.Postgres];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// Alice owns namespace "alice" and shared it with Bob; Bob owns "bob". Alice runs a notebook on v1 (its pod
    /// reports the digest) and has a stopped one on v2 (known by tag only); Bob runs one on an image the inventory
    /// does not know.
    /// </summary>
    private static readonly string KubeflowEstate = $$"""
        apiVersion: kubeflow.org/v1
        kind: Profile
        metadata:
          name: alice
        spec:
          owner:
            kind: User
            name: Alice@example.org
        ---
        apiVersion: kubeflow.org/v1beta1
        kind: Profile
        metadata:
          name: bob
        spec:
          owner:
            kind: User
            name: bob@example.org
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata:
          name: namespaceAdmin
          namespace: alice
          annotations:
            role: admin
            user: alice@example.org
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: kubeflow-admin}
        subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: alice@example.org}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata:
          name: user-bob-example-org-clusterrole-edit
          namespace: alice
          annotations:
            role: edit
            user: bob@example.org
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: kubeflow-edit}
        subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: bob@example.org}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata:
          name: default-editor
          namespace: alice
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: kubeflow-edit}
        subjects: [{kind: ServiceAccount, name: default-editor, namespace: alice}]
        ---
        apiVersion: kubeflow.org/v1
        kind: Notebook
        metadata:
          name: analysis
          namespace: alice
          annotations:
            notebooks.kubeflow.org/creator: alice@example.org
        spec:
          template:
            spec:
              containers:
              - name: analysis
                image: {{WorkloadTestCluster.Registry}}/aaw/jupyterlab-cpu:v1
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: analysis-0
          namespace: alice
          labels:
            notebook-name: analysis
            statefulset: analysis
          ownerReferences:
          - apiVersion: apps/v1
            kind: StatefulSet
            name: analysis
            uid: 6b1e3c1a-1111-4a4a-9b9b-000000000001
            controller: true
        spec:
          containers:
          - name: analysis
            image: {{WorkloadTestCluster.Registry}}/aaw/jupyterlab-cpu:v1
        status:
          phase: Running
          startTime: "2026-11-20T09:00:00Z"
          containerStatuses:
          - name: analysis
            image: {{WorkloadTestCluster.Registry}}/aaw/jupyterlab-cpu:v1
            imageID: {{WorkloadTestCluster.Registry}}/aaw/jupyterlab-cpu@{{V1}}
            ready: true
            restartCount: 0
        ---
        apiVersion: kubeflow.org/v1beta1
        kind: Notebook
        metadata:
          name: old-experiment
          namespace: alice
          annotations:
            kubeflow-resource-stopped: "2026-11-01T00:00:00Z"
        spec:
          template:
            spec:
              containers:
              - name: old-experiment
                image: {{WorkloadTestCluster.Registry}}/aaw/jupyterlab-cpu:v2
        ---
        apiVersion: kubeflow.org/v1
        kind: Notebook
        metadata:
          name: bobs-notebook
          namespace: bob
        spec:
          template:
            spec:
              containers:
              - name: bobs-notebook
                image: ghcr.io/kubeflow/kubeflow/notebook-servers/jupyter-scipy:v1.10.0
        """;

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task ReadsTheRealPodListFixturesWithInitContainersRedactedFieldsAndDigests(DatabaseKind kind)
    {
        await using var cluster = await WorkloadTestCluster.StartAsync(kind, postgres, pageSize: 2);
        cluster.Emulator.LoadFile(WorkloadTestCluster.Fixture("podlist", "cloudability-metrics-agent", "pods.json"));
        cluster.Emulator.LoadFile(WorkloadTestCluster.Fixture("pod", "etcd-master-0.imeixner20210707.lab.upshift.rdu2.redhat.com.json"), "openshift-etcd");

        var summary = await cluster.SyncAsync();
        var page = await cluster.Catalog.SearchAsync(new WorkloadPageRequest(new WorkloadFilter(), Take: 100), WorkloadScope.Everyone, Ct);

        summary.Workloads.ShouldBe(7);
        cluster.Emulator.Requests.Count(r => r.Path == "/api/v1/pods").ShouldBe(4, "7 pods at 2 per page");
        var rows = page.Items.ToDictionary(w => w.Name);
        rows["aws-node-48cfw"].ControllerKind.ShouldBe("DaemonSet");
        rows["aws-node-48cfw"].Lifetime.ShouldBe(WorkloadLifetime.LongLived);
        var awsImages = rows["aws-node-48cfw"].Images;
        awsImages.Select(i => i.ContainerType).ShouldBe([ContainerType.Init, ContainerType.Container]);
        awsImages[0].Reference.ShouldBe("602401143452.dkr.ecr.us-east-1.amazonaws.com/amazon-k8s-cni-init:v1.10.1-eksbuild.1");
        awsImages[1].Digest.ShouldBe("sha256:3b6db8b6fb23424366ef91d7e9e818e42291316fa81c00c2c75dcafa614340c5");
        rows["stress2"].Lifetime.ShouldBe(WorkloadLifetime.Ephemeral);
        rows["stress2"].Images.ShouldHaveSingleItem().Reference.ShouldBe("docker.io/jfusterm/stress:latest");
        rows["stress2"].Images[0].Digest.ShouldBe("sha256:23ec4bdb66beaf7eeccbad243329d918fb3c721b381de2e2d8f6317f859d4cce");
        rows["coredns-7f5998f4c-5fblt"].ControllerKind.ShouldBe("ReplicaSet", "no ReplicaSet object was served to follow");
        // The redacted agent pod ("...") is kept as written, unresolved, rather than dropped or crashing the sync.
        rows["cloudability-metrics-agent-f564d999d-8qwp8"].Images.ShouldAllBe(i => i.Reference == "..." && i.Digest == null);
        var etcd = page.Items.Single(w => w.Name.StartsWith("etcd-", StringComparison.Ordinal));
        etcd.ControllerKind.ShouldBe("Node");
        etcd.Images.Count(i => i.ContainerType == ContainerType.Init).ShouldBeGreaterThan(0);
        etcd.Images.ShouldAllBe(i => i.Digest == "sha256:e547acdeb82a29ae9561b1d04b55525ec78a678d892a0575f8c8c34f93542ae7");
    }

    [Fact]
    public async Task FollowsReplicaSetsToTheirDeployments()
    {
        await using var cluster = await WorkloadTestCluster.StartAsync(DatabaseKind.Sqlite, postgres);
        cluster.Emulator.LoadFile(WorkloadTestCluster.Fixture("podlist", "cloudability-metrics-agent", "pods.json"));
        cluster.Emulator.Load("""
            apiVersion: apps/v1
            kind: ReplicaSet
            metadata:
              name: coredns-7f5998f4c
              namespace: kube-system
              ownerReferences:
              - {apiVersion: apps/v1, kind: Deployment, name: coredns, uid: 0a004e11-0000-4000-8000-000000000001, controller: true}
            spec: {}
            """);

        await cluster.SyncAsync();
        var page = await cluster.Catalog.SearchAsync(new WorkloadPageRequest(new WorkloadFilter(Search: "coredns")), WorkloadScope.Everyone, Ct);

        page.Items.Count.ShouldBe(2);
        page.Items.ShouldAllBe(w => w.ControllerKind == "Deployment" && w.ControllerName == "coredns" && w.Lifetime == WorkloadLifetime.LongLived);
    }

    [Fact]
    public async Task PagesThroughManyPodsWithLimitAndContinue()
    {
        await using var cluster = await WorkloadTestCluster.StartAsync(DatabaseKind.Sqlite, postgres, pageSize: 100);
        for (var i = 0; i < 250; i++)
        {
            cluster.Emulator.Add(GeneratedPod($"ns-{i % 7}", $"pod-{i:D3}"));
        }

        var summary = await cluster.SyncAsync();

        summary.Workloads.ShouldBe(250);
        var listCalls = cluster.Emulator.Requests.Where(r => r.Path == "/api/v1/pods").ToList();
        listCalls.Count.ShouldBe(3);
        listCalls.Skip(1).ShouldAllBe(r => r.Query.Contains("continue=", StringComparison.Ordinal));
        await using var db = cluster.Database.CreateDbContext();
        (await db.Workloads.CountAsync(Ct)).ShouldBe(250);
        (await db.WorkloadImages.CountAsync(Ct)).ShouldBe(250);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task NotebooksGetTheirOwnersContributorsAndInventoryImages(DatabaseKind kind)
    {
        await using var cluster = await WorkloadTestCluster.StartAsync(kind, postgres);
        var (v1, v2) = await cluster.SeedInventoryAsync(V1, V2);
        cluster.Emulator.Load(KubeflowEstate);

        var summary = await cluster.SyncAsync();
        var all = await cluster.Catalog.SearchAsync(new WorkloadPageRequest(new WorkloadFilter()), WorkloadScope.Everyone, Ct);

        summary.Workloads.ShouldBe(3, "the notebook's pod is folded into the notebook");
        summary.Members.ShouldBe(3);
        var analysis = all.Items.Single(w => w.Name == "analysis");
        (analysis.Kind, analysis.Status, analysis.Owner, analysis.CreatedBy).ShouldBe((WorkloadKind.Notebook, WorkloadStatus.Running, "alice@example.org", "alice@example.org"));
        analysis.Images.ShouldHaveSingleItem().ImageId.ShouldBe(v1, "joined by the digest the pod reports");
        var stopped = all.Items.Single(w => w.Name == "old-experiment");
        stopped.Status.ShouldBe(WorkloadStatus.Stopped);
        stopped.Images.ShouldHaveSingleItem().ImageId.ShouldBe(v2, "joined by tag when no digest is known");
        var bobs = all.Items.Single(w => w.Name == "bobs-notebook");
        bobs.Owner.ShouldBe("bob@example.org");
        bobs.Images.ShouldHaveSingleItem().ImageId.ShouldBeNull();
        bobs.Images[0].Class.ShouldBeNull();

        var users = await cluster.Catalog.UsersOfImageAsync(v1, Ct);
        users.ShouldHaveSingleItem().ShouldBe(new ImageUser(
            analysis.Id, WorkloadTestCluster.Name, "alice", "analysis", WorkloadKind.Notebook, WorkloadLifetime.LongLived, WorkloadStatus.Running,
            "analysis", "alice@example.org", "alice@example.org", V1));
        var inUse = await cluster.Catalog.InUseByClassAsync(Ct);
        inUse.Single(c => c.Class == ImageClass.Unclassified).ShouldBe(new ClassUsage(ImageClass.Unclassified, 2, 2));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task APersonSeesOnlyNamespacesTheyOwnOrContributeTo(DatabaseKind kind)
    {
        await using var cluster = await WorkloadTestCluster.StartAsync(kind, postgres);
        cluster.Emulator.Load(KubeflowEstate);
        await cluster.SyncAsync();

        async Task<string[]> Visible(string? email) =>
            (await cluster.Catalog.SearchAsync(new WorkloadPageRequest(new WorkloadFilter()), WorkloadScope.For(email), Ct))
            .Items.Select(w => w.Name).Order(StringComparer.Ordinal).ToArray();

        (await Visible("alice@example.org")).ShouldBe(["analysis", "old-experiment"]);
        (await Visible("ALICE@Example.org")).ShouldBe(["analysis", "old-experiment"], "emails compare case-insensitively");
        (await Visible("bob@example.org")).ShouldBe(["analysis", "bobs-notebook", "old-experiment"], "Bob contributes to Alice's namespace");
        (await Visible("carol@example.org")).ShouldBeEmpty();
        (await Visible(null)).ShouldBeEmpty("no email means no namespace, never everything");
        (await Visible("default-editor")).ShouldBeEmpty("service accounts in RoleBindings without Kubeflow's annotations are not people");
        (await cluster.Catalog.NamespacesAsync(WorkloadScope.For("bob@example.org"), Ct)).ShouldBe(["alice", "bob"]);
    }

    [Fact]
    public async Task LinksWorkloadsWhenTheInventoryArrivesAfterThem()
    {
        await using var cluster = await WorkloadTestCluster.StartAsync(DatabaseKind.Sqlite, postgres);
        cluster.Emulator.Load(KubeflowEstate);
        await cluster.SyncAsync();
        var before = await cluster.Catalog.SearchAsync(new WorkloadPageRequest(new WorkloadFilter(Namespace: "alice")), WorkloadScope.Everyone, Ct);

        var (v1, v2) = await cluster.SeedInventoryAsync(V1, V2);
        var linked = await cluster.Linker.LinkAsync(Ct);
        var after = await cluster.Catalog.SearchAsync(new WorkloadPageRequest(new WorkloadFilter(Namespace: "alice")), WorkloadScope.Everyone, Ct);

        before.Items.SelectMany(w => w.Images).ShouldAllBe(i => i.ImageId == null);
        linked.ShouldBe(2);
        after.Items.SelectMany(w => w.Images).Select(i => i.ImageId).Order().ShouldBe([v1, v2]);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task MarksDisappearedWorkloadsGoneAndKeepsTheirHistory(DatabaseKind kind)
    {
        await using var cluster = await WorkloadTestCluster.StartAsync(kind, postgres);
        cluster.Emulator.Add(GeneratedPod("team", "job-1", "Job"));
        cluster.Emulator.Add(GeneratedPod("team", "web-1", "ReplicaSet"));
        await cluster.SyncAsync();

        using var client = new HttpClient { BaseAddress = cluster.Emulator.BaseAddress };
        (await client.DeleteAsync("/api/v1/namespaces/team/pods/job-1", Ct)).EnsureSuccessStatusCode();
        cluster.Clock.Advance(TimeSpan.FromMinutes(10));
        var summary = await cluster.SyncAsync();

        summary.Gone.ShouldBe(1);
        var present = await cluster.Catalog.SearchAsync(new WorkloadPageRequest(new WorkloadFilter()), WorkloadScope.Everyone, Ct);
        var withGone = await cluster.Catalog.SearchAsync(new WorkloadPageRequest(new WorkloadFilter(IncludeGone: true)), WorkloadScope.Everyone, Ct);
        present.Items.ShouldHaveSingleItem().Name.ShouldBe("web-1");
        present.Items[0].LastSeen.ShouldBe(WorkloadTestCluster.Now.AddMinutes(10));
        var gone = withGone.Items.Single(w => w.Name == "job-1");
        gone.GoneAt.ShouldBe(WorkloadTestCluster.Now.AddMinutes(10));
        gone.Images.ShouldHaveSingleItem("the gone workload keeps what it ran");

        cluster.Emulator.Add(GeneratedPod("team", "job-1", "Job"));
        cluster.Clock.Advance(TimeSpan.FromMinutes(10));
        await cluster.SyncAsync();
        var back = await cluster.Catalog.SearchAsync(new WorkloadPageRequest(new WorkloadFilter()), WorkloadScope.Everyone, Ct);
        back.TotalCount.ShouldBe(2);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task AClusterFailingMidListKeepsThePreviousSnapshot(DatabaseKind kind)
    {
        await using var cluster = await WorkloadTestCluster.StartAsync(kind, postgres, pageSize: 2);
        cluster.Emulator.Load(KubeflowEstate);
        for (var i = 0; i < 5; i++)
        {
            cluster.Emulator.Add(GeneratedPod("team", $"pod-{i}"));
        }

        await cluster.SyncAsync();
        var before = await SnapshotOf(cluster);

        using var client = new HttpClient { BaseAddress = cluster.Emulator.BaseAddress };
        (await client.DeleteAsync("/api/v1/namespaces/team/pods/pod-4", Ct)).EnsureSuccessStatusCode();
        cluster.Emulator.FailListAfterPages("pods", 1);
        cluster.Clock.Advance(TimeSpan.FromMinutes(10));
        var failure = await Should.ThrowAsync<Exception>(cluster.SyncAsync());

        failure.Message.ShouldContain("500");
        (await SnapshotOf(cluster)).ShouldBe(before, "nothing is marked gone or touched when the list fails half-way");
    }

    [Fact]
    public async Task SecondSyncWithoutChangesOnlyTouchesSightings()
    {
        await using var cluster = await WorkloadTestCluster.StartAsync(DatabaseKind.Sqlite, postgres);
        cluster.Emulator.Load(KubeflowEstate);
        await cluster.SyncAsync();
        cluster.Clock.Advance(TimeSpan.FromMinutes(10));

        var summary = await cluster.SyncAsync();

        (summary.New, summary.Changed, summary.Gone).ShouldBe((0, 0, 0));
        await using var db = cluster.Database.CreateDbContext();
        (await db.Workloads.Select(w => w.LastSeen).Distinct().ToListAsync(Ct)).ShouldBe([WorkloadTestCluster.Now.AddMinutes(10)]);
        (await db.Workloads.Select(w => w.FirstSeen).Distinct().ToListAsync(Ct)).ShouldBe([WorkloadTestCluster.Now]);
    }

    [Fact]
    public async Task ClustersAreSyncedAndScopedSeparately()
    {
        await using var cluster = await WorkloadTestCluster.StartAsync(DatabaseKind.Sqlite, postgres);
        await using var other = await KubernetesApiEmulator.StartAsync(cancellationToken: Ct);
        using var directory = new TempDirectory("clusters");
        cluster.Emulator.Load(KubeflowEstate);
        // The same namespace name in another cluster belongs to someone else.
        other.Load("""
            apiVersion: kubeflow.org/v1
            kind: Profile
            metadata:
              name: alice
            spec:
              owner: {kind: User, name: mallory@example.org}
            ---
            apiVersion: kubeflow.org/v1
            kind: Notebook
            metadata: {name: mallorys-notebook, namespace: alice}
            spec:
              template:
                spec:
                  containers: [{name: main, image: "nginx:1.27"}]
            """);
        var options = Options.Create(new KubernetesOptions
        {
            Clusters =
            [
                new ClusterOptions { Name = "a", KubeConfigPath = cluster.Emulator.WriteKubeconfig(directory.File("a")) },
                new ClusterOptions { Name = "b", KubeConfigPath = other.WriteKubeconfig(directory.File("b")) },
            ],
        });
        var sync = new WorkloadSync(cluster.Database, new KubernetesWorkloadSource(options, NullLogger<KubernetesWorkloadSource>.Instance),
            cluster.Linker, cluster.Clock);

        sync.Clusters.ShouldBe(["a", "b"]);
        foreach (var name in sync.Clusters)
        {
            await sync.SyncAsync(name, (_, _) => Task.CompletedTask, Ct);
        }

        var alice = await cluster.Catalog.SearchAsync(new WorkloadPageRequest(new WorkloadFilter()), WorkloadScope.For("alice@example.org"), Ct);
        var mallory = await cluster.Catalog.SearchAsync(new WorkloadPageRequest(new WorkloadFilter()), WorkloadScope.For("mallory@example.org"), Ct);
        var inB = await cluster.Catalog.SearchAsync(new WorkloadPageRequest(new WorkloadFilter(Cluster: "b")), WorkloadScope.Everyone, Ct);

        alice.Items.ShouldNotBeEmpty();
        alice.Items.ShouldAllBe(w => w.Cluster == "a");
        mallory.Items.ShouldHaveSingleItem().Name.ShouldBe("mallorys-notebook");
        inB.Items.ShouldHaveSingleItem().Owner.ShouldBe("mallory@example.org");
    }

    private static async Task<List<string>> SnapshotOf(WorkloadTestCluster cluster)
    {
        await using var db = cluster.Database.CreateDbContext();
        var workloads = await db.Workloads.AsNoTracking().Include(w => w.Images).OrderBy(w => w.Id).ToListAsync(Ct);
        var members = await db.NamespaceMembers.AsNoTracking().OrderBy(m => m.Id).Select(m => $"{m.Namespace} {m.Email} {m.Role}").ToListAsync(Ct);
        return workloads.Select(w => $"{w.Namespace}/{w.Name} {w.Status} {w.LastSeen:O} {w.GoneAt:O} {w.Images.Count}").Concat(members).ToList();
    }

    private static JsonObject GeneratedPod(string ns, string name, string? ownerKind = null)
    {
        var metadata = new JsonObject { ["name"] = name, ["namespace"] = ns };
        if (ownerKind is not null)
        {
            metadata["ownerReferences"] = new JsonArray(new JsonObject
            {
                ["apiVersion"] = ownerKind == "Job" ? "batch/v1" : "apps/v1",
                ["kind"] = ownerKind,
                ["name"] = name + "-owner",
                ["uid"] = Guid.NewGuid().ToString(),
                ["controller"] = true,
            });
        }

        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = metadata,
            ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "main", ["image"] = "nginx:1.27" }) },
            ["status"] = new JsonObject
            {
                ["phase"] = "Running",
                ["startTime"] = "2026-11-20T09:00:00Z",
                ["containerStatuses"] = new JsonArray(new JsonObject
                {
                    ["name"] = "main",
                    ["image"] = "nginx:1.27",
                    ["imageID"] = "docker-pullable://nginx@sha256:" + new string('c', 64),
                    ["ready"] = true,
                    ["restartCount"] = 0,
                }),
            },
        };
    }
}
