using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;

namespace Portal.E2E.Infrastructure;

/// <summary>
/// One stack for the whole test assembly: the development identity provider and the portal, each a child process
/// built by <c>dotnet build Portal.sln</c>, on free loopback ports, with the portal's SQLite database in a temporary
/// directory; a real OCI registry (Debian's <c>docker-registry</c>) seeded with images by
/// <c>e2e/stack/seed-registry.sh</c>, which the portal is not told about (a test adds it through the UI); the
/// Kubernetes API emulator (e2e/KubernetesEmulator) serving <c>e2e/stack/kubernetes</c>'s Kubeflow profiles and
/// notebooks on those images, which the portal reads as cluster "e2e"; and one headless Chromium. Each test opens its own browser context (see <see cref="PortalTest"/>).
/// </summary>
public sealed class StackFixture : IAsyncLifetime
{
    public const string TenantId = "7f0d1c2e-5a4b-4c3d-9e8f-0a1b2c3d4e5f";
    public const string ChromiumPath = "/usr/bin/chromium";
    public const string RegistryPath = "/usr/bin/docker-registry";

    /// <summary>Debian's interpreter: python3-aiosmtpd is installed for it, not necessarily for the first python3 on PATH.</summary>
    public const string SmtpPython = "/usr/bin/python3";

    /// <summary>Old audit entries written before the tests, for the audit retention job to purge.</summary>
    public const int SeededOldAuditEntries = 2_000;

    /// <summary>How old the seeded entries are; well past <see cref="RetentionDays"/>.</summary>
    public const int SeededEntryAgeDays = 400;

    public const int RetentionDays = 30;

    /// <summary>Small batches so that a purge of <see cref="SeededOldAuditEntries"/> takes 200 steps and its progress moves.</summary>
    public const int PurgeBatchSize = 10;

