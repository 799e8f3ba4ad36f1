using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KubernetesEmulator;

/// <summary>
/// An in-process Kubernetes API server stand-in: Kestrel on 127.0.0.1 (plain http) speaking the real REST paths and
/// JSON to the official <c>KubernetesClient</c>, over objects loaded from real manifests and API output. Thread-safe.
/// </summary>
public sealed class KubernetesApiEmulator : IAsyncDisposable
{
    private readonly ResourceRegistry _registry = ResourceRegistry.CreateDefault();
    private readonly ObjectStore _store;
    private readonly ObjectLoader _loader;
    private readonly KubernetesApi _api;
    private readonly bool _recordReads;
    private readonly Lock _requestsGate = new();
    private readonly List<RecordedRequest> _requests = [];
    private readonly List<RecordedRequest> _mutations = [];
    private WebApplication? _app;
    private ILogger _logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    private Uri? _baseAddress;

    private KubernetesApiEmulator(KubernetesApiEmulatorOptions options)
    {
        _store = new ObjectStore(options.TimeProvider);
        _loader = new ObjectLoader(_registry);
        _api = new KubernetesApi(_registry, _store, () => BaseAddress);
        _recordReads = options.RecordReads;
    }

    /// <summary>The server's address with a trailing slash, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress => _baseAddress ?? throw new InvalidOperationException("The emulator has not started.");

    /// <summary>Every request answered so far, in order.</summary>
    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_requestsGate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>The POST, PUT, PATCH and DELETE requests answered so far, in order.</summary>
    public IReadOnlyList<RecordedRequest> Mutations
    {
        get
        {
            lock (_requestsGate)
            {
                return [.. _mutations];
            }
        }
    }

    /// <summary>How many objects are stored.</summary>
    public int Count => _store.Count;

    /// <summary>Starts Kestrel on 127.0.0.1 with the given port (0 = a free port). Plain HTTP.</summary>
    public static Task<KubernetesApiEmulator> StartAsync(int port = 0, CancellationToken cancellationToken = default) =>
        StartAsync(new KubernetesApiEmulatorOptions { Port = port }, cancellationToken);

