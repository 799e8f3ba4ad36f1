using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Portal.Tests.TestInfrastructure.Registry;

/// <summary>One access entry of a registry token: e.g. repository "team/app" with actions pull and push.</summary>
public sealed record TokenAccess(string Type, string Name, IReadOnlyList<string> Actions)
{
    /// <summary>Parses a scope as clients send it: "repository:team/app:pull,push" or "registry:catalog:*".</summary>
    public static TokenAccess ParseScope(string scope)
    {
        // The name may itself hold a colon (a host:port prefix), so type is before the first colon and actions after
        // the last one, as the distribution project parses it.
        var first = scope.IndexOf(':', StringComparison.Ordinal);
        var last = scope.LastIndexOf(':');
        if (first <= 0 || last == first)
        {
            throw new FormatException($"Not a registry scope: '{scope}'.");
        }

        var type = scope[..first];
        var bracket = type.IndexOf('(', StringComparison.Ordinal); // "repository(plugin)": the class is not checked here
        return new TokenAccess(
            bracket < 0 ? type : type[..bracket],
            scope[(first + 1)..last],
            scope[(last + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}

/// <summary>One request the token server answered: who asked (null when anonymous), the scopes and the outcome.</summary>
public sealed record TokenRequest(string? Username, IReadOnlyList<string> Scopes, bool Issued);

/// <summary>
/// A Docker token server (the "realm" of registry token auth), in process on a free loopback port.
/// <para>
/// <c>GET /token?service=S&amp;scope=repository:NAME:pull,push</c> (scope may repeat), with basic credentials, answers
/// <c>{"token","access_token","expires_in","issued_at"}</c>. <c>POST /token</c> takes the OAuth2 password grant
/// (form fields grant_type=password, username, password, service, scope separated by spaces). Tokens are JWTs signed
/// RS256 with a self-signed certificate, sent in the <c>x5c</c> header so the registry can check them against
/// <see cref="CertificatePem"/> (its <c>rootcertbundle</c>).
/// </para>
/// <para>
/// Known credentials get every action they ask for; anonymous requests get 401 unless <c>allowAnonymousPull</c>, then
/// only <c>pull</c>; wrong credentials always get 401. Every request is recorded, so tests can assert that a client
/// went through the challenge flow and asked for the scopes it should.
/// </para>
/// </summary>
public sealed class RegistryTokenServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly RSA _key;
    private readonly X509Certificate2 _certificate;
    private readonly RegistryCredentials? _credentials;
    private readonly bool _allowAnonymousPull;
    private readonly TimeSpan _tokenLifetime;
    private readonly ConcurrentQueue<TokenRequest> _requests = new();
    private int _tokensIssued;

    private RegistryTokenServer(WebApplication app, string service, RegistryCredentials? credentials, bool allowAnonymousPull,
        TimeSpan tokenLifetime)
    {
        _app = app;
        Service = service;
        _credentials = credentials;
        _allowAnonymousPull = allowAnonymousPull;
        _tokenLifetime = tokenLifetime;
        _key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={Issuer}", _key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        // Valid from an hour ago: the registry checks the certificate's validity with its own clock.
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(2));
        CertificatePem = _certificate.ExportCertificatePem();
    }

    /// <summary>The token endpoint, the registry's <c>auth.token.realm</c>: "http://127.0.0.1:PORT/token".</summary>
    public string Realm { get; private set; } = "";

    /// <summary>The registry's name in tokens (<c>aud</c>) and in its challenges (<c>service</c>).</summary>
    public string Service { get; }

    /// <summary>The token's <c>iss</c>; the registry's <c>auth.token.issuer</c> must be the same.</summary>
    public string Issuer => "portal-test-token-server";

    /// <summary>The signing certificate in PEM, for the registry's <c>auth.token.rootcertbundle</c>.</summary>
    public string CertificatePem { get; }

    /// <summary>How many tokens the endpoint handed out (tokens minted with <see cref="CreateToken"/> do not count).</summary>
    public int TokensIssued => Volatile.Read(ref _tokensIssued);

    /// <summary>Every request to the endpoint, in order, including refused ones.</summary>
    public IReadOnlyList<TokenRequest> Requests => [.. _requests];

    /// <summary>Every scope asked for, in order (e.g. "repository:team/app:pull", "registry:catalog:*").</summary>
    public IReadOnlyList<string> RequestedScopes => [.. _requests.SelectMany(r => r.Scopes)];

    public static async Task<RegistryTokenServer> StartAsync(string service, RegistryCredentials? credentials,
        bool allowAnonymousPull, TimeSpan tokenLifetime, CancellationToken cancellationToken = default)
    {
        // An empty builder: no appsettings, environment variables or logging from the test host leak in.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new RegistryTokenServer(app, service, credentials, allowAnonymousPull, tokenLifetime);
        app.Run(server.HandleAsync);
        await app.StartAsync(cancellationToken);
        server.Realm = app.Urls.Single().TrimEnd('/') + "/token";
        return server;
    }

    /// <summary>Forgets the recorded requests and the count, e.g. after seeding a registry.</summary>
    public void ResetRecording()
    {
        _requests.Clear();
        Interlocked.Exchange(ref _tokensIssued, 0);
    }

    /// <summary>
    /// Mints a token without going through the endpoint, so it is neither counted nor recorded. The pusher uses this
    /// to seed a registry without disturbing what tests assert about the client under test.
    /// </summary>
    public string CreateToken(string subject, IEnumerable<TokenAccess> access, TimeSpan? lifetime = null)
    {
        var now = DateTimeOffset.UtcNow;
        var header = new Dictionary<string, object>
        {
            ["typ"] = "JWT",
            ["alg"] = "RS256",
            // Registry 2.8 finds the signing key through x5c (or a libtrust "kid"); x5c is plain base64 DER, not base64url.
            ["x5c"] = new[] { Convert.ToBase64String(_certificate.RawData) },
        };
        var claims = new Dictionary<string, object>
        {
            ["iss"] = Issuer,
            ["sub"] = subject,
            // A single string: registry 2.8 reads "aud" into a string and rejects a token whose aud is an array.
            ["aud"] = Service,
            ["exp"] = (now + (lifetime ?? _tokenLifetime)).ToUnixTimeSeconds(),
            // A little in the past, in case the registry's clock is behind ours (it adds 60 s leeway of its own).
            ["nbf"] = now.AddSeconds(-30).ToUnixTimeSeconds(),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["access"] = access.Select(a => new Dictionary<string, object>
            {
                ["type"] = a.Type,
                ["name"] = a.Name,
                ["actions"] = a.Actions,
            }).ToArray(),
        };
        var signedPart = $"{Base64Url(JsonSerializer.SerializeToUtf8Bytes(header))}.{Base64Url(JsonSerializer.SerializeToUtf8Bytes(claims))}";
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signedPart), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{signedPart}.{Base64Url(signature)}";
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _certificate.Dispose();
        _key.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (context.Request.Path != "/token")
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        string? service;
        string[] scopes;
        (string Username, string Password)? presented;
        if (HttpMethods.IsGet(context.Request.Method))
        {
            service = context.Request.Query["service"];
            scopes = [.. context.Request.Query["scope"].SelectMany(s => (s ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))];
            presented = BasicCredentials(context.Request);
        }
        else if (HttpMethods.IsPost(context.Request.Method) && context.Request.HasFormContentType)
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted);
            if (form["grant_type"] != "password")
            {
                await WriteErrorAsync(context, StatusCodes.Status400BadRequest, "unsupported_grant_type", "only the password grant is supported");
                return;
            }

            service = form["service"];
            scopes = ((string?)form["scope"] ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            presented = (form["username"].ToString(), form["password"].ToString());
        }
        else
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }

