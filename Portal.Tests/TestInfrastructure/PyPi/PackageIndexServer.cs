using System.Globalization;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Portal.Tests.TestInfrastructure.PyPi;

/// <summary>
/// A package index for tests, in process on 127.0.0.1 and a free port, standing in for a remote's upstream.
/// <para>
/// It serves the simple repository API: <c>/simple/</c> lists the projects and <c>/simple/{project}/</c> their files,
/// as PEP 503 HTML with <c>#sha256=</c> fragments and <c>data-requires-python</c>, or as PEP 691 JSON when the Accept
/// header prefers <c>application/vnd.pypi.simple.v1+json</c> (pip does). File links are relative
/// (<c>../../packages/FILE</c>), so a gateway in front has to resolve them; the files are at <c>/packages/{file}</c>.
/// A project name that is not normalized is redirected to its normalized form, as PyPI does.
/// </para>
/// <para>
/// Tests also register bytes at any path (<see cref="Add"/>; such a path wins over a generated page, so a test can
/// serve a hand-made simple page), a status code for a path (<see cref="Respond"/>), and a delay before a path answers
/// (<see cref="Delay"/>). Every request is counted per path, so a test can assert that the upstream was asked once.
/// </para>
/// </summary>
public sealed class PackageIndexServer : IAsyncDisposable
{
    public const string Pep691Json = "application/vnd.pypi.simple.v1+json";
    public const string Pep691Html = "application/vnd.pypi.simple.v1+html";

    private const string SimplePrefix = "/simple/";
    private const string PackagesPrefix = "/packages/";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Content> _contents = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _statuses = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TimeSpan> _delays = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _requestCounts = new(StringComparer.Ordinal);

    // Normalized project name → its files; the lock guards the lists, which tests may add to while pip reads.
    private readonly Dictionary<string, List<IndexedFile>> _projects = new(StringComparer.Ordinal);
    private readonly Lock _projectsLock = new();

    private PackageIndexServer(WebApplication app)
    {
        _app = app;
    }

    /// <summary>"http://127.0.0.1:PORT/": the remote's upstream base URL.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>"http://127.0.0.1:PORT/simple/": what pip's --index-url points at.</summary>
    public Uri IndexUrl => new(BaseUrl, "simple/");

    /// <summary>
    /// Whether PEP 691 JSON is served to clients that prefer it (the default); when false the index answers HTML only,
    /// as older indexes do, so pip reads the PEP 503 form.
    /// </summary>
    public bool OffersJson { get; set; } = true;

    public static async Task<PackageIndexServer> StartAsync(CancellationToken cancellationToken = default)
    {
        // An empty builder: no appsettings, environment variables or logging from the test host leak in.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new PackageIndexServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync(cancellationToken);
        server.BaseUrl = new Uri(app.Urls.Single().TrimEnd('/') + "/");
        return server;
    }

    /// <summary>Publishes a built project's wheel and sdist.</summary>
    public void AddPackage(BuiltPythonPackage package)
    {
        ArgumentNullException.ThrowIfNull(package);
        foreach (var file in package.Files)
        {
            AddDistribution(package.Name, File.ReadAllBytes(file), Path.GetFileName(file), package.RequiresPython);
        }
    }

    /// <summary>
    /// Publishes one distribution file of <paramref name="project"/> at <c>/packages/{fileName}</c> and lists it on the
    /// project's page; <paramref name="yanked"/> marks it yanked (PEP 592) with that reason ("" for none).
    /// </summary>
    public void AddDistribution(string project, byte[] content, string fileName, string? requiresPython = null, string? yanked = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (fileName.Length == 0 || fileName.IndexOfAny(['/', '\\', '#', '?']) >= 0)
        {
            throw new ArgumentException($"'{fileName}' is not a distribution file name.", nameof(fileName));
        }

        Add(PackagesPrefix + fileName, content);
        var file = new IndexedFile(fileName, Convert.ToHexStringLower(SHA256.HashData(content)), content.Length, requiresPython, yanked);
        lock (_projectsLock)
        {
            var key = SimpleIndexNames.Normalize(project);
            if (!_projects.TryGetValue(key, out var files))
            {
                _projects[key] = files = [];
            }

            files.RemoveAll(f => f.FileName == fileName);
            files.Add(file);
        }
    }

