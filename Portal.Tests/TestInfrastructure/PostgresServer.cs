using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Portal.Tests.TestInfrastructure;

/// <summary>
/// A real PostgreSQL (Debian's postgresql package) started on loopback for this test run, in a directory of its
/// own, and stopped at the end. Each test asks for a fresh database.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private const string PostgresUser = "postgres";
    private readonly TempDirectory _directory = new("portal-pg");
    private string _bin = "";
    private int _port;

    public string AdminConnectionString => $"Host=127.0.0.1;Port={_port};Username={PostgresUser};Database=postgres;Pooling=false";

    public async ValueTask InitializeAsync()
    {
        _bin = FindBinDirectory();
        _port = LocalServers.FreePort();
        var data = Path.Combine(_directory.Path, "data");
        Directory.CreateDirectory(data);
        if (RunningAsRoot)
        {
            // PostgreSQL refuses to run as root; hand the directory to the postgres account and run as it.
            await RunAsync("chown", $"-R {PostgresUser}:{PostgresUser} {_directory.Path}");
        }

        await RunPostgresToolAsync("initdb", $"-D {data} -U {PostgresUser} -A trust --no-sync --encoding=UTF8 --locale=C.UTF-8");
        await RunPostgresToolAsync("pg_ctl",
            $"-D {data} -l {Path.Combine(_directory.Path, "server.log")} -w -t 60 " +
            $"-o \"-p {_port} -k {_directory.Path} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200\" start");
    }

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string? name = null)
    {
        name ??= $"portal_{Guid.NewGuid():N}";
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return $"Host=127.0.0.1;Port={_port};Username={PostgresUser};Database={name}";
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            await RunPostgresToolAsync("pg_ctl", $"-D {Path.Combine(_directory.Path, "data")} -m immediate -w stop");
        }
        finally
        {
            _directory.Dispose();
        }
    }

    private static bool RunningAsRoot => Environment.UserName == "root";

    private static string FindBinDirectory()
    {
        const string root = "/usr/lib/postgresql";
        var bin = Directory.Exists(root)
            ? Directory.GetDirectories(root).Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => d, StringComparer.Ordinal)
                .FirstOrDefault()
            : null;
        return bin ?? throw new InvalidOperationException(
            "PostgreSQL server binaries were not found under /usr/lib/postgresql. Install Debian's 'postgresql' package " +
            "(the test command does this).");
    }

    private Task RunPostgresToolAsync(string tool, string arguments) =>
        RunningAsRoot
            ? RunAsync("runuser", $"-u {PostgresUser} -- {Path.Combine(_bin, tool)} {arguments}")
            : RunAsync(Path.Combine(_bin, tool), arguments);

    private static async Task RunAsync(string fileName, string arguments)
    {
        var start = new ProcessStartInfo(fileName, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"'{fileName} {arguments}' exited with {process.ExitCode}:\n{await output}\n{await error}");
        }
    }
}
