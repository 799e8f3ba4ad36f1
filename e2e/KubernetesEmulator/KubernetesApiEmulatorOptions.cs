using Microsoft.Extensions.Logging;

namespace KubernetesEmulator;

/// <summary>How to start a <see cref="KubernetesApiEmulator"/>.</summary>
public sealed class KubernetesApiEmulatorOptions
{
    /// <summary>Port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>Directories (every *.yaml, *.yml, *.json under them) and files to load before the port opens, so no
    /// client ever sees the emulator half-seeded.</summary>
    public IReadOnlyList<string> Seeds { get; init; } = [];

    /// <summary>Logging providers (none by default; the standalone process adds the console).</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }

    /// <summary>The clock for <c>creationTimestamp</c>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Whether to keep every request in <see cref="KubernetesApiEmulator.Requests"/> (long runs may turn it off;
    /// mutations are always kept).</summary>
    public bool RecordReads { get; init; } = true;
}