    /// <summary>Serves <paramref name="content"/> at <paramref name="path"/> (e.g. "/files/eicar.txt"), replacing what was there.</summary>
    public void Add(string path, byte[] content, string contentType = "application/octet-stream")
    {
        ArgumentNullException.ThrowIfNull(content);
        _contents[Rooted(path)] = new Content(content, contentType);
    }

    /// <summary>Answers <paramref name="path"/> with <paramref name="statusCode"/> and no body, whatever is there; null undoes it.</summary>
    public void Respond(string path, int? statusCode)
    {
        if (statusCode is { } status)
        {
            _statuses[Rooted(path)] = status;
        }
        else
        {
            _statuses.TryRemove(Rooted(path), out _);
        }
    }

    /// <summary>Waits <paramref name="delay"/> before answering <paramref name="path"/> (counted on arrival, before the wait).</summary>
    public void Delay(string path, TimeSpan delay) => _delays[Rooted(path)] = delay;

    /// <summary>How many requests arrived for <paramref name="path"/> (any method, any outcome).</summary>
    public int RequestCount(string path) => _requestCounts.TryGetValue(Rooted(path), out var count) ? count : 0;

    /// <summary>Every path asked for so far with its request count.</summary>
    public IReadOnlyDictionary<string, int> RequestCounts => new Dictionary<string, int>(_requestCounts, StringComparer.Ordinal);

