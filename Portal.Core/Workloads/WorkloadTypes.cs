namespace Portal.Core.Workloads;

public enum WorkloadKind
{
    Pod,

    /// <summary>A Kubeflow Notebook, running or stopped; its pod is folded into it.</summary>
    Notebook,
}

public enum WorkloadLifetime
{
    /// <summary>Meant to keep running: notebooks and what Deployments, StatefulSets and DaemonSets run.</summary>
    LongLived,

    /// <summary>Runs to completion or is thrown away: Jobs, Workflows and bare pods.</summary>
    Ephemeral,
}

/// <summary>Which list of a pod spec a container comes from.</summary>
public enum ContainerType
{
    Init,
    Container,
    Ephemeral,
}

public enum NamespaceRole
{
    /// <summary>The Kubeflow Profile's owner.</summary>
    Owner,

    /// <summary>Someone the owner shared the namespace with (a Kubeflow contributor RoleBinding).</summary>
    Contributor,
}

/// <summary>What a workload is doing, as the portal shows it.</summary>
public static class WorkloadStatus
{
    public const string Running = "Running";
    public const string Pending = "Pending";
    public const string Succeeded = "Succeeded";
    public const string Failed = "Failed";
    public const string Unknown = "Unknown";

    /// <summary>A notebook with Kubeflow's stop annotation: no pod, but its image is still needed to start again.</summary>
    public const string Stopped = "Stopped";

    /// <summary>A notebook that is not stopped but has no pod yet.</summary>
    public const string Starting = "Starting";

    public const int MaxLength = 16;
}
