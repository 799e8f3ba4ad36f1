using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace KubernetesEmulator;

/// <summary>The standalone process for the local stack: <c>--port 5085 --seed DIR [--seed DIR2] [--kubeconfig PATH]</c>.</summary>
public static class EmulatorProgram
{
    private const string Usage = """
        Kubernetes API emulator: serves Kubernetes REST paths over plain http on 127.0.0.1 (never in production).

        Usage: KubernetesEmulator [--port PORT] [--seed DIR_OR_FILE]... [--kubeconfig PATH]

          --port PORT          port on 127.0.0.1 (default 5085; 0 picks a free one)
          --seed PATH          load every *.yaml, *.yml, *.json under a directory, or one file; repeatable
          --kubeconfig PATH    write a kubeconfig pointing at the emulator
          --help               print this text

        Stops on Ctrl+C or SIGTERM.
        """;

    public static async Task<int> Main(string[] args)
    {
        if (args.Any(a => a is "--help" or "-h" or "-?"))
        {
            Console.WriteLine(Usage);
            return 0;
        }

        if (!TryParse(args, out var port, out var seeds, out var kubeconfig, out var error))
        {
            await Console.Error.WriteLineAsync($"error: {error}{Environment.NewLine}{Environment.NewLine}{Usage}");
            return 2;
        }

        var options = new KubernetesApiEmulatorOptions
        {
            Port = port,
            Seeds = seeds,
            RecordReads = false,
            ConfigureLogging = logging => logging
                .AddSimpleConsole(console =>
                {
                    console.SingleLine = true;
                    console.TimestampFormat = "HH:mm:ss ";
                })
                .SetMinimumLevel(LogLevel.Information)
                .AddFilter("Microsoft", LogLevel.Warning),
        };

        KubernetesApiEmulator emulator;
        try
        {
            emulator = await KubernetesApiEmulator.StartAsync(options);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or IOException)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return 1;
        }

        await using (emulator)
        {
            if (kubeconfig is not null)
            {
                emulator.WriteKubeconfig(kubeconfig);
            }

            using var stopping = new CancellationTokenSource();
            void Stop(PosixSignalContext context)
            {
                context.Cancel = true;
                stopping.Cancel();
            }

            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            Console.WriteLine($"Kubernetes API emulator listening on {emulator.BaseAddress} with {emulator.Count} objects"
                + (kubeconfig is null ? "" : $"; kubeconfig {kubeconfig}") + ". Ctrl+C stops it.");
            try
            {
                await Task.Delay(Timeout.Infinite, stopping.Token);
            }
            catch (OperationCanceledException)
            {
                // Asked to stop.
            }
        }

        return 0;
    }

    private static bool TryParse(string[] args, out int port, out List<string> seeds, out string? kubeconfig, out string? error)
    {
        port = 5085;
        seeds = [];
        kubeconfig = null;
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            var (name, inline) = args[i].Split('=', 2) is [var n, var v] && n.StartsWith("--", StringComparison.Ordinal) ? (n, v) : (args[i], null);
            string? Value()
            {
                if (inline is not null)
                {
                    return inline;
                }

                return i + 1 < args.Length ? args[++i] : null;
            }

            switch (name)
            {
                case "--port":
                    var text = Value();
                    if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port > 65535)
                    {
                        error = $"--port needs a number from 0 to 65535, not \"{text}\"";
                        return false;
                    }

                    break;
                case "--seed":
                    var seed = Value();
                    if (string.IsNullOrEmpty(seed))
                    {
                        error = "--seed needs a directory or file";
                        return false;
                    }

                    if (!Directory.Exists(seed) && !File.Exists(seed))
                    {
                        error = $"--seed {seed}: no such directory or file";
                        return false;
                    }

                    seeds.Add(seed);
                    break;
                case "--kubeconfig":
                    kubeconfig = Value();
                    if (string.IsNullOrEmpty(kubeconfig))
                    {
                        error = "--kubeconfig needs a path";
                        return false;
                    }

                    break;
                default:
                    error = $"unknown argument \"{args[i]}\"";
                    return false;
            }
        }

        return true;
    }
}
