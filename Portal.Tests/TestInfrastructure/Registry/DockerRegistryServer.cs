using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Portal.Tests.TestInfrastructure.Registry;

/// <summary>How a <see cref="DockerRegistryServer"/> wants clients to authenticate.</summary>
public enum RegistryAuthMode
{
    /// <summary>No authentication at all.</summary>
    Anonymous,

    /// <summary><c>auth.htpasswd</c>: HTTP basic auth against a bcrypt htpasswd file.</summary>
    Basic,

    /// <summary><c>auth.token</c>: bearer tokens from an in-process <see cref="RegistryTokenServer"/>.</summary>
    Token,
}

public sealed record DockerRegistryOptions
{
    public RegistryAuthMode Auth { get; init; } = RegistryAuthMode.Anonymous;

    /// <summary>Token mode: whether the token server gives pull-only tokens to clients without credentials.</summary>
    public bool AllowAnonymousPull { get; init; }

    /// <summary>
    /// Token mode: the <c>exp</c> (and <c>expires_in</c>) of issued tokens. Note registry 2.8 accepts a token for 60 s
    /// past its <c>exp</c>, so an "expired token" test has to wait for that too.
    /// </summary>
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Keep the storage directory on tmpfs (/dev/shm) when the machine has one. The filesystem driver fsyncs every file
    /// it writes, which on disk makes pushes two to three times slower; on tmpfs it is the same driver and the same
    /// files, and <see cref="DockerRegistryServer.Stop"/> / <see cref="DockerRegistryServer.StartAgainAsync"/> still
    /// keep them. Turn off for very large seeds (RAM) or to inspect storage after a crash.
    /// </summary>
    public bool StorageOnTmpfs { get; init; } = true;

    /// <summary>
    /// Where the registry sends its events (<c>notifications.endpoints</c>: one endpoint with this URL and
    /// Authorization header, retried quickly), or null for none.
    /// </summary>
    public RegistryNotifications? Notifications { get; init; }
}

/// <param name="Url">The portal's events URL.</param>
/// <param name="Authorization">The whole Authorization header value, e.g. "Bearer igp_...".</param>
public sealed record RegistryNotifications(Uri Url, string Authorization);

