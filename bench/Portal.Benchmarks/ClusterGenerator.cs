using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Portal.Benchmarks;

/// <summary>What <see cref="ClusterGenerator"/> wrote, and how big it is on the wire.</summary>
internal sealed record ClusterSeed(
    int Pods, int Namespaces, int ReplicaSets, int RoleBindings, int ContributorBindings, int Notebooks, int Profiles, int Containers,
    int DistinctImages, long PodBytes, long TotalBytes)
{
    /// <summary>What the portal makes of it: every pod a workload, except a notebook's pod, which folds into its notebook.</summary>
    public int Workloads => Pods;
}

/// <summary>
/// Writes a Kubeflow-shaped cluster as API list output (PodList, ReplicaSetList, ...) for the Kubernetes API emulator to
/// load: pods shaped like Portal.Tests' real PodList fixture (labels, owner references, volumes, probes, tolerations,
/// conditions, container statuses with <c>docker-pullable://...@sha256:</c> image IDs), spread over namespaces that
/// each have a Kubeflow Profile, a notebook whose pod carries the <c>notebook-name</c> label, Kubeflow's own
/// RoleBindings, and in every third namespace a contributor. The pods of a namespace are Deployments' (through
/// ReplicaSets, which exist too, with an older ReplicaSet beside each), StatefulSets', Jobs' and bare pods, half of
/// them with Istio's init container and sidecar. Deterministic for given counts.
/// </summary>
internal static class ClusterGenerator
{
    private const int PodsPerFile = 1_000;
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    // Groups of pods by controller, repeated to fill a namespace: about 60% Deployments, the rest StatefulSets, Jobs and bare pods.
    private static readonly (string Kind, int Replicas)[] Pattern =
    [
        ("Deployment", 3), ("Deployment", 2), ("StatefulSet", 2), ("Job", 1), ("Deployment", 1), ("Pod", 1), ("Job", 1), ("Deployment", 2),
    ];

    private static readonly string[] Apps =
    [
        "api", "worker", "frontend", "redis", "postgres", "etl", "report", "dashboard", "mlflow", "feature-store", "scheduler", "inference",
        "ingest", "label-studio", "minio", "superset",
    ];

    private static readonly string[] NotebookNames = ["analysis", "training", "scratch", "eda", "model-dev"];

    // Images many teams share; the rest are a team's own builds in the organisation's registry.
    private static readonly Dictionary<string, string> PublicImages = new(StringComparer.Ordinal)
    {
        ["redis"] = "docker.io/library/redis:7.2.4",
        ["postgres"] = "docker.io/library/postgres:16.2",
        ["minio"] = "quay.io/minio/minio:RELEASE.2024-03-15T01-07-19Z",
        ["superset"] = "docker.io/apache/superset:3.1.1",
        ["label-studio"] = "docker.io/heartexlabs/label-studio:1.11.0",
    };

    private const string IstioProxy = "docker.io/istio/proxyv2:1.17.2";
    private const string LogShipper = "docker.io/fluent/fluent-bit:2.2.2";
    private static readonly string[] NotebookImages =
    [
        "k8scc01covidacr.azurecr.io/jupyterlab-cpu:v1.5.2", "k8scc01covidacr.azurecr.io/jupyterlab-pytorch:v1.5.2",
        "k8scc01covidacr.azurecr.io/rstudio:v1.5.2", "k8scc01covidacr.azurecr.io/sas:v1.5.2",
    ];

