namespace KubernetesEmulator;

/// <summary>The resource table: which (group, version, plural) paths and which (apiVersion, kind) objects are served.</summary>
internal sealed class ResourceRegistry
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Group, string Plural), ResourceType> _byPlural = [];

    public static ResourceRegistry CreateDefault()
    {
        var registry = new ResourceRegistry();
        string[] v1 = ["v1"];
        registry.Register(new ResourceType("", v1, "pods", "Pod", Namespaced: true, BuiltIn: true));
        registry.Register(new ResourceType("", v1, "namespaces", "Namespace", Namespaced: false, BuiltIn: true));
        // Not used by the portal, but real multi-document manifests (a Notebook with its PVC) must load.
        registry.Register(new ResourceType("", v1, "persistentvolumeclaims", "PersistentVolumeClaim", Namespaced: true, BuiltIn: true));
        registry.Register(new ResourceType("", v1, "services", "Service", Namespaced: true, BuiltIn: true));
        registry.Register(new ResourceType("", v1, "configmaps", "ConfigMap", Namespaced: true, BuiltIn: true));
        registry.Register(new ResourceType("", v1, "serviceaccounts", "ServiceAccount", Namespaced: true, BuiltIn: true));
        registry.Register(new ResourceType("apps", v1, "replicasets", "ReplicaSet", Namespaced: true, BuiltIn: true));
        registry.Register(new ResourceType("apps", v1, "deployments", "Deployment", Namespaced: true, BuiltIn: true));
        registry.Register(new ResourceType("apps", v1, "statefulsets", "StatefulSet", Namespaced: true, BuiltIn: true));
        registry.Register(new ResourceType("apps", v1, "daemonsets", "DaemonSet", Namespaced: true, BuiltIn: true));
        registry.Register(new ResourceType("batch", v1, "jobs", "Job", Namespaced: true, BuiltIn: true));
        registry.Register(new ResourceType("batch", v1, "cronjobs", "CronJob", Namespaced: true, BuiltIn: true));
        registry.Register(new ResourceType("rbac.authorization.k8s.io", v1, "rolebindings", "RoleBinding", Namespaced: true, BuiltIn: true));
        registry.Register(new ResourceType("rbac.authorization.k8s.io", v1, "roles", "Role", Namespaced: true, BuiltIn: true));
        string[] kubeflow = ["v1", "v1beta1", "v1alpha1"];
        registry.Register(new ResourceType("kubeflow.org", kubeflow, "notebooks", "Notebook", Namespaced: true, BuiltIn: false));
        registry.Register(new ResourceType("kubeflow.org", kubeflow, "profiles", "Profile", Namespaced: false, BuiltIn: false));
        registry.Register(new ResourceType("argoproj.io", ["v1alpha1"], "workflows", "Workflow", Namespaced: true, BuiltIn: false));
        registry.Register(new ResourceType("aquasecurity.github.io", ["v1alpha1"], "vulnerabilityreports", "VulnerabilityReport",
            Namespaced: true, BuiltIn: false));
        return registry;
    }

    /// <summary>Adds a resource, or replaces the one with the same group and plural (its stored objects stay).</summary>
    public void Register(ResourceType resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        if (resource.Versions.Count == 0)
        {
            throw new ArgumentException($"Resource {resource.GroupResource} needs at least one version.", nameof(resource));
        }

        lock (_gate)
        {
            _byPlural[(resource.Group, resource.Plural)] = resource;
        }
    }

    public ResourceType? FindByPath(string group, string version, string plural)
    {
        lock (_gate)
        {
            return _byPlural.TryGetValue((group, plural), out var resource) && resource.Serves(version) ? resource : null;
        }
    }

    public ResourceType? FindByKind(string group, string version, string kind)
    {
        lock (_gate)
        {
            return _byPlural.Values.FirstOrDefault(r =>
                r.Group == group && string.Equals(r.Kind, kind, StringComparison.Ordinal) && r.Serves(version));
        }
    }

    public IReadOnlyList<ResourceType> All()
    {
        lock (_gate)
        {
            return [.. _byPlural.Values];
        }
    }

    /// <summary>Splits <c>apps/v1</c> into (<c>apps</c>, <c>v1</c>) and <c>v1</c> into (<c>""</c>, <c>v1</c>).</summary>
    public static (string Group, string Version) SplitApiVersion(string apiVersion)
    {
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? ("", apiVersion) : (apiVersion[..slash], apiVersion[(slash + 1)..]);
    }
}