    public static async Task<KubernetesApiEmulator> StartAsync(KubernetesApiEmulatorOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var emulator = new KubernetesApiEmulator(options);
        foreach (var seed in options.Seeds)
        {
            if (Directory.Exists(seed))
            {
                emulator.LoadDirectory(seed);
            }
            else
            {
                emulator.LoadFile(seed);
            }
        }

        // The empty builder reads no appsettings or environment: the emulator runs inside test hosts that have their own.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(KubernetesApiEmulator).Assembly.GetName().Name });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 64 * 1024 * 1024;
            kestrel.Listen(IPAddress.Loopback, options.Port);
        });
        options.ConfigureLogging?.Invoke(builder.Logging);
        var app = builder.Build();
        app.Run(emulator.HandleAsync);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        emulator._app = app;
        emulator._baseAddress = new Uri(address.TrimEnd('/') + "/");
        emulator._logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("KubernetesEmulator");
        return emulator;
    }

    /// <summary>Serves another resource (or more versions of one), e.g. a custom resource a test needs.</summary>
    /// <param name="builtIn">Whether strategic merge patch is accepted; by default, true for Kubernetes' own groups.</param>
    public void RegisterResource(string group, IReadOnlyList<string> versions, string plural, string kind, bool namespaced, bool? builtIn = null)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(versions);
        ArgumentException.ThrowIfNullOrEmpty(plural);
        ArgumentException.ThrowIfNullOrEmpty(kind);
        _registry.Register(new ResourceType(group, [.. versions], plural, kind, namespaced, builtIn ?? ResourceType.IsBuiltInGroup(group)));
    }

    /// <summary>
    /// Loads real-format objects: YAML (multi-document) or JSON; a single object or a list (<c>List</c>, <c>PodList</c>,
    /// ...) whose items are added one by one. Namespaced objects without a namespace go to <paramref name="defaultNamespace"/>
    /// (<c>default</c> when null). All or nothing: a bad document loads none of the others.
    /// </summary>
    /// <exception cref="FormatException">The text is not YAML or JSON, or an object has no name.</exception>
    /// <exception cref="InvalidOperationException">An object's apiVersion/kind is not a served resource.</exception>
    public void Load(string yamlOrJson, string? defaultNamespace = null) => LoadFrom(yamlOrJson, defaultNamespace, "the loaded text");

    public void LoadFile(string path, string? defaultNamespace = null) => LoadFrom(File.ReadAllText(path), defaultNamespace, path);

    /// <summary>Loads every <c>*.yaml</c>, <c>*.yml</c> and <c>*.json</c> file under <paramref name="path"/>, in name order.</summary>
    public void LoadDirectory(string path)
    {
        var files = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetExtension(f).ToLowerInvariant() is ".yaml" or ".yml" or ".json")
            .Order(StringComparer.Ordinal);
        var all = new List<(ResourceType, JsonObject)>();
        foreach (var file in files)
        {
            all.AddRange(_loader.Parse(File.ReadAllText(file), null, file));
        }

        _store.Seed(all);
    }

    private void LoadFrom(string text, string? defaultNamespace, string source) => _store.Seed(_loader.Parse(text, defaultNamespace, source));

    /// <summary>Creates or replaces an object by (resource, namespace, name); the emulator keeps a copy.</summary>
    /// <exception cref="ArgumentException">The object has no apiVersion/kind of a served resource, or no name.</exception>
    public void Add(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var resource = _loader.Resolve(obj);
        var copy = (JsonObject)obj.DeepClone();
        if (copy["metadata"] is not JsonObject metadata || string.IsNullOrEmpty((string?)metadata["name"]))
        {
            throw new ArgumentException("The object has no metadata.name.", nameof(obj));
        }

        if (resource.Namespaced && string.IsNullOrEmpty((string?)metadata["namespace"]))
        {
            metadata["namespace"] = "default";
        }
        else if (!resource.Namespaced)
        {
            metadata.Remove("namespace");
        }

        _store.Seed([(resource, copy)]);
    }

    /// <summary>A copy of a stored object as served at <paramref name="apiVersion"/>, or null. A null namespace means
    /// <c>default</c> for namespaced resources and is ignored for cluster-scoped ones.</summary>
    public JsonObject? Find(string apiVersion, string kind, string? @namespace, string name)
    {
        var resource = _loader.FindByKind(apiVersion, kind);
        if (resource is null || _store.Get(resource, resource.Namespaced ? @namespace ?? "default" : null, name) is not { } obj)
        {
            return null;
        }

        obj["apiVersion"] = apiVersion;
        obj["kind"] = resource.Kind;
        return obj;
    }

    /// <summary>From now on, the (<paramref name="pages"/>+1)-th page of any list of <paramref name="plural"/> answers
    /// <paramref name="statusCode"/> with a Status body (0 fails the first page).</summary>
    public void FailListAfterPages(string plural, int pages, int statusCode = 500)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pages);
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 400);
        _store.FailListAfterPages(plural, pages, statusCode);
    }

    /// <summary>Continue tokens issued so far answer 410 Expired, as after an etcd compaction.</summary>
    public void ExpireContinueTokens() => _store.ExpireContinueTokens();

    public void ClearFaults() => _store.ClearFaults();

    /// <summary>Removes every object (registrations, recorded requests and faults stay).</summary>
    public void Clear() => _store.Clear();

    /// <summary>Forgets the recorded requests.</summary>
    public void ClearRequests()
    {
        lock (_requestsGate)
        {
            _requests.Clear();
            _mutations.Clear();
        }
    }

    /// <summary>Writes a kubeconfig (one cluster, user and context, selected as current) pointing at
    /// <see cref="BaseAddress"/>; returns <paramref name="path"/>. The user has a bearer token the emulator ignores:
    /// KubernetesClient refuses a kubeconfig user without credentials.</summary>
    public string WriteKubeconfig(string path, string contextName = "emulator")
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(contextName);
        var name = Quote(contextName);
        var server = Quote(BaseAddress.ToString().TrimEnd('/'));
        var text = $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: {name}
              cluster:
                server: {server}
            users:
            - name: {name}
              user:
                token: emulator
            contexts:
            - name: {name}
              context:
                cluster: {name}
                user: {name}
                namespace: default
            current-context: {name}
            preferences: {"{}"}

            """;
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        File.WriteAllText(path, text);
        return path;

        // A JSON string is a valid YAML double-quoted scalar.
        static string Quote(string value) => System.Text.Json.JsonSerializer.Serialize(value);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var request = context.Request;
        string? body = null;
        if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            body = await reader.ReadToEndAsync(context.RequestAborted);
        }

        var query = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, values) in request.Query)
        {
            query[key] = values.ToString();
        }

        var path = request.Path.Value ?? "/";
        var contentType = request.ContentType;
        var response = _api.Handle(new ApiRequest(request.Method, path, query, contentType, body));
        context.Response.StatusCode = response.StatusCode;
        context.Response.ContentType = response.ContentType;
        context.Response.ContentLength = response.Body.Length;
        await context.Response.Body.WriteAsync(response.Body, context.RequestAborted);

        var recorded = new RecordedRequest(request.Method, path, request.QueryString.HasValue ? request.QueryString.Value![1..] : "",
            contentType, body, response.StatusCode);
        lock (_requestsGate)
        {
            if (_recordReads || recorded.IsMutation)
            {
                _requests.Add(recorded);
            }

            if (recorded.IsMutation)
            {
                _mutations.Add(recorded);
            }
        }

        _logger.LogInformation("{Method} {Path}{Query} -> {StatusCode} ({ElapsedMs:0.0} ms)", request.Method, path,
            request.QueryString.Value, response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }
}