    public static ClusterSeed Write(string directory, int pods, int namespaces)
    {
        Directory.CreateDirectory(directory);
        var random = new Random(20261122);
        var images = new HashSet<string>(StringComparer.Ordinal);
        var podItems = new JsonArray();
        var replicaSets = new JsonArray();
        var roleBindings = new JsonArray();
        var notebooks = new JsonArray();
        var profiles = new JsonArray();
        var (podCount, containers, contributors, podFiles) = (0, 0, 0, 0);
        long podBytes = 0;

        void Add(JsonObject pod)
        {
            podItems.Add(pod);
            podCount++;
            containers += pod["spec"]!["containers"]!.AsArray().Count + (pod["spec"]!["initContainers"]?.AsArray().Count ?? 0);
            foreach (var status in pod["status"]!["containerStatuses"]?.AsArray() ?? [])
            {
                images.Add((string)status!["image"]!);
            }

            if (podItems.Count == PodsPerFile)
            {
                podBytes += WriteList(directory, $"pods-{podFiles++:D3}.json", "v1", "PodList", podItems);
                podItems = [];
            }
        }

        for (var n = 1; n <= namespaces; n++)
        {
            var ns = $"kubeflow-user{n}";
            var owner = $"user{n}@example.org";
            var team = $"team{n % 40}";
            var inNamespace = pods / namespaces + (n <= pods % namespaces ? 1 : 0);
            profiles.Add(Profile(random, ns, owner));
            roleBindings.Add(RoleBinding(random, ns, "namespaceAdmin", "ClusterRole", "kubeflow-admin", "User", owner, ("admin", owner)));
            roleBindings.Add(RoleBinding(random, ns, "default-editor", "ClusterRole", "kubeflow-edit", "ServiceAccount", "default-editor", null));
            roleBindings.Add(RoleBinding(random, ns, "default-viewer", "ClusterRole", "kubeflow-view", "ServiceAccount", "default-viewer", null));
            if (n % 3 == 0)
            {
                var contributor = $"user{n % namespaces + 1}@example.org";
                roleBindings.Add(RoleBinding(random, ns, $"user-{contributor.Replace('@', '-').Replace('.', '-')}-clusterrole-edit",
                    "ClusterRole", "kubeflow-edit", "User", contributor, ("edit", contributor)));
                contributors++;
            }

            // The notebook's pod is the namespace's first; the rest follow the pattern.
            var notebook = NotebookNames[n % NotebookNames.Length];
            var notebookImage = NotebookImages[n % NotebookImages.Length];
            notebooks.Add(Notebook(random, ns, notebook, owner, notebookImage));
            Add(NewPod(random, ns, $"{notebook}-0", "StatefulSet", notebook,
                new JsonObject { ["app"] = notebook, ["notebook-name"] = notebook, ["statefulset"] = notebook, ["statefulset.kubernetes.io/pod-name"] = $"{notebook}-0" },
                [notebookImage], istio: true, "Running"));

            var placed = 1;
            for (var group = 0; placed < inNamespace; group++)
            {
                var (kind, replicas) = Pattern[group % Pattern.Length];
                var app = Apps[group % Apps.Length] + (group >= Apps.Length ? $"-{group / Apps.Length}" : "");
                var image = PublicImages.TryGetValue(Apps[group % Apps.Length], out var shared)
                    ? shared
                    : $"registry.example.org/{team}/{app}:1.{(n + group) % 7}.{group % 3}";
                string[] containerImages = group % 4 == 1 ? [image, LogShipper] : [image];
                var istio = (n + group) % 2 == 0;
                var labels = new JsonObject { ["app"] = app, ["app.kubernetes.io/part-of"] = team };
                switch (kind)
                {
                    case "Deployment":
                        var hash = Hash(random, 10);
                        labels["pod-template-hash"] = hash;
                        replicaSets.Add(ReplicaSet(random, ns, app, hash, replicas, labels, containerImages));
                        replicaSets.Add(ReplicaSet(random, ns, app, Hash(random, 10), 0, labels, containerImages));
                        for (var r = 0; r < replicas && placed < inNamespace; r++, placed++)
                        {
                            Add(NewPod(random, ns, $"{app}-{hash}-{Hash(random, 5)}", "ReplicaSet", $"{app}-{hash}", (JsonObject)labels.DeepClone(),
                                containerImages, istio, placed % 23 == 0 ? "Pending" : "Running"));
                        }

                        break;
                    case "StatefulSet":
                        for (var r = 0; r < replicas && placed < inNamespace; r++, placed++)
                        {
                            var podLabels = (JsonObject)labels.DeepClone();
                            podLabels["statefulset.kubernetes.io/pod-name"] = $"{app}-{r}";
                            podLabels["controller-revision-hash"] = $"{app}-{Hash(random, 10)}";
                            Add(NewPod(random, ns, $"{app}-{r}", "StatefulSet", app, podLabels, containerImages, istio, "Running"));
                        }

                        break;
                    case "Job":
                        var job = $"{app}-{28_800_000 + group * 60}";
                        labels["job-name"] = job;
                        labels["batch.kubernetes.io/job-name"] = job;
                        Add(NewPod(random, ns, $"{job}-{Hash(random, 5)}", "Job", job, labels, containerImages, istio: false,
                            placed % 11 == 0 ? "Failed" : "Succeeded"));
                        placed++;
                        break;
                    default:
                        Add(NewPod(random, ns, $"{app}-debug", null, null, labels, containerImages, istio, "Running"));
                        placed++;
                        break;
                }
            }
        }

        if (podItems.Count > 0)
        {
            podBytes += WriteList(directory, $"pods-{podFiles:D3}.json", "v1", "PodList", podItems);
        }

        var totalBytes = podBytes
            + WriteList(directory, "replicasets.json", "apps/v1", "ReplicaSetList", replicaSets)
            + WriteList(directory, "rolebindings.json", "rbac.authorization.k8s.io/v1", "RoleBindingList", roleBindings)
            + WriteList(directory, "notebooks.json", "kubeflow.org/v1", "NotebookList", notebooks)
            + WriteList(directory, "profiles.json", "kubeflow.org/v1", "ProfileList", profiles);
        return new ClusterSeed(podCount, namespaces, replicaSets.Count, roleBindings.Count, contributors, notebooks.Count, profiles.Count, containers,
            images.Count, podBytes, totalBytes);
    }