        var authenticated = presented is { } p && _credentials is not null
            && p.Username == _credentials.Username && p.Password == _credentials.Password;
        var anonymous = presented is null;
        if (!authenticated && !(anonymous && _allowAnonymousPull))
        {
            _requests.Enqueue(new TokenRequest(presented?.Username, scopes, Issued: false));
            context.Response.Headers.WWWAuthenticate = $"Basic realm=\"{Realm}\"";
            await WriteErrorAsync(context, StatusCodes.Status401Unauthorized, "UNAUTHORIZED",
                anonymous ? "authentication required" : "incorrect username or password");
            return;
        }

        if (service != Service)
        {
            _requests.Enqueue(new TokenRequest(presented?.Username, scopes, Issued: false));
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, "invalid_request", $"unknown service '{service}'");
            return;
        }

        List<TokenAccess> access;
        try
        {
            access = [.. scopes.Select(TokenAccess.ParseScope)
                .Select(a => authenticated ? a : a with { Actions = [.. a.Actions.Where(action => action == "pull")] })];
        }
        catch (FormatException e)
        {
            _requests.Enqueue(new TokenRequest(presented?.Username, scopes, Issued: false));
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, "invalid_scope", e.Message);
            return;
        }

        var token = CreateToken(authenticated ? presented!.Value.Username : "", access);
        Interlocked.Increment(ref _tokensIssued);
        _requests.Enqueue(new TokenRequest(presented?.Username, scopes, Issued: true));
        await context.Response.WriteAsJsonAsync(new Dictionary<string, object>
        {
            // Both names: the Docker protocol says "token", OAuth2 clients read "access_token".
            ["token"] = token,
            ["access_token"] = token,
            ["expires_in"] = (int)_tokenLifetime.TotalSeconds,
            ["issued_at"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        }, context.RequestAborted);
    }

    private static (string Username, string Password)? BasicCredentials(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
        }
        catch (FormatException)
        {
            return ("", "");  // present but unreadable: treated as wrong credentials, not as anonymous
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? (decoded, "") : (decoded[..colon], decoded[(colon + 1)..]);
    }

    private static Task WriteErrorAsync(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(
            new { errors = new[] { new { code, message } } }, context.RequestAborted);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