    /// <summary>
    /// A pause after each of those steps, so the purge lasts about four seconds: long enough for the page to show it
    /// running, however fast the machine deletes.
    /// </summary>
    public static readonly TimeSpan PurgeBatchPause = TimeSpan.FromMilliseconds(20);

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Building six images with umoci and pushing them with skopeo takes about 8 s on an idle two-core machine.</summary>
    private static readonly TimeSpan SeedTimeout = TimeSpan.FromSeconds(120);

    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
    ];

    private readonly List<ServerProcess> _servers = [];
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private bool _keepWorkDirectory = Environment.GetEnvironmentVariable("E2E_KEEP_WORK_DIRECTORY") is { Length: > 0 } and not "0";

    public string RepositoryRoot { get; private set; } = "";

    /// <summary>The temporary directory with the portal's database and both servers' logs.</summary>
    public string WorkDirectory { get; private set; } = "";

    /// <summary>Screenshots and traces of failed tests.</summary>
    public string ArtifactsDirectory { get; private set; } = "";

    public Uri PortalUrl { get; private set; } = null!;

    public Uri ProviderUrl { get; private set; } = null!;

    /// <summary>The seeded OCI registry, plain HTTP on loopback (e.g. <c>http://127.0.0.1:41234</c>, no trailing slash).</summary>
    public string RegistryUrl { get; private set; } = "";

    public string DatabasePath { get; private set; } = "";

    /// <summary>The Kubernetes API emulator, plain HTTP on loopback (no trailing slash).</summary>
    public string KubernetesUrl { get; private set; } = "";

    /// <summary>The kubeconfig the emulator writes and the portal reads.</summary>
    public string KubeconfigPath { get; private set; } = "";

    internal ServerProcess Kubernetes { get; private set; } = null!;

    internal ServerProcess Smtp { get; private set; } = null!;

    /// <summary>Where the SMTP sink stores every message it accepts, one file each under <c>new/</c>.</summary>
    public string MaildirPath { get; private set; } = "";

    internal ServerProcess Portal { get; private set; } = null!;

    internal ServerProcess Provider { get; private set; } = null!;

    internal ServerProcess Registry { get; private set; } = null!;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The browser is not running.");

    public async ValueTask InitializeAsync()
    {
        try
        {
            await StartAsync();
        }
        catch
        {
            // xUnit does not dispose a fixture whose initialization failed: stop whatever did start, and keep the
            // logs the error message points to.
            _keepWorkDirectory = true;
            await DisposeAsync();
            throw;
        }
    }

    private async Task StartAsync()
    {
        var started = Stopwatch.StartNew();
        var cancellationToken = TestContext.Current.CancellationToken;

        RepositoryRoot = FindRepositoryRoot();
        var portalDll = Path.Combine(RepositoryRoot, "Portal", "bin", "Debug", "net10.0", "Portal.dll");
        var providerDll = Path.Combine(RepositoryRoot, "e2e", "DevIdentityProvider", "bin", "Debug", "net10.0", "DevIdentityProvider.dll");
        var seedScript = Path.Combine(RepositoryRoot, "e2e", "stack", "seed-registry.sh");
        var emulatorDll = Path.Combine(RepositoryRoot, "e2e", "KubernetesEmulator", "bin", "Debug", "net10.0", "KubernetesEmulator.dll");
        var missing = new[] { portalDll, providerDll, emulatorDll }.Where(path => !File.Exists(path)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"Build output missing: {string.Join(", ", missing)}. Run `dotnet build Portal.sln` in {RepositoryRoot} first "
                + "(`dotnet build Portal.sln && dotnet test e2e/Portal.E2E`).");
        }

        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"Chromium is not installed at {ChromiumPath}: run `apt-get install -y chromium`. Playwright never downloads browsers here.");
        }

        if (!File.Exists(RegistryPath))
        {
            // seed-registry.sh checks its own tools (umoci, skopeo, curl, jq) and names the same script.
            throw new InvalidOperationException(
                $"The OCI registry is not installed at {RegistryPath}: run `e2e/stack/install-packages.sh` (Debian package docker-registry).");
        }

        WorkDirectory = Directory.CreateTempSubdirectory("portal-e2e-").FullName;
        ArtifactsDirectory = Path.Combine(RepositoryRoot, "e2e", "Portal.E2E", "TestResults", "playwright-artifacts");
        DatabasePath = Path.Combine(WorkDirectory, "portal.db");

        var portalPort = FreeLoopbackPort();
        var providerPort = FreeLoopbackPort(except: portalPort);
        var registryPort = FreeLoopbackPort(except: [portalPort, providerPort]);
        var kubernetesPort = FreeLoopbackPort(except: [portalPort, providerPort, registryPort]);
        var smtpPort = FreeLoopbackPort(except: [portalPort, providerPort, registryPort, kubernetesPort]);
        MaildirPath = Path.Combine(WorkDirectory, "maildir");
        KubernetesUrl = $"http://127.0.0.1:{kubernetesPort}";
        KubeconfigPath = Path.Combine(WorkDirectory, "kubeconfig");
        PortalUrl = new Uri($"http://127.0.0.1:{portalPort}/");
        ProviderUrl = new Uri($"http://127.0.0.1:{providerPort}/");
        RegistryUrl = $"http://127.0.0.1:{registryPort}";
        var portalOrigin = PortalUrl.GetLeftPart(UriPartial.Authority);
        var providerOrigin = ProviderUrl.GetLeftPart(UriPartial.Authority);

        // Never leave servers behind, even when the test host ends without disposing fixtures.
        AppDomain.CurrentDomain.ProcessExit += KillServers;

        // First, so that it is stopped last: nothing should talk to a registry that is gone.
        Registry = Start(StartRegistry(registryPort));
        Smtp = Start(StartSmtpSink(smtpPort));

        Provider = Start(ServerProcess.Start(
            "identity provider",
            RepositoryRoot,
            [providerDll, "--urls", providerOrigin],
            new Dictionary<string, string>
            {
                ["Provider__Clients__0__RedirectUris__0"] = $"{portalOrigin}/signin-oidc",
                ["Provider__Clients__0__PostLogoutRedirectUris__0"] = $"{portalOrigin}/signout-callback-oidc",
            },
            Path.Combine(WorkDirectory, "identity-provider.log")));

        Portal = Start(ServerProcess.Start(
            "portal",
            RepositoryRoot,
            [portalDll],
            new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Local",
                ["ASPNETCORE_URLS"] = portalOrigin,
                ["AzureAd__Instance"] = providerOrigin + "/",
                ["AzureAd__TenantId"] = TenantId,
                ["AzureAd__ClientId"] = "portal-local",
                ["AzureAd__ClientSecret"] = "portal-local-secret",
                ["Authentication__AllowInsecureLocalProvider"] = "true",
                ["Database__Provider"] = "Sqlite",
                ["ConnectionStrings__Portal"] = $"Data Source={DatabasePath}",
                ["Audit__RetentionDays"] = RetentionDays.ToString(CultureInfo.InvariantCulture),
                ["Audit__PurgeBatchSize"] = PurgeBatchSize.ToString(CultureInfo.InvariantCulture),
                ["Audit__PurgeBatchPause"] = PurgeBatchPause.ToString("c", CultureInfo.InvariantCulture),
                // Only the test starts the retention job: its schedule must not fire during a run (02:30 UTC by default).
                ["Jobs__Schedules__audit-retention"] = "0 0 0 1 1 ? 2100",
                // Likewise the inventory sync (every 30 minutes by default): the inventory test runs it from Settings.
                ["Jobs__Schedules__inventory-sync"] = "0 0 0 1 1 ? 2100",
                // And the workload sync: the workloads test runs it from the Jobs page.
                ["Jobs__Schedules__workload-sync"] = "0 0 0 1 1 ? 2100",
                ["Jobs__Schedules__trivy-operator-import"] = "0 0 0 1 1 ? 2100",
                ["Jobs__Schedules__vulnerability-scan"] = "0 0 0 1 1 ? 2100",
                ["Jobs__Schedules__malware-scan"] = "0 0 0 1 1 ? 2100",
                // The migration test composes the day's digests itself: an hourly run must not send them first.
                ["Jobs__Schedules__notifications"] = "0 0 0 1 1 ? 2100",
                ["Jobs__Schedules__migration-paths"] = "0 0 0 1 1 ? 2100",
                ["Kubernetes__Clusters__0__Name"] = "e2e",
                ["Kubernetes__Clusters__0__KubeConfigPath"] = KubeconfigPath,
                ["Smtp__Host"] = "127.0.0.1",
                ["Smtp__Port"] = smtpPort.ToString(CultureInfo.InvariantCulture),
                ["Notifications__PortalUrl"] = portalOrigin,
                ["Notifications__AdminRecipients__0"] = TestUser.Admin.Email,
                // The day's digests go out whenever the test asks, not only from the morning hour.
                ["Notifications__DigestHourUtc"] = "0",
            },
            Path.Combine(WorkDirectory, "portal.log")));

        // Chromium starts, and the registry is seeded, while the servers start; Task.WhenAll waits for all of them even
        // when one fails.
        using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) })
        {
            await Task.WhenAll(
                LaunchBrowserAsync(),
                StartSeedAndServeKubernetesAsync(http, seedScript, emulatorDll, kubernetesPort, cancellationToken),
                Provider.WaitUntilHealthyAsync(http, new Uri(ProviderUrl, "health"), StartTimeout, cancellationToken),
                Portal.WaitUntilHealthyAsync(http, new Uri(PortalUrl, "health/ready"), StartTimeout, cancellationToken),
                WaitForTcpAsync(Smtp, smtpPort, cancellationToken));

            // Warm up the sign-in path (portal challenge, provider discovery and authorize, sign-in form) so the first
            // test does not pay for just-in-time compilation of all of it.
            using var warmUp = await http.GetAsync(PortalUrl, cancellationToken);
            if (!warmUp.IsSuccessStatusCode || warmUp.RequestMessage?.RequestUri?.Port != ProviderUrl.Port)
            {
                throw new InvalidOperationException(
                    $"Opening {PortalUrl} without a session should end on the provider's sign-in form; it ended on "
                    + $"{warmUp.RequestMessage?.RequestUri} with HTTP {(int)warmUp.StatusCode}.\n{Portal.DescribeLog()}\n{Provider.DescribeLog()}");
            }
        }

        // The portal has applied its migrations by now (it does so before it listens).
        await SeedOldAuditEntriesAsync(cancellationToken);

        // Generous for a busy two-core machine; a passing assertion never waits for it.
        Assertions.SetDefaultExpectTimeout(15_000);

        TestContext.Current.SendDiagnosticMessage(
            $"E2E stack ready in {started.Elapsed.TotalSeconds:0.0} s: portal {PortalUrl}, provider {ProviderUrl}, registry {RegistryUrl}, "
            + $"work directory {WorkDirectory}");
    }

    /// <summary>
    /// Starts <c>docker-registry serve</c> on <paramref name="port"/> with its blobs under the work directory and
    /// deletes enabled (as <c>e2e/stack/registry.sh</c> configures it for the local stack).
    /// </summary>
    private ServerProcess StartRegistry(int port)
    {
        var directory = Directory.CreateDirectory(Path.Combine(WorkDirectory, "registry")).FullName;
        var config = Path.Combine(directory, "config.yml");
        File.WriteAllText(config, $"""
            # Written by the e2e StackFixture for one test run.
            version: 0.1
            log:
              level: info
              formatter: text
              fields:
                service: registry
            storage:
              filesystem:
                rootdirectory: {Path.Combine(directory, "data")}
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:{port}
              secret: e2e-not-a-secret
              headers:
                X-Content-Type-Options: [nosniff]
            """);
        return ServerProcess.Start("registry", RegistryPath, directory, ["serve", config], new Dictionary<string, string>(),
            Path.Combine(WorkDirectory, "registry.log"));
    }

    /// <summary>
    /// Debian's aiosmtpd (a real SMTP server) storing every message in a Maildir, as <c>e2e/stack/smtp.sh</c> runs it for
    /// the local stack.
    /// </summary>
    private ServerProcess StartSmtpSink(int port)
    {
        foreach (var folder in new[] { "new", "cur", "tmp" })
        {
            Directory.CreateDirectory(Path.Combine(MaildirPath, folder));
        }

        return ServerProcess.Start("smtp", SmtpPython, WorkDirectory,
            ["-m", "aiosmtpd", "-n", "-d", "-u", "-l", $"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Mailbox", MaildirPath],
            new Dictionary<string, string> { ["PYTHONUNBUFFERED"] = "1" },
            Path.Combine(WorkDirectory, "smtp.log"));
    }

    private static async Task WaitForTcpAsync(ServerProcess server, int port, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                return;
            }
            catch (SocketException) when (waited.Elapsed < StartTimeout)
            {
                await Task.Delay(200, cancellationToken);
            }
            catch (SocketException exception)
            {
                throw new InvalidOperationException($"Nothing listens on 127.0.0.1:{port} after {StartTimeout}.\n{server.DescribeLog()}", exception);
            }
        }
    }

    /// <summary>
    /// Seeds the registry, then writes the Kubernetes objects (their pods report the seeded images' digests) and starts
    /// the API emulator on them.
    /// </summary>
    private async Task StartSeedAndServeKubernetesAsync(
        HttpClient http, string seedScript, string emulatorDll, int kubernetesPort, CancellationToken cancellationToken)
    {
        await StartAndSeedRegistryAsync(http, seedScript, cancellationToken);
        var objects = Path.Combine(WorkDirectory, "kubernetes");
        await RunScriptAsync(
            Path.Combine(RepositoryRoot, "e2e", "stack", "seed-kubernetes.sh"), [new Uri(RegistryUrl).Authority, objects], "seed-kubernetes",
            cancellationToken);
        Kubernetes = Start(ServerProcess.Start(
            "kubernetes",
            RepositoryRoot,
            [emulatorDll, "--port", kubernetesPort.ToString(CultureInfo.InvariantCulture), "--seed", objects, "--kubeconfig", KubeconfigPath],
            new Dictionary<string, string>(),
            Path.Combine(WorkDirectory, "kubernetes.log")));
        await Kubernetes.WaitUntilHealthyAsync(http, new Uri(KubernetesUrl + "/version"), StartTimeout, cancellationToken);
    }

    /// <summary>Waits for the registry's <c>/v2/</c>, then pushes the seed images with the repository's own script.</summary>
    private async Task StartAndSeedRegistryAsync(HttpClient http, string seedScript, CancellationToken cancellationToken)
    {
        await Registry.WaitUntilHealthyAsync(http, new Uri(RegistryUrl + "/v2/"), StartTimeout, cancellationToken);

        var started = Stopwatch.StartNew();
        await RunScriptAsync(seedScript, [new Uri(RegistryUrl).Authority], "seed-registry", cancellationToken);
        TestContext.Current.SendDiagnosticMessage($"Registry {RegistryUrl} seeded in {started.Elapsed.TotalSeconds:0.0} s.");
    }

    /// <summary>Runs one of the stack's bash scripts, its output kept in NAME.log; fails with that output when it fails.</summary>
    private async Task RunScriptAsync(string script, IReadOnlyList<string> arguments, string name, CancellationToken cancellationToken)
    {
        var logPath = Path.Combine(WorkDirectory, name + ".log");
        // The script's scratch space (OCI layouts, unpacked bundles) goes with the work directory, even if it is killed.
        var scratch = Directory.CreateDirectory(Path.Combine(WorkDirectory, "seed-tmp")).FullName;
        var startInfo = new ProcessStartInfo("bash")
        {
            WorkingDirectory = RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment["TMPDIR"] = scratch;
        var commandLine = $"bash {script} {string.Join(' ', arguments)}";

        using var process = Process.Start(startInfo)
            ?? throw new InvalidOperationException($"Could not start {commandLine}.");
        var standardOutput = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var standardError = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(SeedTimeout);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            cancellationToken.ThrowIfCancellationRequested();
            timedOut = true;
        }

        // The script logs its progress on standard error; standard output is normally empty.
        var log = (await standardOutput) + (await standardError);
        await File.WriteAllTextAsync(logPath, log, CancellationToken.None);
        if (timedOut || process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"`{commandLine}` "
                + (timedOut ? $"did not finish within {SeedTimeout.TotalSeconds:0} s" : $"failed with exit code {process.ExitCode}")
                + $" (its output is in {logPath}):\n{log}\n{Registry.DescribeLog()}");
        }
    }

    private async Task LaunchBrowserAsync()
    {
        // Playwright must never download a browser here: it drives the system's Chromium.
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
        });
    }

    /// <summary>A fresh browser context (no cookies, so no portal or provider session) aimed at the portal.</summary>
    public Task<IBrowserContext> NewContextAsync() =>
        Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = PortalUrl.ToString(),
            ViewportSize = new ViewportSize { Width = 1366, Height = 900 },
            Locale = "en-GB",
            TimezoneId = "UTC",
            ColorScheme = ColorScheme.Light,
        });

    /// <summary>Keeps the work directory (database, full server logs) after the run, for a failed test to be looked into.</summary>
    internal void KeepWorkDirectory() => _keepWorkDirectory = true;

    /// <summary>Audit entries older than <paramref name="days"/> days, read straight from the portal's database.</summary>
    public async Task<long> CountAuditEntriesOlderThanAsync(int days, CancellationToken cancellationToken)
    {
        await using var connection = await OpenDatabaseAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM audit_entries WHERE Timestamp < $cutoff";
        command.Parameters.AddWithValue("$cutoff", DateTimeOffset.UtcNow.AddDays(-days).UtcTicks);
        return (long)(await command.ExecuteScalarAsync(cancellationToken) ?? 0L);
    }

    public async ValueTask DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= KillServers;
        if (_browser is not null)
        {
            await _browser.CloseAsync();
            await _browser.DisposeAsync();
            _browser = null;
        }

        _playwright?.Dispose();
        _playwright = null;

        // The portal first: it should not outlive the provider it signs in against.
        foreach (var server in Enumerable.Reverse(_servers))
        {
            await server.DisposeAsync();
        }

        if (WorkDirectory.Length > 0 && Directory.Exists(WorkDirectory) && !_keepWorkDirectory)
        {
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(WorkDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Something still holds a file; the system cleans its temporary directory eventually.
            }
        }
    }

    private ServerProcess Start(ServerProcess server)
    {
        _servers.Add(server);
        return server;
    }

    private void KillServers(object? sender, EventArgs e)
    {
        foreach (var server in _servers)
        {
            server.KillNow();
        }
    }

    private async Task SeedOldAuditEntriesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenDatabaseAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.Transaction = (SqliteTransaction)transaction;
        command.CommandText = """
            INSERT INTO audit_entries (Timestamp, ActorKind, Actor, Action, Subject, Before, After, CorrelationId)
            VALUES ($timestamp, 'Person', 'former.employee@example.org', 'auth.sign-in', 'Former Employee', NULL, 'Portal.Approver', NULL)
            """;
        var timestamp = command.Parameters.Add("$timestamp", SqliteType.Integer);
        var oldest = DateTimeOffset.UtcNow.AddDays(-SeededEntryAgeDays);
        for (var i = 0; i < SeededOldAuditEntries; i++)
        {
            timestamp.Value = oldest.AddMinutes(-i).UtcTicks;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private async Task<SqliteConnection> OpenDatabaseAsync(CancellationToken cancellationToken)
    {
        // No pooling: the tests must not keep the portal's database file open between uses.
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString());
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Portal.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Portal.sln above {AppContext.BaseDirectory}: run the tests from the repository's build output.");
    }

    private static int FreeLoopbackPort(params int[] except)
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            if (!except.Contains(port))
            {
                return port;
            }
        }
    }
}