    public void ResetRequestCounts() => _requestCounts.Clear();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        _requestCounts.AddOrUpdate(path, 1, (_, count) => count + 1);
        if (_delays.TryGetValue(path, out var delay))
        {
            await Task.Delay(delay, context.RequestAborted);
        }

        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }

        if (_statuses.TryGetValue(path, out var status))
        {
            context.Response.StatusCode = status;
            return;
        }

        if (_contents.TryGetValue(path, out var content))
        {
            await WriteAsync(context, content.Bytes, content.ContentType);
            return;
        }

        if (path == SimplePrefix)
        {
            await WriteRootAsync(context);
            return;
        }

        if (path.StartsWith(SimplePrefix, StringComparison.Ordinal))
        {
            await WriteProjectAsync(context, path[SimplePrefix.Length..]);
            return;
        }

        context.Response.StatusCode = path == "/simple" ? StatusCodes.Status301MovedPermanently : StatusCodes.Status404NotFound;
        if (path == "/simple")
        {
            context.Response.Headers.Location = SimplePrefix;
        }
    }

    private async Task WriteRootAsync(HttpContext context)
    {
        List<string> names;
        lock (_projectsLock)
        {
            names = [.. _projects.Keys.Order(StringComparer.Ordinal)];
        }

        if (OffersJson && PrefersJson(context.Request))
        {
            await WriteJsonAsync(context, new Dictionary<string, object>
            {
                ["meta"] = new Dictionary<string, string> { ["api-version"] = "1.0" },
                ["projects"] = names.Select(name => new Dictionary<string, string> { ["name"] = name }).ToList(),
            });
            return;
        }

        var html = new StringBuilder(HtmlHead("Simple index"));
        foreach (var name in names)
        {
            html.Append(CultureInfo.InvariantCulture, $"    <a href=\"{Encode(name)}/\">{Encode(name)}</a>\n");
        }

        await WriteHtmlAsync(context, html.Append(HtmlFoot).ToString());
    }

    private async Task WriteProjectAsync(HttpContext context, string rest)
    {
        var name = rest.TrimEnd('/');
        var normalized = SimpleIndexNames.Normalize(name);
        if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        List<IndexedFile> files;
        lock (_projectsLock)
        {
            if (!_projects.TryGetValue(normalized, out var listed))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            files = [.. listed.OrderBy(f => f.FileName, StringComparer.Ordinal)];
        }

        if (rest != normalized + "/")
        {
            // PyPI's answer to "/simple/Tiny_Pkg" and to a missing trailing slash alike.
            context.Response.StatusCode = StatusCodes.Status301MovedPermanently;
            context.Response.Headers.Location = $"{SimplePrefix}{normalized}/";
            return;
        }

        if (OffersJson && PrefersJson(context.Request))
        {
            await WriteJsonAsync(context, new Dictionary<string, object>
            {
                ["meta"] = new Dictionary<string, string> { ["api-version"] = "1.0" },
                ["name"] = normalized,
                ["files"] = files.Select(f =>
                {
                    var entry = new Dictionary<string, object>
                    {
                        ["filename"] = f.FileName,
                        ["url"] = FileHref(f.FileName),
                        ["hashes"] = new Dictionary<string, string> { ["sha256"] = f.Sha256 },
                        ["size"] = f.Size,
                    };
                    if (f.RequiresPython is not null)
                    {
                        entry["requires-python"] = f.RequiresPython;
                    }

                    entry["yanked"] = f.Yanked is null ? false : f.Yanked.Length == 0 ? true : f.Yanked;
                    return entry;
                }).ToList(),
            });
            return;
        }

        var html = new StringBuilder(HtmlHead($"Links for {normalized}"));
        foreach (var file in files)
        {
            html.Append(CultureInfo.InvariantCulture, $"    <a href=\"{Encode(FileHref(file.FileName))}#sha256={file.Sha256}\"");
            if (file.RequiresPython is not null)
            {
                html.Append(CultureInfo.InvariantCulture, $" data-requires-python=\"{Encode(file.RequiresPython)}\"");
            }

            if (file.Yanked is not null)
            {
                html.Append(CultureInfo.InvariantCulture, $" data-yanked=\"{Encode(file.Yanked)}\"");
            }

            html.Append(CultureInfo.InvariantCulture, $">{Encode(file.FileName)}</a><br />\n");
        }

        await WriteHtmlAsync(context, html.Append(HtmlFoot).ToString());
    }

    /// <summary>
    /// Which form a client asked for: PEP 691 JSON when it weighs the JSON type (or its "latest" alias) above both
    /// HTML types; HTML otherwise, also without an Accept header and for "*/*" alone.
    /// </summary>
    private static bool PrefersJson(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accepted))
        {
            return false;
        }

        double Quality(string type) => accepted
            .Where(a => a.MatchesAllTypes || a.MediaType.Equals(type, StringComparison.OrdinalIgnoreCase)
                || (a.MatchesAllSubTypes && type.StartsWith(a.Type.Value + "/", StringComparison.OrdinalIgnoreCase)))
            .Select(a => a.Quality ?? 1.0)
            .DefaultIfEmpty(0)
            .Max();

        var json = Math.Max(Quality(Pep691Json), Quality("application/vnd.pypi.simple.latest+json"));
        return json > 0 && json > Quality(Pep691Html) && json > Quality("text/html");
    }

    // Relative to the project page, as devpi and other indexes write them: clients must resolve them.
    private static string FileHref(string fileName) => $"../..{PackagesPrefix}{Uri.EscapeDataString(fileName)}";

    private static string HtmlHead(string title) =>
        $"<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"1.0\">\n"
        + $"    <title>{Encode(title)}</title>\n  </head>\n  <body>\n    <h1>{Encode(title)}</h1>\n";

    private const string HtmlFoot = "  </body>\n</html>\n";

    private static Task WriteHtmlAsync(HttpContext context, string html)
    {
        context.Response.Headers.Vary = "Accept";
        return WriteAsync(context, Encoding.UTF8.GetBytes(html), "text/html; charset=utf-8");
    }

    private static Task WriteJsonAsync(HttpContext context, object page)
    {
        context.Response.Headers.Vary = "Accept";
        return WriteAsync(context, JsonSerializer.SerializeToUtf8Bytes(page), Pep691Json);
    }

    private static async Task WriteAsync(HttpContext context, byte[] body, string contentType)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
        }
    }

    private static string Rooted(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return path.StartsWith('/') ? path : "/" + path;
    }

    private static string Encode(string value) => WebUtility.HtmlEncode(value);

    private sealed record Content(byte[] Bytes, string ContentType);

    private sealed record IndexedFile(string FileName, string Sha256, long Size, string? RequiresPython, string? Yanked);
}
