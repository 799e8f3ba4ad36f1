using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using KubernetesEmulator;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Integration.Kubernetes;

/// <summary>
/// The Kubernetes API emulator driven by the real <c>KubernetesClient</c>, over real API output and manifests
/// (Fixtures/kubernetes): what the portal's workload sync and actions rely on must behave as kube-apiserver does.
/// </summary>
public sealed class KubernetesApiEmulatorTests
{
    private const string Kubeflow = "kubeflow.org";
    private const string NotebookNamespace = "kubeflow-user-example-com";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Fixture(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "Fixtures", "kubernetes", .. parts]);

    private static string PodListFixture => Fixture("podlist", "cloudability-metrics-agent", "pods.json");

    private static k8s.Kubernetes Client(KubernetesApiEmulator emulator) =>
        new(new KubernetesClientConfiguration { Host = emulator.BaseAddress.ToString() });

    [Fact]
    public async Task ListsPodsAcrossPagesGivenALimit()
    {
        await using var emulator = await KubernetesApiEmulator.StartAsync(cancellationToken: Ct);
        emulator.LoadFile(PodListFixture);
        using var client = Client(emulator);

        var pages = new List<V1PodList>();
        string? token = null;
        do
        {
            var page = await client.CoreV1.ListPodForAllNamespacesAsync(limit: 2, continueParameter: token, cancellationToken: Ct);
            pages.Add(page);
            token = page.Metadata.ContinueProperty;
        }
        while (token is not null);

        pages.Count.ShouldBe(3);
        pages.ShouldAllBe(p => p.Items.Count == 2);
        pages.Select(p => p.Metadata.RemainingItemCount).ShouldBe([4L, 2L, null]);
        var pods = pages.SelectMany(p => p.Items).ToList();
        pods.Select(p => $"{p.Namespace()}/{p.Name()}").ShouldBe(
        [
            "cloudability/cloudability-metrics-agent-f564d999d-8qwp8",
            "kube-system/aws-node-48cfw",
            "kube-system/coredns-7f5998f4c-5fblt",
            "kube-system/coredns-7f5998f4c-6bb5v",
            "kube-system/kube-proxy-g6lc7",
            "stress-test/stress2",
        ], "every pod exactly once, in namespace/name (etcd key) order");
        var awsNode = pods.Single(p => p.Name() == "aws-node-48cfw");
        awsNode.Spec.InitContainers.Single().Image.ShouldBe("602401143452.dkr.ecr.us-east-1.amazonaws.com/amazon-k8s-cni-init:v1.10.1-eksbuild.1");
        awsNode.Status.InitContainerStatuses.Single().ImageID.ShouldStartWith("docker-pullable://602401143452.dkr.ecr.us-east-1.amazonaws.com/");
        awsNode.Status.ContainerStatuses.Single().ImageID.ShouldBe(
            "docker-pullable://602401143452.dkr.ecr.us-east-1.amazonaws.com/amazon-k8s-cni@sha256:3b6db8b6fb23424366ef91d7e9e818e42291316fa81c00c2c75dcafa614340c5");
        awsNode.Metadata.Uid.ShouldBe("8c9cfe2b-0b80-474a-8f70-588118892943", "the fixture's uid is kept");
        pods.Single(p => p.Name() == "stress2").Metadata.Labels["environment"].ShouldBe("staging");
    }

    [Fact]
    public async Task ListsTwoHundredFiftyPodsInPagesOfOneHundred()
    {
        await using var emulator = await KubernetesApiEmulator.StartAsync(cancellationToken: Ct);
        AddGeneratedPods(emulator, 250);
        using var client = Client(emulator);

        var sizes = new List<int>();
        var names = new List<string>();
        string? token = null;
        do
        {
            var page = await client.CoreV1.ListPodForAllNamespacesAsync(limit: 100, continueParameter: token, cancellationToken: Ct);
            sizes.Add(page.Items.Count);
            names.AddRange(page.Items.Select(p => $"{p.Namespace()}/{p.Name()}"));
            token = page.Metadata.ContinueProperty;
        }
        while (token is not null);

        sizes.ShouldBe([100, 100, 50]);
        names.Distinct().Count().ShouldBe(250);
        names.ShouldBe(names.Order(StringComparer.Ordinal).ToList());

        var oneNamespace = await client.CoreV1.ListNamespacedPodAsync("team-3", limit: 30, cancellationToken: Ct);
        oneNamespace.Items.Count.ShouldBe(30);
        oneNamespace.Items.ShouldAllBe(p => p.Namespace() == "team-3");
        var rest = await client.CoreV1.ListNamespacedPodAsync("team-3", continueParameter: oneNamespace.Metadata.ContinueProperty,
            cancellationToken: Ct);
        (oneNamespace.Items.Count + rest.Items.Count).ShouldBe(50);
        rest.Metadata.ContinueProperty.ShouldBeNull();
    }

    [Fact]
    public async Task ConcurrentListersEachSeeEveryPodOnce()
    {
        await using var emulator = await KubernetesApiEmulator.StartAsync(cancellationToken: Ct);
        AddGeneratedPods(emulator, 250);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            using var client = Client(emulator);
            var names = new List<string>();
            string? token = null;
            do
            {
                var page = await client.CoreV1.ListPodForAllNamespacesAsync(limit: 30, continueParameter: token, cancellationToken: Ct);
                names.AddRange(page.Items.Select(p => p.Name()));
                token = page.Metadata.ContinueProperty;
            }
            while (token is not null);

            return names;
        }));

        results.ShouldAllBe(names => names.Count == 250 && names.Distinct().Count() == 250);
    }

    [Fact]
    public async Task FiltersByLabelAndFieldSelectors()
    {
        await using var emulator = await KubernetesApiEmulator.StartAsync(cancellationToken: Ct);
        emulator.LoadFile(PodListFixture);
        using var client = Client(emulator);

        async Task<string[]> NamesAsync(string? labels, string? fields = null) =>
            [.. (await client.CoreV1.ListPodForAllNamespacesAsync(labelSelector: labels, fieldSelector: fields, cancellationToken: Ct))
                .Items.Select(p => p.Name())];

        (await NamesAsync("k8s-app=kube-dns")).ShouldBe(["coredns-7f5998f4c-5fblt", "coredns-7f5998f4c-6bb5v"]);
        (await NamesAsync("k8s-app==kube-dns,eks.amazonaws.com/component=coredns")).Length.ShouldBe(2);
        (await NamesAsync("k8s-app!=kube-dns")).Length.ShouldBe(4, "pods without the label match != as well");
        (await NamesAsync("app")).ShouldBe(["cloudability-metrics-agent-f564d999d-8qwp8", "stress2"]);
        (await NamesAsync("!k8s-app")).ShouldBe(["cloudability-metrics-agent-f564d999d-8qwp8", "stress2"]);
        (await NamesAsync("k8s-app in (kube-proxy, aws-node)")).ShouldBe(["aws-node-48cfw", "kube-proxy-g6lc7"]);
        (await NamesAsync("k8s-app notin (kube-dns),app")).ShouldBe(["cloudability-metrics-agent-f564d999d-8qwp8", "stress2"]);
        (await NamesAsync(null, "metadata.namespace=kube-system,metadata.name!=aws-node-48cfw")).Length.ShouldBe(3);

        var namespaced = await client.CoreV1.ListNamespacedPodAsync("kube-system", labelSelector: "k8s-app=kube-dns", limit: 1, cancellationToken: Ct);
        namespaced.Items.Single().Name().ShouldBe("coredns-7f5998f4c-5fblt");
        namespaced.Metadata.RemainingItemCount.ShouldBeNull("the real server does not count remaining items under a selector");
        var next = await client.CoreV1.ListNamespacedPodAsync("kube-system", labelSelector: "k8s-app=kube-dns", limit: 1,
            continueParameter: namespaced.Metadata.ContinueProperty, cancellationToken: Ct);
        next.Items.Single().Name().ShouldBe("coredns-7f5998f4c-6bb5v");
        next.Metadata.ContinueProperty.ShouldBeNull();

        var bad = await Should.ThrowAsync<HttpOperationException>(() => NamesAsync("a=(b"));
        bad.Response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task LoadsASinglePodWithoutApiVersionByItsSelfLinkAndGetsIt()
    {
        await using var emulator = await KubernetesApiEmulator.StartAsync(cancellationToken: Ct);
        emulator.LoadFile(Fixture("pod", "etcd-master-0.imeixner20210707.lab.upshift.rdu2.redhat.com.json"));
        using var client = Client(emulator);

        var pod = await client.CoreV1.ReadNamespacedPodAsync("etcd-master-0.imeixner20210707.lab.upshift.rdu2.redhat.com", "openshift-etcd",
            cancellationToken: Ct);

        pod.ApiVersion.ShouldBe("v1");
        pod.Kind.ShouldBe("Pod");
        pod.Metadata.Uid.ShouldBe("1770220e-f347-45bc-9165-60b6e61d0a6f");
        pod.Metadata.ResourceVersion.ShouldBe("9321");
        pod.Spec.InitContainers.Count.ShouldBe(2);
        pod.Spec.Containers.Count.ShouldBe(3);
        pod.Spec.Containers.ShouldAllBe(c => c.Image.Contains("@sha256:"));
        pod.Status.InitContainerStatuses.Count.ShouldBe(2);
    }

    [Fact]
    public async Task ServesOneNotebookAtEveryKubeflowVersion()
    {
        await using var emulator = await KubernetesApiEmulator.StartAsync(cancellationToken: Ct);
        emulator.LoadDirectory(Fixture("kubeflow-notebook"));
        using var client = Client(emulator);

        foreach (var version in (string[])["v1", "v1beta1"])
        {
            var list = Json(await client.CustomObjects.ListClusterCustomObjectAsync(Kubeflow, version, "notebooks", cancellationToken: Ct));
            list.GetProperty("kind").GetString().ShouldBe("NotebookList");
            list.GetProperty("apiVersion").GetString().ShouldBe($"kubeflow.org/{version}");
            var items = list.GetProperty("items").EnumerateArray().ToList();
            items.Select(i => $"{i.GetProperty("metadata").GetProperty("namespace").GetString()}/{i.GetProperty("metadata").GetProperty("name").GetString()}")
                .ShouldBe(["default/jupyter-test", "default/notebook-sample-v1", "kubeflow-user-example-com/test", "kubeflow-user/test-notebook"]);
            items.ShouldAllBe(i => i.GetProperty("apiVersion").GetString() == $"kubeflow.org/{version}" && i.GetProperty("kind").GetString() == "Notebook");
        }

        var stored = Json(await client.CustomObjects.GetNamespacedCustomObjectAsync(Kubeflow, "v1", NotebookNamespace, "notebooks", "test",
            cancellationToken: Ct));
        var converted = Json(await client.CustomObjects.GetNamespacedCustomObjectAsync(Kubeflow, "v1beta1", NotebookNamespace, "notebooks", "test",
            cancellationToken: Ct));
        stored.GetProperty("apiVersion").GetString().ShouldBe("kubeflow.org/v1");
        converted.GetProperty("apiVersion").GetString().ShouldBe("kubeflow.org/v1beta1");
        converted.GetProperty("metadata").GetProperty("uid").GetString().ShouldBe(stored.GetProperty("metadata").GetProperty("uid").GetString());
        Container(converted).GetProperty("image").GetString().ShouldBe("ghcr.io/kubeflow/kubeflow/notebook-servers/jupyter-scipy:v1.10.0");
        emulator.Find("kubeflow.org/v1alpha1", "Notebook", NotebookNamespace, "test")!["apiVersion"]!.GetValue<string>().ShouldBe("kubeflow.org/v1alpha1");

        var inNamespace = Json(await client.CustomObjects.ListNamespacedCustomObjectAsync(Kubeflow, "v1beta1", "kubeflow-user", "notebooks",
            cancellationToken: Ct));
        inNamespace.GetProperty("items").EnumerateArray().Single().GetProperty("metadata").GetProperty("name").GetString().ShouldBe("test-notebook");
        var claim = await client.CoreV1.ReadNamespacedPersistentVolumeClaimAsync("test-notebook-workspace", "kubeflow-user", cancellationToken: Ct);
        claim.Spec.Resources.Requests["storage"].ToString().ShouldBe("5Gi", "the PVC of the multi-document manifest loads too");
    }

    [Fact]
    public async Task ListsAndGetsClusterScopedProfiles()
    {
        await using var emulator = await KubernetesApiEmulator.StartAsync(cancellationToken: Ct);
        emulator.LoadDirectory(Fixture("kubeflow-profile"));
        using var client = Client(emulator);

        var first = Json(await client.CustomObjects.ListClusterCustomObjectAsync(Kubeflow, "v1", "profiles", limit: 2, cancellationToken: Ct));
        var token = first.GetProperty("metadata").GetProperty("continue").GetString();
        var second = Json(await client.CustomObjects.ListClusterCustomObjectAsync(Kubeflow, "v1", "profiles", limit: 2, continueParameter: token,
            cancellationToken: Ct));
        string[] names = [.. first.GetProperty("items").EnumerateArray().Concat(second.GetProperty("items").EnumerateArray())
            .Select(i => i.GetProperty("metadata").GetProperty("name").GetString()!)];
        names.ShouldBe(["kubeflow-user", "kubeflow-user-example-com", "profile-aws-iam", "test-user-profile"],
            "the v1 and v1beta1 samples of test-user-profile are one object");
        second.GetProperty("metadata").TryGetProperty("continue", out _).ShouldBeFalse();

        var profile = Json(await client.CustomObjects.GetClusterCustomObjectAsync(Kubeflow, "v1beta1", "profiles", "kubeflow-user-example-com", Ct));
        profile.GetProperty("apiVersion").GetString().ShouldBe("kubeflow.org/v1beta1");
        profile.GetProperty("metadata").TryGetProperty("namespace", out _).ShouldBeFalse("profiles are cluster-scoped");
        profile.GetProperty("spec").GetProperty("owner").GetProperty("name").GetString().ShouldBe("user@example.com");

        var missing = await Should.ThrowAsync<HttpOperationException>(() =>
            client.CustomObjects.GetClusterCustomObjectAsync(Kubeflow, "v1", "profiles", "nobody", Ct));
        missing.Response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ListsRoleBindingsAndReplicaSetsAcrossNamespaces()
    {
        await using var emulator = await KubernetesApiEmulator.StartAsync(cancellationToken: Ct);
        emulator.Load("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata:
              name: namespaceAdmin
              namespace: kubeflow-user-example-com
              annotations:
                role: admin
                user: user@example.com
            roleRef:
              apiGroup: rbac.authorization.k8s.io
              kind: ClusterRole
              name: kubeflow-admin
            subjects:
            - apiGroup: rbac.authorization.k8s.io
              kind: User
              name: user@example.com
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata:
              name: user-bob-example-org-clusterrole-edit
              namespace: kubeflow-user-example-com
              annotations:
                role: edit
                user: bob@example.org
            roleRef:
              apiGroup: rbac.authorization.k8s.io
              kind: ClusterRole
              name: kubeflow-edit
            subjects:
            - apiGroup: rbac.authorization.k8s.io
              kind: User
              name: bob@example.org
            ---
            apiVersion: apps/v1
            kind: ReplicaSet
            metadata:
              name: cloudability-metrics-agent-f564d999d
              namespace: cloudability
            spec:
              replicas: 1
              selector:
                matchLabels:
                  app: cloudability-metrics-agent
              template:
                metadata:
                  labels:
                    app: cloudability-metrics-agent
                spec:
                  containers:
                  - name: cloudability-metrics-agent
                    image: cloudability/metrics-agent:2.11
            """);
        using var client = Client(emulator);

        var bindings = await client.RbacAuthorizationV1.ListRoleBindingForAllNamespacesAsync(cancellationToken: Ct);
        bindings.Items.Select(b => b.Name()).ShouldBe(["namespaceAdmin", "user-bob-example-org-clusterrole-edit"]);
        bindings.Items[1].Subjects.Single().Name.ShouldBe("bob@example.org");
        bindings.Items[1].Metadata.Annotations["role"].ShouldBe("edit");
        var replicaSets = await client.AppsV1.ListReplicaSetForAllNamespacesAsync(cancellationToken: Ct);
        replicaSets.Items.Single().Spec.Template.Spec.Containers.Single().Image.ShouldBe("cloudability/metrics-agent:2.11");
        replicaSets.Items.Single().Spec.Replicas.ShouldBe(1);
    }

    [Fact]
    public async Task AnswersAMissingObjectWithTheRealNotFoundStatus()
    {
        await using var emulator = await KubernetesApiEmulator.StartAsync(cancellationToken: Ct);
        using var client = Client(emulator);

        var notebook = await Should.ThrowAsync<HttpOperationException>(() =>
            client.CustomObjects.GetNamespacedCustomObjectAsync(Kubeflow, "v1", "team", "notebooks", "x", Ct));

        notebook.Response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        JsonNode.DeepEquals(JsonNode.Parse(notebook.Response.Content), JsonNode.Parse("""
            {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"notebooks.kubeflow.org \"x\" not found",
             "reason":"NotFound","details":{"name":"x","group":"kubeflow.org","kind":"notebooks"},"code":404}
            """)).ShouldBeTrue(notebook.Response.Content);
        var pod = await Should.ThrowAsync<HttpOperationException>(() => client.CoreV1.ReadNamespacedPodAsync("x", "team", cancellationToken: Ct));
        var status = JsonDocument.Parse(pod.Response.Content).RootElement;
        status.GetProperty("message").GetString().ShouldBe("pods \"x\" not found");
        status.GetProperty("details").TryGetProperty("group", out _).ShouldBeFalse();
        status.GetProperty("code").GetInt32().ShouldBe(404);
        var unknown = await Should.ThrowAsync<HttpOperationException>(() =>
            client.CustomObjects.ListClusterCustomObjectAsync("example.com", "v1", "widgets", cancellationToken: Ct));
        unknown.Response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task CreatesAPodAndRejectsADuplicateWithAlreadyExists()
    {
        await using var emulator = await KubernetesApiEmulator.StartAsync(cancellationToken: Ct);
        using var client = Client(emulator);
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "web", Labels = new Dictionary<string, string> { ["app"] = "web" } },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "web", Image = "nginx:1.27" }] },
        };

        var created = await client.CoreV1.CreateNamespacedPodAsync(pod, "team-a", cancellationToken: Ct);

        created.Namespace().ShouldBe("team-a");
        created.Metadata.Uid.ShouldNotBeNullOrEmpty();
        created.Metadata.ResourceVersion.ShouldNotBeNullOrEmpty();
        created.Metadata.CreationTimestamp.ShouldNotBeNull();
        emulator.Mutations.Single().ShouldSatisfyAllConditions(
            m => m.Method.ShouldBe("POST"),
            m => m.Path.ShouldBe("/api/v1/namespaces/team-a/pods"),
            m => m.StatusCode.ShouldBe(201));
        var duplicate = await Should.ThrowAsync<HttpOperationException>(() => client.CoreV1.CreateNamespacedPodAsync(pod, "team-a", cancellationToken: Ct));
        duplicate.Response.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        var status = JsonDocument.Parse(duplicate.Response.Content).RootElement;
        status.GetProperty("reason").GetString().ShouldBe("AlreadyExists");
        status.GetProperty("message").GetString().ShouldBe("pods \"web\" already exists");
        var wrongNamespace = await Should.ThrowAsync<HttpOperationException>(() => client.CoreV1.CreateNamespacedPodAsync(
            new V1Pod { Metadata = new V1ObjectMeta { Name = "other", NamespaceProperty = "team-b" }, Spec = pod.Spec }, "team-a",
            cancellationToken: Ct));
        wrongNamespace.Response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task AnExpiredContinueTokenAnswersGone()
    {
        await using var emulator = await KubernetesApiEmulator.StartAsync(cancellationToken: Ct);
        emulator.LoadFile(PodListFixture);
        using var client = Client(emulator);
        var first = await client.CoreV1.ListPodForAllNamespacesAsync(limit: 2, cancellationToken: Ct);

        emulator.ExpireContinueTokens();
        var expired = await Should.ThrowAsync<HttpOperationException>(() =>
            client.CoreV1.ListPodForAllNamespacesAsync(limit: 2, continueParameter: first.Metadata.ContinueProperty, cancellationToken: Ct));

        expired.Response.StatusCode.ShouldBe(HttpStatusCode.Gone);
        var status = JsonDocument.Parse(expired.Response.Content).RootElement;
        status.GetProperty("reason").GetString().ShouldBe("Expired");
        status.GetProperty("code").GetInt32().ShouldBe(410);
        status.GetProperty("message").GetString()!.ShouldStartWith(
            "The provided continue parameter is too old to display a consistent list result.");
        var restarted = await client.CoreV1.ListPodForAllNamespacesAsync(limit: 2, cancellationToken: Ct);
        var second = await client.CoreV1.ListPodForAllNamespacesAsync(limit: 2, continueParameter: restarted.Metadata.ContinueProperty,
            cancellationToken: Ct);
        second.Items.Count.ShouldBe(2, "a list started after the expiry pages normally");
    }

    [Fact]
    public async Task AMalformedContinueTokenAnswersBadRequest()
    {
        await using var emulator = await KubernetesApiEmulator.StartAsync(cancellationToken: Ct);
        using var client = Client(emulator);

        var bad = await Should.ThrowAsync<HttpOperationException>(() =>
            client.CoreV1.ListPodForAllNamespacesAsync(limit: 2, continueParameter: "not a token!", cancellationToken: Ct));

        bad.Response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        JsonDocument.Parse(bad.Response.Content).RootElement.GetProperty("message").GetString()!.ShouldStartWith("continue key is not valid");
    }

    [Fact]
    public async Task FailListAfterPagesFailsTheSecondPageAfterTheFirstSucceeded()
    {
        await using var emulator = await KubernetesApiEmulator.StartAsync(cancellationToken: Ct);
        emulator.LoadFile(PodListFixture);
        emulator.FailListAfterPages("pods", 1);
        using var client = Client(emulator);

        var first = await client.CoreV1.ListPodForAllNamespacesAsync(limit: 2, cancellationToken: Ct);
        var failed = await Should.ThrowAsync<HttpOperationException>(() =>
            client.CoreV1.ListPodForAllNamespacesAsync(limit: 2, continueParameter: first.Metadata.ContinueProperty, cancellationToken: Ct));

        first.Items.Count.ShouldBe(2);
        failed.Response.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        var status = JsonDocument.Parse(failed.Response.Content).RootElement;
        status.GetProperty("kind").GetString().ShouldBe("Status");
        status.GetProperty("code").GetInt32().ShouldBe(500);
        emulator.ClearFaults();
        (await client.CoreV1.ListPodForAllNamespacesAsync(limit: 2, continueParameter: first.Metadata.ContinueProperty, cancellationToken: Ct))
            .Items.Count.ShouldBe(2);
    }

    [Fact]
    public async Task MergePatchStopsANotebookAndIsRecordedWithItsContentType()
    {
        await using var emulator = await KubernetesApiEmulator.StartAsync(cancellationToken: Ct);
        emulator.LoadFile(Fixture("kubeflow-notebook", "notebook.test.kubeflow-user-example.com.yaml"));
        using var client = Client(emulator);
        var before = emulator.Find("kubeflow.org/v1", "Notebook", NotebookNamespace, "test")!;
        const string patch = """{"metadata":{"annotations":{"kubeflow-resource-stopped":"2026-11-22T12:00:00Z"}}}""";

        var patched = Json(await client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch),
            Kubeflow, "v1", NotebookNamespace, "notebooks", "test", cancellationToken: Ct));

        var annotations = patched.GetProperty("metadata").GetProperty("annotations");
        annotations.GetProperty("kubeflow-resource-stopped").GetString().ShouldBe("2026-11-22T12:00:00Z");
        annotations.GetProperty("notebooks.kubeflow.org/creator").GetString().ShouldBe("user@example.com", "merge patch keeps other keys");
        var stored = emulator.Find("kubeflow.org/v1", "Notebook", NotebookNamespace, "test")!;
        stored["metadata"]!["annotations"]!["kubeflow-resource-stopped"]!.GetValue<string>().ShouldBe("2026-11-22T12:00:00Z");
        long.Parse(stored["metadata"]!["resourceVersion"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)
            .ShouldBeGreaterThan(long.Parse(before["metadata"]!["resourceVersion"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
        var mutation = emulator.Mutations.Single();
        mutation.Method.ShouldBe("PATCH");
        mutation.Path.ShouldBe($"/apis/kubeflow.org/v1/namespaces/{NotebookNamespace}/notebooks/test");
        mutation.MediaType.ShouldBe("application/merge-patch+json");
        JsonNode.DeepEquals(JsonNode.Parse(mutation.Body!), JsonNode.Parse(patch)).ShouldBeTrue(mutation.Body);
        mutation.StatusCode.ShouldBe(200);
    }

    [Fact]
    public async Task JsonPatchReplacesAContainerImage()
    {
        await using var emulator = await KubernetesApiEmulator.StartAsync(cancellationToken: Ct);
        emulator.LoadFile(PodListFixture);
        emulator.LoadFile(Fixture("kubeflow-notebook", "notebook.test.kubeflow-user-example.com.yaml"));
        using var client = Client(emulator);

        var pod = await client.CoreV1.PatchNamespacedPodAsync(new V1Patch("""
            [{"op":"test","path":"/spec/containers/0/name","value":"stress2"},
             {"op":"replace","path":"/spec/containers/0/image","value":"jfusterm/stress:2.0"}]
            """, V1Patch.PatchType.JsonPatch), "stress2", "stress-test", cancellationToken: Ct);
        var notebook = Json(await client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch("""
            [{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"ghcr.io/kubeflow/kubeflow/notebook-servers/jupyter-scipy:v1.11.0"},
             {"op":"add","path":"/metadata/annotations/notebooks.kubeflow.org~1migrated-from","value":"v1.10.0"}]
            """, V1Patch.PatchType.JsonPatch), Kubeflow, "v1beta1", NotebookNamespace, "notebooks", "test", cancellationToken: Ct));

        pod.Spec.Containers[0].Image.ShouldBe("jfusterm/stress:2.0");
        (await client.CoreV1.ReadNamespacedPodAsync("stress2", "stress-test", cancellationToken: Ct)).Spec.Containers[0].Image.ShouldBe("jfusterm/stress:2.0");
        Container(notebook).GetProperty("image").GetString().ShouldBe("ghcr.io/kubeflow/kubeflow/notebook-servers/jupyter-scipy:v1.11.0");
        notebook.GetProperty("metadata").GetProperty("annotations").GetProperty("notebooks.kubeflow.org/migrated-from").GetString().ShouldBe("v1.10.0");
        emulator.Mutations.Select(m => m.MediaType).ShouldBe(["application/json-patch+json", "application/json-patch+json"]);
    }

    [Fact]
    public async Task AFailedJsonPatchTestAnswersUnprocessableAndChangesNothing()
    {
        await using var emulator = await KubernetesApiEmulator.StartAsync(cancellationToken: Ct);
        emulator.LoadFile(Fixture("kubeflow-notebook", "notebook.test.kubeflow-user-example.com.yaml"));
        using var client = Client(emulator);
        var before = emulator.Find("kubeflow.org/v1", "Notebook", NotebookNamespace, "test")!;

        var failed = await Should.ThrowAsync<HttpOperationException>(() => client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch("""
            [{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"evil:latest"},
             {"op":"test","path":"/spec/template/spec/containers/0/name","value":"not-test"}]
            """, V1Patch.PatchType.JsonPatch), Kubeflow, "v1", NotebookNamespace, "notebooks", "test", cancellationToken: Ct));

        failed.Response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        var status = JsonDocument.Parse(failed.Response.Content).RootElement;
        status.GetProperty("reason").GetString().ShouldBe("Invalid");
        status.GetProperty("code").GetInt32().ShouldBe(422);
        JsonNode.DeepEquals(emulator.Find("kubeflow.org/v1", "Notebook", NotebookNamespace, "test"), before)
            .ShouldBeTrue("the replace before the failed test is not kept");
    }

    [Fact]
    public async Task StrategicMergePatchIsUnsupportedOnCustomResourcesButWorksOnPods()
    {
        await using var emulator = await KubernetesApiEmulator.StartAsync(cancellationToken: Ct);
        emulator.LoadFile(PodListFixture);
        emulator.LoadFile(Fixture("kubeflow-notebook", "notebook.test.kubeflow-user-example.com.yaml"));
        using var client = Client(emulator);

        var unsupported = await Should.ThrowAsync<HttpOperationException>(() => client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("""{"metadata":{"labels":{"a":"b"}}}""", V1Patch.PatchType.StrategicMergePatch),
            Kubeflow, "v1", NotebookNamespace, "notebooks", "test", cancellationToken: Ct));
        var pod = await client.CoreV1.PatchNamespacedPodAsync(new V1Patch("""{"metadata":{"labels":{"a":"b"}}}""", V1Patch.PatchType.StrategicMergePatch),
            "stress2", "stress-test", cancellationToken: Ct);

        unsupported.Response.StatusCode.ShouldBe(HttpStatusCode.UnsupportedMediaType);
        var status = JsonDocument.Parse(unsupported.Response.Content).RootElement;
        status.GetProperty("message").GetString().ShouldBe("the body of the request was in an unknown format - accepted media types include: "
            + "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml");
        status.GetProperty("reason").GetString().ShouldBe("UnsupportedMediaType");
        pod.Metadata.Labels["a"].ShouldBe("b");
        pod.Metadata.Labels["app"].ShouldBe("stress2");
    }

    [Fact]
    public async Task AStaleResourceVersionConflicts()
    {
        await using var emulator = await KubernetesApiEmulator.StartAsync(cancellationToken: Ct);
        emulator.LoadFile(Fixture("kubeflow-notebook", "notebook.test.kubeflow-user-example.com.yaml"));
        using var client = Client(emulator);
        var read = Json(await client.CustomObjects.GetNamespacedCustomObjectAsync(Kubeflow, "v1", NotebookNamespace, "notebooks", "test", Ct));
        var staleVersion = read.GetProperty("metadata").GetProperty("resourceVersion").GetString();
        await client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch("""{"metadata":{"labels":{"touched":"yes"}}}""",
            V1Patch.PatchType.MergePatch), Kubeflow, "v1", NotebookNamespace, "notebooks", "test", cancellationToken: Ct);

        var replace = await Should.ThrowAsync<HttpOperationException>(() => client.CustomObjects.ReplaceNamespacedCustomObjectAsync(
            read, Kubeflow, "v1", NotebookNamespace, "notebooks", "test", cancellationToken: Ct));
        var patch = await Should.ThrowAsync<HttpOperationException>(() => client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch(new JsonObject { ["metadata"] = new JsonObject { ["resourceVersion"] = staleVersion, ["labels"] = new JsonObject { ["again"] = "yes" } } }
                .ToJsonString(), V1Patch.PatchType.MergePatch),
            Kubeflow, "v1", NotebookNamespace, "notebooks", "test", cancellationToken: Ct));

        foreach (var conflict in (HttpOperationException[])[replace, patch])
        {
            conflict.Response.StatusCode.ShouldBe(HttpStatusCode.Conflict);
            var status = JsonDocument.Parse(conflict.Response.Content).RootElement;
            status.GetProperty("reason").GetString().ShouldBe("Conflict");
            status.GetProperty("message").GetString().ShouldBe("Operation cannot be fulfilled on notebooks.kubeflow.org \"test\": "
                + "the object has been modified; please apply your changes to the latest version and try again");
        }

        var current = emulator.Find("kubeflow.org/v1", "Notebook", NotebookNamespace, "test")!;
        current["metadata"]!["labels"]!["touched"]!.GetValue<string>().ShouldBe("yes");
        current["metadata"]!["labels"]!["again"].ShouldBeNull();
        var fresh = JsonNode.Parse(read.GetRawText())!.AsObject();
        fresh["metadata"]!["resourceVersion"] = current["metadata"]!["resourceVersion"]!.DeepClone();
        fresh["metadata"]!["labels"]!["replaced"] = "yes";
        var replaced = Json(await client.CustomObjects.ReplaceNamespacedCustomObjectAsync(fresh, Kubeflow, "v1", NotebookNamespace, "notebooks", "test",
            cancellationToken: Ct));
        replaced.GetProperty("metadata").GetProperty("labels").GetProperty("replaced").GetString().ShouldBe("yes");
    }

    [Fact]
    public async Task DeletedPodIsGoneFromListsAndRecorded()
    {
        await using var emulator = await KubernetesApiEmulator.StartAsync(cancellationToken: Ct);
        emulator.LoadFile(PodListFixture);
        using var client = Client(emulator);

        var deleted = await client.CoreV1.DeleteNamespacedPodAsync("stress2", "stress-test", cancellationToken: Ct);

        deleted.Name().ShouldBe("stress2");
        var pods = await client.CoreV1.ListPodForAllNamespacesAsync(cancellationToken: Ct);
        pods.Items.Count.ShouldBe(5);
        pods.Items.ShouldNotContain(p => p.Name() == "stress2");
        emulator.Find("v1", "Pod", "stress-test", "stress2").ShouldBeNull();
        var again = await Should.ThrowAsync<HttpOperationException>(() => client.CoreV1.DeleteNamespacedPodAsync("stress2", "stress-test",
            cancellationToken: Ct));
        again.Response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        emulator.Mutations.Select(m => (m.Method, m.Path, m.StatusCode)).ShouldBe(
        [
            ("DELETE", "/api/v1/namespaces/stress-test/pods/stress2", 200),
            ("DELETE", "/api/v1/namespaces/stress-test/pods/stress2", 404),
        ]);
        emulator.Requests.Count.ShouldBe(3);
    }

    [Fact]
    public async Task YamlKeepsQuotedScalarsAsStringsAndTypesPlainOnes()
    {
        await using var emulator = await KubernetesApiEmulator.StartAsync(cancellationToken: Ct);
        emulator.LoadFile(Fixture("kubeflow-profile", "_v1beta1_profile.yaml"));
        emulator.Load("""
            ---
            # an empty document first, as generators write
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: typed
              labels:
                enabled: "true"
                version: '2'
            spec:
              replicas: 2
              paused: false
              progressDeadlineSeconds: 6.5e2
              revisionHistoryLimit: ~
              minReadySeconds:
              template:
                metadata:
                  annotations:
                    note: |
                      two
                      lines
            """, defaultNamespace: "team-a");

        var profile = emulator.Find("kubeflow.org/v1beta1", "Profile", null, "test-user-profile")!;
        var hard = profile["spec"]!["resourceQuotaSpec"]!["hard"]!;
        hard["cpu"]!.GetValueKind().ShouldBe(JsonValueKind.String);
        hard["cpu"]!.GetValue<string>().ShouldBe("2");
        hard["memory"]!.GetValue<string>().ShouldBe("2Gi");
        var deployment = emulator.Find("apps/v1", "Deployment", "team-a", "typed")!;
        deployment["metadata"]!["labels"]!["enabled"]!.GetValueKind().ShouldBe(JsonValueKind.String);
        deployment["metadata"]!["labels"]!["version"]!.GetValue<string>().ShouldBe("2");
        deployment["spec"]!["replicas"]!.GetValueKind().ShouldBe(JsonValueKind.Number);
        deployment["spec"]!["replicas"]!.GetValue<long>().ShouldBe(2);
        deployment["spec"]!["paused"]!.GetValueKind().ShouldBe(JsonValueKind.False);
        deployment["spec"]!["progressDeadlineSeconds"]!.GetValue<double>().ShouldBe(650);
        deployment["spec"]!.AsObject().ContainsKey("revisionHistoryLimit").ShouldBeTrue();
        deployment["spec"]!["revisionHistoryLimit"].ShouldBeNull();
        deployment["spec"]!["minReadySeconds"].ShouldBeNull();
        deployment["spec"]!["template"]!["metadata"]!["annotations"]!["note"]!.GetValue<string>().ShouldBe("two\nlines");

        using var client = Client(emulator);
        var served = await client.AppsV1.ReadNamespacedDeploymentAsync("typed", "team-a", cancellationToken: Ct);
        served.Spec.Replicas.ShouldBe(2);
        served.Metadata.Labels["enabled"].ShouldBe("true");
    }

    [Fact]
    public async Task LoadingAnUnknownKindNamesItAndLoadsNothing()
    {
        await using var emulator = await KubernetesApiEmulator.StartAsync(cancellationToken: Ct);

        var error = Should.Throw<InvalidOperationException>(() => emulator.Load("""
            apiVersion: v1
            kind: Pod
            metadata:
              name: fine
            ---
            apiVersion: kubeflow.org/v1
            kind: Notebok
            metadata:
              name: typo
            """));

        error.Message.ShouldContain("kubeflow.org/v1");
        error.Message.ShouldContain("Notebok");
        emulator.Find("v1", "Pod", "default", "fine").ShouldBeNull("a bad document loads none of the others");
        emulator.RegisterResource("example.com", ["v1"], "widgets", "Widget", namespaced: true);
        emulator.Load("apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n", "team");
        emulator.Find("example.com/v1", "Widget", "team", "w").ShouldNotBeNull();
    }

    [Fact]
    public async Task KubeconfigConnectsTheRealClient()
    {
        await using var emulator = await KubernetesApiEmulator.StartAsync(cancellationToken: Ct);
        emulator.LoadFile(PodListFixture);
        using var directory = new TempDirectory("kubeconfig");

        var path = emulator.WriteKubeconfig(directory.File("config"), "local-emulator");
        var configuration = KubernetesClientConfiguration.BuildConfigFromConfigFile(path);
        using var client = new k8s.Kubernetes(configuration);

        configuration.CurrentContext.ShouldBe("local-emulator");
        configuration.Host.TrimEnd('/').ShouldBe(emulator.BaseAddress.ToString().TrimEnd('/'));
        (await client.CoreV1.ListNamespacedPodAsync("kube-system", cancellationToken: Ct)).Items.Count.ShouldBe(4);
        (await client.Version.GetCodeAsync(Ct)).Major.ShouldBe("1");
    }

    private static void AddGeneratedPods(KubernetesApiEmulator emulator, int count)
    {
        for (var i = 0; i < count; i++)
        {
            emulator.Add(new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Pod",
                ["metadata"] = new JsonObject { ["name"] = $"pod-{i:000}", ["namespace"] = $"team-{i % 5}" },
                ["spec"] = new JsonObject
                {
                    ["containers"] = new JsonArray(new JsonObject { ["name"] = "main", ["image"] = $"registry.example/app:{i}" }),
                },
            });
        }
    }

    private static JsonElement Json(object response) => response.ShouldBeOfType<JsonElement>();

    private static JsonElement Container(JsonElement notebook) =>
        notebook.GetProperty("spec").GetProperty("template").GetProperty("spec").GetProperty("containers")[0];
}
