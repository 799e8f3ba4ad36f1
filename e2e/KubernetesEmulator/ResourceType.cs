namespace KubernetesEmulator;

/// <summary>One served resource: the row of the emulator's resource table.</summary>
/// <param name="Group">API group; empty for the core group (<c>/api/v1</c>).</param>
/// <param name="Versions">Versions served; the first is the preferred version in discovery.</param>
/// <param name="Plural">Lower-case plural used in paths, e.g. <c>pods</c>, <c>notebooks</c>.</param>
/// <param name="Kind">Object kind, e.g. <c>Pod</c>; lists are <c>{Kind}List</c>.</param>
/// <param name="Namespaced">False for cluster-scoped resources such as namespaces and Kubeflow profiles.</param>
/// <param name="BuiltIn">Built-in types accept strategic merge patch; custom resources answer 415 to it.</param>
public sealed record ResourceType(string Group, IReadOnlyList<string> Versions, string Plural, string Kind, bool Namespaced, bool BuiltIn)
{
    public bool IsCore => Group.Length == 0;

    /// <summary>The name the real server uses in messages: <c>pods</c>, <c>notebooks.kubeflow.org</c>.</summary>
    public string GroupResource => IsCore ? Plural : $"{Plural}.{Group}";

    public string ListKind => Kind + "List";

    public string ApiVersion(string version) => IsCore ? version : $"{Group}/{version}";

    public bool Serves(string version) => Versions.Contains(version, StringComparer.Ordinal);

    /// <summary>
    /// Kubernetes' own groups are built in (strategic merge patch works on them); everything with a dotted group
    /// outside <c>*.k8s.io</c>, and the <c>*.x-k8s.io</c> SIG projects, are custom resources.
    /// </summary>
    public static bool IsBuiltInGroup(string group) =>
        !group.Contains('.', StringComparison.Ordinal)
        || (group.EndsWith(".k8s.io", StringComparison.Ordinal) && !group.EndsWith(".x-k8s.io", StringComparison.Ordinal)
            && !group.StartsWith("gateway.networking.", StringComparison.Ordinal));
}