    private static long WriteList(string directory, string file, string apiVersion, string kind, JsonArray items)
    {
        var path = Path.Combine(directory, file);
        using (var stream = File.Create(path))
        using (var writer = new Utf8JsonWriter(stream))
        {
            new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind, ["metadata"] = new JsonObject { ["resourceVersion"] = "1171150" }, ["items"] = items }
                .WriteTo(writer);
        }

        return new FileInfo(path).Length;
    }

    private static JsonObject NewPod(Random random, string ns, string name, string? ownerKind, string? ownerName, JsonObject labels,
        IReadOnlyList<string> images, bool istio, string phase)
    {
        var created = Now.AddMinutes(-random.Next(10, 60 * 24 * 30));
        var started = created.AddSeconds(random.Next(1, 20));
        var token = $"kube-api-access-{Hash(random, 5)}";
        var node = $"aks-user-{random.Next(10_000_000, 99_999_999)}-vmss{random.Next(0, 40):x6}";
        var podIp = $"10.{random.Next(0, 255)}.{random.Next(0, 255)}.{random.Next(1, 254)}";
        var finished = phase is "Succeeded" or "Failed";
        var pending = phase == "Pending";

        var metadata = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = ns,
            ["uid"] = Uid(random),
            ["resourceVersion"] = random.Next(1_000_000, 9_999_999).ToString(CultureInfo.InvariantCulture),
            ["creationTimestamp"] = Time(created),
            ["labels"] = labels,
            ["annotations"] = istio
                ? new JsonObject
                {
                    ["kubectl.kubernetes.io/default-container"] = ContainerName(images[0]),
                    ["prometheus.io/path"] = "/stats/prometheus",
                    ["prometheus.io/port"] = "15020",
                    ["sidecar.istio.io/status"] = "{\"initContainers\":[\"istio-init\"],\"containers\":[\"istio-proxy\"],\"volumes\":[\"istio-envoy\",\"istio-data\",\"istio-podinfo\",\"istio-token\",\"istiod-ca-cert\"],\"imagePullSecrets\":null,\"revision\":\"default\"}",
                }
                : new JsonObject { ["kubectl.kubernetes.io/default-container"] = ContainerName(images[0]) },
        };
        if (ownerKind is not null)
        {
            if (ownerKind is "ReplicaSet" or "Job")
            {
                metadata["generateName"] = name[..(name.LastIndexOf('-') + 1)];
            }

            metadata["ownerReferences"] = new JsonArray(new JsonObject
            {
                ["apiVersion"] = ownerKind == "Job" ? "batch/v1" : "apps/v1",
                ["kind"] = ownerKind,
                ["name"] = ownerName,
                ["uid"] = Uid(random),
                ["controller"] = true,
                ["blockOwnerDeletion"] = true,
            });
        }

        var containers = new JsonArray();
        var statuses = new JsonArray();
        foreach (var image in images)
        {
            containers.Add(Container(ContainerName(image), image, token, main: containers.Count == 0));
            statuses.Add(ContainerStatus(random, ContainerName(image), image, started, phase));
        }

        var volumes = new JsonArray(ServiceAccountVolume(token));
        var spec = new JsonObject();
        var status = new JsonObject { ["phase"] = phase };
        if (istio)
        {
            containers.Add(Container("istio-proxy", IstioProxy, token, main: false));
            statuses.Add(ContainerStatus(random, "istio-proxy", IstioProxy, started, phase));
            spec["initContainers"] = new JsonArray(Container("istio-init", IstioProxy, token, main: false));
            status["initContainerStatuses"] = new JsonArray(ContainerStatus(random, "istio-init", IstioProxy, started, "Succeeded"));
            volumes.Add(new JsonObject { ["name"] = "istio-envoy", ["emptyDir"] = new JsonObject { ["medium"] = "Memory" } });
        }

        spec["volumes"] = volumes;
        spec["containers"] = containers;
        spec["restartPolicy"] = ownerKind == "Job" ? "Never" : "Always";
        spec["terminationGracePeriodSeconds"] = 30;
        spec["dnsPolicy"] = "ClusterFirst";
        spec["serviceAccountName"] = "default-editor";
        spec["serviceAccount"] = "default-editor";
        spec["nodeName"] = node;
        spec["securityContext"] = new JsonObject { ["fsGroup"] = 100 };
        spec["schedulerName"] = "default-scheduler";
        spec["tolerations"] = new JsonArray(
            new JsonObject { ["key"] = "node.kubernetes.io/not-ready", ["operator"] = "Exists", ["effect"] = "NoExecute", ["tolerationSeconds"] = 300 },
            new JsonObject { ["key"] = "node.kubernetes.io/unreachable", ["operator"] = "Exists", ["effect"] = "NoExecute", ["tolerationSeconds"] = 300 });
        spec["priority"] = 0;
        spec["enableServiceLinks"] = true;
        spec["preemptionPolicy"] = "PreemptLowerPriority";

        status["conditions"] = new JsonArray(
            Condition("Initialized", "True", started),
            Condition("Ready", pending || finished ? "False" : "True", started.AddSeconds(3)),
            Condition("ContainersReady", pending || finished ? "False" : "True", started.AddSeconds(3)),
            Condition("PodScheduled", "True", created));
        status["hostIP"] = $"10.240.{random.Next(0, 255)}.{random.Next(1, 254)}";
        status["podIP"] = podIp;
        status["podIPs"] = new JsonArray(new JsonObject { ["ip"] = podIp });
        status["startTime"] = Time(started);
        if (!pending)
        {
            status["containerStatuses"] = statuses;
        }
        else
        {
            // Still pulling: the kubelet reports the containers waiting, with no imageID yet.
            foreach (var waiting in statuses)
            {
                waiting!["state"] = new JsonObject { ["waiting"] = new JsonObject { ["reason"] = "ContainerCreating" } };
                waiting["imageID"] = "";
                waiting.AsObject().Remove("containerID");
                waiting["ready"] = false;
                waiting["started"] = false;
            }

            status["containerStatuses"] = statuses;
        }

        status["qosClass"] = "Burstable";
        return new JsonObject { ["metadata"] = metadata, ["spec"] = spec, ["status"] = status };
    }

    private static JsonObject Container(string name, string image, string token, bool main)
    {
        var container = new JsonObject
        {
            ["name"] = name,
            ["image"] = image,
        };
        if (name == "istio-proxy")
        {
            container["args"] = new JsonArray("proxy", "sidecar", "--domain", "$(POD_NAMESPACE).svc.cluster.local", "--proxyLogLevel=warning");
            container["ports"] = new JsonArray(new JsonObject { ["name"] = "http-envoy-prom", ["containerPort"] = 15090, ["protocol"] = "TCP" });
        }
        else if (main)
        {
            container["ports"] = new JsonArray(new JsonObject { ["name"] = "http", ["containerPort"] = 8080, ["protocol"] = "TCP" });
        }

        container["env"] = main
            ? new JsonArray(
                new JsonObject { ["name"] = "POD_NAMESPACE", ["valueFrom"] = new JsonObject { ["fieldRef"] = new JsonObject { ["apiVersion"] = "v1", ["fieldPath"] = "metadata.namespace" } } },
                new JsonObject { ["name"] = "LOG_LEVEL", ["value"] = "info" })
            : new JsonArray(new JsonObject { ["name"] = "LOG_LEVEL", ["value"] = "warning" });
        container["resources"] = new JsonObject
        {
            ["limits"] = new JsonObject { ["cpu"] = main ? "2" : "500m", ["memory"] = main ? "4Gi" : "512Mi" },
            ["requests"] = new JsonObject { ["cpu"] = main ? "500m" : "100m", ["memory"] = main ? "1Gi" : "128Mi" },
        };
        container["volumeMounts"] = new JsonArray(
            new JsonObject { ["name"] = token, ["readOnly"] = true, ["mountPath"] = "/var/run/secrets/kubernetes.io/serviceaccount" });
        if (main)
        {
            container["livenessProbe"] = new JsonObject
            {
                ["httpGet"] = new JsonObject { ["path"] = "/healthz", ["port"] = 8080, ["scheme"] = "HTTP" },
                ["initialDelaySeconds"] = 30,
                ["timeoutSeconds"] = 1,
                ["periodSeconds"] = 10,
                ["successThreshold"] = 1,
                ["failureThreshold"] = 3,
            };
        }

        container["terminationMessagePath"] = "/dev/termination-log";
        container["terminationMessagePolicy"] = "File";
        container["imagePullPolicy"] = "IfNotPresent";
        container["securityContext"] = new JsonObject
        {
            ["capabilities"] = new JsonObject { ["drop"] = new JsonArray("ALL") },
            ["runAsNonRoot"] = true,
            ["allowPrivilegeEscalation"] = false,
        };
        return container;
    }

    private static JsonObject ContainerStatus(Random random, string name, string image, DateTimeOffset started, string phase)
    {
        var finished = phase is "Succeeded" or "Failed";
        var state = finished
            ? new JsonObject
            {
                ["terminated"] = new JsonObject
                {
                    ["exitCode"] = phase == "Failed" ? 1 : 0,
                    ["reason"] = phase == "Failed" ? "Error" : "Completed",
                    ["startedAt"] = Time(started.AddSeconds(2)),
                    ["finishedAt"] = Time(started.AddSeconds(random.Next(30, 3_600))),
                    ["containerID"] = "docker://" + Hex(random, 64),
                },
            }
            : new JsonObject { ["running"] = new JsonObject { ["startedAt"] = Time(started.AddSeconds(2)) } };
        return new JsonObject
        {
            ["name"] = name,
            ["state"] = state,
            ["lastState"] = new JsonObject(),
            ["ready"] = !finished,
            ["restartCount"] = 0,
            ["image"] = image,
            ["imageID"] = ImageId(image),
            ["containerID"] = "docker://" + Hex(random, 64),
            ["started"] = !finished,
        };
    }

    private static JsonObject ServiceAccountVolume(string token) => new()
    {
        ["name"] = token,
        ["projected"] = new JsonObject
        {
            ["sources"] = new JsonArray(
                new JsonObject { ["serviceAccountToken"] = new JsonObject { ["expirationSeconds"] = 3607, ["path"] = "token" } },
                new JsonObject
                {
                    ["configMap"] = new JsonObject
                    {
                        ["name"] = "kube-root-ca.crt",
                        ["items"] = new JsonArray(new JsonObject { ["key"] = "ca.crt", ["path"] = "ca.crt" }),
                    },
                },
                new JsonObject
                {
                    ["downwardAPI"] = new JsonObject
                    {
                        ["items"] = new JsonArray(new JsonObject
                        {
                            ["path"] = "namespace",
                            ["fieldRef"] = new JsonObject { ["apiVersion"] = "v1", ["fieldPath"] = "metadata.namespace" },
                        }),
                    },
                }),
            ["defaultMode"] = 420,
        },
    };

    private static JsonObject Condition(string type, string status, DateTimeOffset at) => new()
    {
        ["type"] = type,
        ["status"] = status,
        ["lastProbeTime"] = null,
        ["lastTransitionTime"] = Time(at),
    };

    private static JsonObject ReplicaSet(Random random, string ns, string app, string hash, int replicas, JsonObject labels, IReadOnlyList<string> images)
    {
        var podLabels = (JsonObject)labels.DeepClone();
        podLabels["pod-template-hash"] = hash;
        var containers = new JsonArray();
        foreach (var image in images)
        {
            containers.Add(new JsonObject
            {
                ["name"] = ContainerName(image),
                ["image"] = image,
                ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["cpu"] = "500m", ["memory"] = "1Gi" } },
                ["terminationMessagePath"] = "/dev/termination-log",
                ["terminationMessagePolicy"] = "File",
                ["imagePullPolicy"] = "IfNotPresent",
            });
        }

        return new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = $"{app}-{hash}",
                ["namespace"] = ns,
                ["uid"] = Uid(random),
                ["resourceVersion"] = random.Next(1_000_000, 9_999_999).ToString(CultureInfo.InvariantCulture),
                ["generation"] = 1,
                ["creationTimestamp"] = Time(Now.AddDays(-random.Next(1, 90))),
                ["labels"] = (JsonObject)podLabels.DeepClone(),
                ["annotations"] = new JsonObject
                {
                    ["deployment.kubernetes.io/desired-replicas"] = replicas.ToString(CultureInfo.InvariantCulture),
                    ["deployment.kubernetes.io/max-replicas"] = (replicas + 1).ToString(CultureInfo.InvariantCulture),
                    ["deployment.kubernetes.io/revision"] = replicas == 0 ? "1" : "2",
                },
                ["ownerReferences"] = new JsonArray(new JsonObject
                {
                    ["apiVersion"] = "apps/v1",
                    ["kind"] = "Deployment",
                    ["name"] = app,
                    ["uid"] = Uid(random),
                    ["controller"] = true,
                    ["blockOwnerDeletion"] = true,
                }),
            },
            ["spec"] = new JsonObject
            {
                ["replicas"] = replicas,
                ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = app, ["pod-template-hash"] = hash } },
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["labels"] = podLabels },
                    ["spec"] = new JsonObject
                    {
                        ["containers"] = containers,
                        ["restartPolicy"] = "Always",
                        ["serviceAccountName"] = "default-editor",
                        ["schedulerName"] = "default-scheduler",
                    },
                },
            },
            ["status"] = new JsonObject
            {
                ["replicas"] = replicas,
                ["fullyLabeledReplicas"] = replicas,
                ["readyReplicas"] = replicas,
                ["availableReplicas"] = replicas,
                ["observedGeneration"] = 1,
            },
        };
    }

    private static JsonObject RoleBinding(Random random, string ns, string name, string roleKind, string role, string subjectKind, string subject,
        (string Role, string User)? kubeflow)
    {
        var metadata = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = ns,
            ["uid"] = Uid(random),
            ["resourceVersion"] = random.Next(1_000_000, 9_999_999).ToString(CultureInfo.InvariantCulture),
            ["creationTimestamp"] = Time(Now.AddDays(-random.Next(1, 365))),
        };
        if (kubeflow is { } annotations)
        {
            metadata["annotations"] = new JsonObject { ["role"] = annotations.Role, ["user"] = annotations.User };
        }

        var subjectObject = subjectKind == "User"
            ? new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "User", ["name"] = subject }
            : new JsonObject { ["kind"] = subjectKind, ["name"] = subject, ["namespace"] = ns };
        return new JsonObject
        {
            ["metadata"] = metadata,
            ["roleRef"] = new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = roleKind, ["name"] = role },
            ["subjects"] = new JsonArray(subjectObject),
        };
    }

    private static JsonObject Notebook(Random random, string ns, string name, string creator, string image) => new()
    {
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = ns,
            ["uid"] = Uid(random),
            ["resourceVersion"] = random.Next(1_000_000, 9_999_999).ToString(CultureInfo.InvariantCulture),
            ["generation"] = 1,
            ["creationTimestamp"] = Time(Now.AddDays(-random.Next(1, 120))),
            ["labels"] = new JsonObject { ["access-ml-pipeline"] = "true", ["app"] = name },
            ["annotations"] = new JsonObject
            {
                ["notebooks.kubeflow.org/creator"] = creator,
                ["notebooks.kubeflow.org/server-type"] = "jupyter",
                ["notebooks.kubeflow.org/last-activity"] = Time(Now.AddMinutes(-random.Next(1, 600))),
            },
        },
        ["spec"] = new JsonObject
        {
            ["template"] = new JsonObject
            {
                ["spec"] = new JsonObject
                {
                    ["containers"] = new JsonArray(new JsonObject
                    {
                        ["name"] = name,
                        ["image"] = image,
                        ["imagePullPolicy"] = "IfNotPresent",
                        ["resources"] = new JsonObject
                        {
                            ["limits"] = new JsonObject { ["cpu"] = "2", ["memory"] = "4Gi" },
                            ["requests"] = new JsonObject { ["cpu"] = "500m", ["memory"] = "2Gi" },
                        },
                        ["volumeMounts"] = new JsonArray(
                            new JsonObject { ["mountPath"] = "/home/jovyan", ["name"] = $"{name}-volume" },
                            new JsonObject { ["mountPath"] = "/dev/shm", ["name"] = "dshm" }),
                    }),
                    ["serviceAccountName"] = "default-editor",
                    ["volumes"] = new JsonArray(
                        new JsonObject { ["name"] = $"{name}-volume", ["persistentVolumeClaim"] = new JsonObject { ["claimName"] = $"{name}-volume" } },
                        new JsonObject { ["name"] = "dshm", ["emptyDir"] = new JsonObject { ["medium"] = "Memory" } }),
                },
            },
        },
        ["status"] = new JsonObject
        {
            ["readyReplicas"] = 1,
            ["containerState"] = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = Time(Now.AddDays(-1)) } },
            ["conditions"] = new JsonArray(Condition("Ready", "True", Now.AddDays(-1))),
        },
    };

    private static JsonObject Profile(Random random, string name, string owner) => new()
    {
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["uid"] = Uid(random),
            ["resourceVersion"] = random.Next(1_000_000, 9_999_999).ToString(CultureInfo.InvariantCulture),
            ["generation"] = 1,
            ["creationTimestamp"] = Time(Now.AddDays(-random.Next(30, 400))),
            ["finalizers"] = new JsonArray("profile-finalizer"),
        },
        ["spec"] = new JsonObject
        {
            ["owner"] = new JsonObject { ["kind"] = "User", ["name"] = owner },
            ["resourceQuotaSpec"] = new JsonObject(),
        },
        ["status"] = new JsonObject { ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "True" }) },
    };

    // docker-pullable://registry/repository@sha256:..., the digest fixed by the reference so every pod of an image agrees.
    private static string ImageId(string image)
    {
        var repository = image[..image.LastIndexOf(':')];
        return $"docker-pullable://{repository}@sha256:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(image)))}";
    }

    private static string ContainerName(string image)
    {
        var path = image[(image.LastIndexOf('/') + 1)..];
        return path[..path.IndexOf(':')] switch
        {
            "proxyv2" => "istio-proxy",
            var name => name,
        };
    }

    private static string Uid(Random random) => new Guid(Bytes(random, 16)).ToString();

    private static string Hash(Random random, int length)
    {
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        return string.Create(length, random, (chars, r) =>
        {
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = alphabet[r.Next(alphabet.Length)];
            }
        });
    }

    private static string Hex(Random random, int length) => Convert.ToHexStringLower(Bytes(random, length / 2));

    private static byte[] Bytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
