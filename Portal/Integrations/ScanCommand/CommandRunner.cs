using System.Buffers;
using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Portal.Integrations.ScanCommand;

/// <summary>One run of an administrator's command: the executable, its arguments one by one, and how long it may take.</summary>
public sealed record CommandInvocation(string Command, IReadOnlyList<string> Arguments, TimeSpan Timeout)
{
    /// <summary>Variables set for this run only, on top of the portal's environment.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
}

public enum CommandOutcome
{
    /// <summary>The command ran to its end; <see cref="CommandResult.ExitCode"/> says how.</summary>
    Exited,

    /// <summary>It ran past its timeout and was killed with everything it started.</summary>
    TimedOut,

    /// <summary>It could not be started (not found, not executable).</summary>
    NotStarted,
}

/// <summary>How a run ended. What it printed is in the <see cref="CommandOutput"/>s given to the run.</summary>
public sealed record CommandResult(CommandOutcome Outcome, int ExitCode, Exception? StartFailure)
{
    public static CommandResult Exited(int exitCode) => new(CommandOutcome.Exited, exitCode, null);

    public static CommandResult TimedOut() => new(CommandOutcome.TimedOut, -1, null);

    public static CommandResult NotStarted(Exception failure) => new(CommandOutcome.NotStarted, -1, failure);
}

/// <summary>
/// Runs a command the way every scan command in the portal is run: started directly with an argument list, never through
/// a shell (so a file name or image reference with spaces, quotes or <c>$(...)</c> is just one argument), with an empty
/// stdin, both output streams read as they come (so a chatty command never blocks on a full pipe) into bounded
/// <see cref="CommandOutput"/>s, and killed with its whole process tree when it runs past its timeout.
/// </summary>
public sealed class CommandRunner(TimeProvider time, ILogger logger)
{
    // After the command exits (or is killed), how long its output may take to drain. A grandchild that escaped the
    // process tree could hold the pipes open for ever.
    private static readonly TimeSpan OutputDrainLimit = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Runs <paramref name="invocation"/> to its end or its timeout. Cancellation by the caller kills the command too, and
    /// then throws <see cref="OperationCanceledException"/>.
    /// </summary>
    public async Task<CommandResult> RunAsync(
        CommandInvocation invocation, CommandOutput output, CommandOutput errors, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(errors);
        var start = new ProcessStartInfo(invocation.Command)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in invocation.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in invocation.Environment)
        {
            start.Environment[name] = value;
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("Process.Start returned no process.");
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException)
        {
            return CommandResult.NotStarted(e);
        }

        using (process)
        {
            // The command gets an empty stdin rather than the portal's.
            process.StandardInput.Close();
            var reading = Task.WhenAll(
                output.ReadAsync(process.StandardOutput.BaseStream), errors.ReadAsync(process.StandardError.BaseStream));

            using var timeout = new CancellationTokenSource(invocation.Timeout, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            try
            {
                await process.WaitForExitAsync(linked.Token);
            }
            catch (OperationCanceledException)
            {
                Kill(process, invocation.Command);
                await DrainAsync(reading, invocation.Command);
                cancellationToken.ThrowIfCancellationRequested();
                return CommandResult.TimedOut();
            }

            await DrainAsync(reading, invocation.Command);
            return CommandResult.Exited(process.ExitCode);
        }
    }

    private void Kill(Process process, string command)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception)
        {
            // It exited between the timeout and the kill.
            logger.LogDebug(e, "{Command} exited before it could be killed", command);
        }
    }

    private async Task DrainAsync(Task reading, string command)
    {
        try
        {
            await reading.WaitAsync(OutputDrainLimit, time);
        }
        catch (TimeoutException)
        {
            logger.LogWarning("{Command}: output still open {Seconds} s after the command ended; ignoring the rest", command, OutputDrainLimit.TotalSeconds);
        }
    }
}

/// <summary>Where one of a command's output streams goes. Each kind keeps a bounded amount, whatever the command prints.</summary>
public abstract class CommandOutput
{
    internal abstract Task ReadAsync(Stream stream);
}

/// <summary>
/// Keeps the last few non-empty lines of a stream (each cut to a sane length), and the first value a picker finds in a
/// line, e.g. the signature on a scanner's first "FOUND" line.
/// </summary>
public sealed class OutputLines(int tailLines, Func<string, string?>? pick = null) : CommandOutput
{
    private const int MaxLineLength = 1_000;

    // Locked because a result may be read while a runaway grandchild is still writing (see the drain limit).
    private readonly Lock _lock = new();
    private readonly Queue<string> _tail = new();
    private string? _picked;

    public string? Picked
    {
        get
        {
            lock (_lock)
            {
                return _picked;
            }
        }
    }

    public IReadOnlyList<string> Tail
    {
        get
        {
            lock (_lock)
            {
                return [.. _tail];
            }
        }
    }

    internal override async Task ReadAsync(Stream stream)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (await reader.ReadLineAsync() is { } line)
        {
            line = (line.Length > MaxLineLength ? line[..MaxLineLength] : line).Trim();
            if (line.Length == 0)
            {
                continue;
            }

            lock (_lock)
            {
                _picked ??= pick?.Invoke(line);
                _tail.Enqueue(line);
                if (_tail.Count > tailLines)
                {
                    _tail.Dequeue();
                }
            }
        }
    }
}

/// <summary>
/// Keeps a stream's bytes up to a limit, e.g. a report a scanner prints. Past the limit nothing more is kept (but the
/// stream is still read to its end, so the command is not blocked), and <see cref="Exceeded"/> says it was cut.
/// </summary>
public sealed class OutputBytes(int limit) : CommandOutput
{
    private readonly Lock _lock = new();
    // Null once the limit is passed: what was kept is of no use cut short, so it is let go at once.
    private ArrayBufferWriter<byte>? _kept = new();

    public bool Exceeded
    {
        get
        {
            lock (_lock)
            {
                return _kept is null;
            }
        }
    }

    /// <summary>What was kept; empty when the limit was passed.</summary>
    public byte[] ToArray()
    {
        lock (_lock)
        {
            return _kept?.WrittenSpan.ToArray() ?? [];
        }
    }

    internal override async Task ReadAsync(Stream stream)
    {
        var buffer = new byte[81_920];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            lock (_lock)
            {
                if (_kept is not null && _kept.WrittenCount + (long)read > limit)
                {
                    _kept = null;
                }

                _kept?.Write(buffer.AsSpan(0, read));
            }
        }
    }
}