/// <summary>
/// A real registry (Debian's <c>docker-registry</c>, distribution 2.8) on 127.0.0.1 and a free port, with storage
/// in a temporary directory and deletes enabled. Anonymous by default; <see cref="RegistryAuthMode.Basic"/> and
/// <see cref="RegistryAuthMode.Token"/> make it demand credentials the way real registries do.
/// <para>
/// Start one with <see cref="StartAsync"/> (and <c>await using</c>), or use it, <see cref="BasicAuthDockerRegistryServer"/>
/// or <see cref="TokenAuthDockerRegistryServer"/> as an xUnit fixture. Starting takes a fraction of a second.
/// </para>
/// </summary>
public class DockerRegistryServer : IAsyncLifetime
{
    private const string Executable = "docker-registry";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);

    private readonly DockerRegistryOptions _options;
    private readonly TempDirectory _directory = new("portal-registry");
    private Process? _process;

    public DockerRegistryServer()
        : this(new DockerRegistryOptions())
    {
    }

    public DockerRegistryServer(DockerRegistryOptions options)
    {
        _options = options;
        StorageDirectory = options.StorageOnTmpfs && Directory.Exists("/dev/shm")
            ? Path.Combine("/dev/shm", $"portal-registry-storage-{Guid.NewGuid():N}")
            : _directory.File("storage");
        if (options.Auth != RegistryAuthMode.Anonymous)
        {
            Credentials = new RegistryCredentials("portal-test", Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)));
        }
    }

    public RegistryAuthMode AuthMode => _options.Auth;

    public int Port { get; private set; }

    /// <summary>"127.0.0.1:PORT", the registry host as image references and registry settings spell it.</summary>
    public string HostPort => $"127.0.0.1:{Port}";

    /// <summary>"http://127.0.0.1:PORT", without a trailing slash.</summary>
    public string BaseUrl => $"http://{HostPort}";

    /// <summary>
    /// What to sign in with: the htpasswd user in basic mode, the token server's user in token mode; null when
    /// anonymous.
    /// </summary>
    public RegistryCredentials? Credentials { get; }

    /// <summary>The token server in token mode (its counters tell whether a client used the challenge flow); else null.</summary>
    public RegistryTokenServer? TokenServer { get; private set; }

    /// <summary>The registry's <c>storage.filesystem.rootdirectory</c>; it survives <see cref="Stop"/>.</summary>
    public string StorageDirectory { get; }

    /// <summary>The registry's own log (stdout and stderr): the first place to look when it misbehaves.</summary>
    public string LogPath => _directory.File("registry.log");

    public bool IsRunning => _process is { HasExited: false };

    public static async Task<DockerRegistryServer> StartAsync(DockerRegistryOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var server = new DockerRegistryServer(options ?? new DockerRegistryOptions());
        try
        {
            await server.StartCoreAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public ValueTask InitializeAsync() => new(StartCoreAsync(TestContext.Current.CancellationToken));

    /// <summary>A pusher that seeds this registry, authenticating as this registry requires.</summary>
    public RegistryImagePusher CreatePusher() => new(this);

    /// <summary>A plain client with <see cref="BaseUrl"/> as base address and no credentials.</summary>
    public HttpClient CreateHttpClient() => new() { BaseAddress = new Uri(BaseUrl + "/") };

    /// <summary>
    /// Kills the registry process (as a crash or an outage would) and keeps its storage and port, so
    /// <see cref="StartAgainAsync"/> brings back the same content at the same address.
    /// </summary>
    public void Stop()
    {
        if (_process is null)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
        _process = null;
    }

    /// <summary>Starts the registry again after <see cref="Stop"/>, on the same port and storage, and waits until it answers.</summary>
    public async Task StartAgainAsync(CancellationToken cancellationToken = default)
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("The registry is running; call Stop() first.");
        }

        await LaunchAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            Stop();
            if (TokenServer is not null)
            {
                await TokenServer.DisposeAsync();
            }
        }
        finally
        {
            try
            {
                if (Directory.Exists(StorageDirectory))
                {
                    Directory.Delete(StorageDirectory, recursive: true);
                }
            }
            catch (IOException)
            {
                // Leftovers in /dev/shm or /tmp must not fail the test run.
            }

            _directory.Dispose();
            GC.SuppressFinalize(this);
        }
    }

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(StorageDirectory);
        Port = LocalServers.FreePort();
        var auth = _options.Auth switch
        {
            RegistryAuthMode.Anonymous => "",
            RegistryAuthMode.Basic => await BasicAuthConfigAsync(cancellationToken),
            RegistryAuthMode.Token => await TokenAuthConfigAsync(cancellationToken),
            _ => throw new InvalidOperationException($"Unknown auth mode {_options.Auth}."),
        };

        // http.secret is set so the registry does not warn about a random one; upload purging is off so no background
        // job touches the storage mid-test; the storagedriver health check is off so an empty storage is "healthy".
        // Access logs are off (one line per request adds up in benchmarks); info level keeps the auth failure reasons
        // (e.g. "token from untrusted issuer"), which the token code logs only at info.
        var config = $"""
            version: 0.1
            log:
              level: info
              formatter: text
              accesslog:
                disabled: true
            storage:
              filesystem:
                rootdirectory: {StorageDirectory}
              delete:
                enabled: true
              maintenance:
                uploadpurging:
                  enabled: false
            http:
              addr: {HostPort}
              secret: {Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}
            health:
              storagedriver:
                enabled: false
            {auth}
            {NotificationsConfig()}
            """;
        await File.WriteAllTextAsync(_directory.File("config.yml"), config, cancellationToken);
        await LaunchAsync(cancellationToken);
    }

    private async Task<string> BasicAuthConfigAsync(CancellationToken cancellationToken)
    {
        // Registry 2.8 accepts only bcrypt entries. Debian's htpasswd (apache2-utils) makes them; cost 4 (the minimum)
        // because the registry checks the hash on every request.
        var htpasswd = await RunAsync("htpasswd", ["-nbB", "-C", "4", Credentials!.Username, Credentials.Password], cancellationToken);
        await File.WriteAllTextAsync(_directory.File("htpasswd"), htpasswd.Trim() + "\n", cancellationToken);
        return $"""
            auth:
              htpasswd:
                realm: portal-test-registry
                path: {_directory.File("htpasswd")}
            """;
    }

    private async Task<string> TokenAuthConfigAsync(CancellationToken cancellationToken)
    {
        TokenServer = await RegistryTokenServer.StartAsync(
            service: "portal-test-registry", Credentials, _options.AllowAnonymousPull, _options.TokenLifetime, cancellationToken);
        await File.WriteAllTextAsync(_directory.File("token-ca.pem"), TokenServer.CertificatePem, cancellationToken);
        // realm, service and issuer must match the token server exactly: the registry puts realm and service in its
        // challenges and rejects tokens whose iss or aud differ ("token from untrusted issuer" in its log).
        return $"""
            auth:
              token:
                realm: {TokenServer.Realm}
                service: {TokenServer.Service}
                issuer: {TokenServer.Issuer}
                rootcertbundle: {_directory.File("token-ca.pem")}
            """;
    }

    private async Task LaunchAsync(CancellationToken cancellationToken)
    {
        // The shell only redirects both streams into the log file and then becomes the registry (exec), so the process
        // we hold is the registry itself and nothing has to drain its pipes.
        var start = new ProcessStartInfo("/bin/sh")
        {
            ArgumentList = { "-c", $"exec {Executable} serve \"$0\" >>\"$1\" 2>&1", _directory.File("config.yml"), LogPath },
            UseShellExecute = false,
        };
        if (!ExecutableExists())
        {
            throw new InvalidOperationException(
                $"'{Executable}' was not found on PATH. Install Debian's 'docker-registry' package (e2e/stack/install-packages.sh does).");
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {Executable}.");
        await WaitUntilAnsweringAsync(cancellationToken);
    }

    // Distribution queues events in memory and retries a failed delivery after the backoff, for ever.
    private string NotificationsConfig() => _options.Notifications is not { } notify
        ? ""
        : $"""
            notifications:
              endpoints:
                - name: portal
                  url: {notify.Url.AbsoluteUri}
                  headers:
                    Authorization: ["{notify.Authorization}"]
                  timeout: 2s
                  threshold: 3
                  backoff: 250ms
            """;

    // Any HTTP answer from /v2/ (200, or 401 with auth) means the registry is listening and configured.
    private async Task WaitUntilAnsweringAsync(CancellationToken cancellationToken)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException(
                    $"docker-registry exited with {_process.ExitCode} while starting. Its log:\n{LocalServers.LogTail(LogPath)}");
            }

            try
            {
                using var response = await client.GetAsync(new Uri($"{BaseUrl}/v2/"), cancellationToken);
                if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Unauthorized)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (deadline.Elapsed > StartTimeout)
            {
                Stop();
                throw new TimeoutException($"docker-registry did not answer on {BaseUrl}/v2/ within {StartTimeout}. Its log:\n{LocalServers.LogTail(LogPath)}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        }
    }

    private static bool ExecutableExists() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(directory => File.Exists(Path.Combine(directory, Executable)));

    private static async Task<string> RunAsync(string fileName, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException(
                $"Could not run '{fileName}' ({e.Message}). Install Debian's 'apache2-utils' (e2e/stack/install-packages.sh does).", e);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"'{fileName}' exited with {process.ExitCode}: {await error}");
            }

            return await output;
        }
    }

}

/// <summary>A <see cref="DockerRegistryServer"/> with basic auth, usable as an xUnit fixture.</summary>
public sealed class BasicAuthDockerRegistryServer() : DockerRegistryServer(new DockerRegistryOptions { Auth = RegistryAuthMode.Basic });

/// <summary>A <see cref="DockerRegistryServer"/> with token auth, usable as an xUnit fixture.</summary>
public sealed class TokenAuthDockerRegistryServer() : DockerRegistryServer(new DockerRegistryOptions { Auth = RegistryAuthMode.Token });
