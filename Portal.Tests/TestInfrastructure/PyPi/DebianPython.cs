using System.Diagnostics;

namespace Portal.Tests.TestInfrastructure.PyPi;

/// <summary>What a Python process printed and how it ended.</summary>
public sealed record PythonRun(int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>Everything, for an assertion's message when a run did not go as expected.</summary>
    public override string ToString() => $"exit code {ExitCode}\n--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}";
}

/// <summary>
/// Runs Debian's <c>/usr/bin/python3</c>, with its setuptools, wheel and pip packages, isolated from whatever the
/// machine's environment says about Python and pip.
/// </summary>
/// <remarks>
/// Not the <c>python3</c> on PATH: that may be another interpreter (pyenv and the like) without Debian's packages.
/// Environment variables are cleared because they change pip behind a test's back: PIP_FIND_LINKS, PIP_INDEX_URL or
/// a proxy would let pip find files somewhere other than the index under test, and PYTHONPATH could shadow modules.
/// </remarks>
public static class DebianPython
{
    public const string Executable = "/usr/bin/python3";

    public static async Task<PythonRun> RunAsync(IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException(
                $"{Executable} was not found. Install Debian's python3-setuptools, python3-wheel and python3-pip (e2e/stack/install-packages.sh does).");
        }

        var start = new ProcessStartInfo(Executable)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in start.Environment.Keys.ToList())
        {
            if (name.StartsWith("PIP_", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("PYTHON", StringComparison.OrdinalIgnoreCase)
                || name.EndsWith("_PROXY", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("VIRTUAL_ENV", StringComparison.Ordinal))
            {
                start.Environment.Remove(name);
            }
        }

        // os.devnull as PIP_CONFIG_FILE makes pip skip every configuration file, /etc/pip.conf included.
        start.Environment["PIP_CONFIG_FILE"] = "/dev/null";
        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {Executable}.");
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var error = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(timeoutSource.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException(
                $"'{Executable} {string.Join(' ', start.ArgumentList)}' did not finish within {timeout}.\n"
                + new PythonRun(-1, await output, await error));
        }

        return new PythonRun(process.ExitCode, await output, await error);
    }
}
