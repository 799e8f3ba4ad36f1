using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Portal.Core.Inventory;
using Portal.Core.Registry;

namespace Portal.Integrations.Registry;

/// <summary>
/// An OCI Distribution API client for one registry: catalog and tags with Link-header paging, manifests and config
/// blobs with their digests checked, and whatever authentication the registry asks for (Basic, or the Bearer token
/// challenge that ACR, Harbor and Docker Hub use). At most <see cref="RegistryEndpoint.MaxConcurrency"/> requests
/// run at once against the registry.
/// </summary>
internal sealed class RegistryClient(HttpClient http, RegistryEndpoint endpoint, int pageSize) : IRegistryClient, IDisposable
{
    // The distribution spec caps manifests at 4 MiB; configs are far smaller. Anything bigger is refused, not buffered.
    private const int MaxDocumentBytes = 4 * 1024 * 1024;
    private const string CatalogScope = "registry:catalog:*";

    private readonly SemaphoreSlim _slots = new(endpoint.MaxConcurrency);
    private readonly ConcurrentDictionary<string, string> _tokens = new(StringComparer.Ordinal);
    private readonly Uri _base = new(endpoint.Url.ToString().TrimEnd('/') + "/");
    private volatile bool _useBasic;

    public async Task PingAsync(CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, "v2/", scope: null, accept: null, cancellationToken);
        EnsureSuccess(response, "the registry's /v2/ endpoint");
    }

    public Task<IReadOnlyList<string>> ListRepositoriesAsync(CancellationToken cancellationToken) =>
        ListPagedAsync($"v2/_catalog?n={pageSize}", "repositories", CatalogScope, "the catalog", cancellationToken);

    public async Task<IReadOnlyList<string>> ListTagsAsync(string repository, CancellationToken cancellationToken)
    {
        try
        {
            return await ListPagedAsync($"v2/{repository}/tags/list?n={pageSize}", "tags", PullScope(repository),
                $"the tags of {repository}", cancellationToken);
        }
        catch (RegistryException ex) when (ex.StatusCode == 404)
        {
            // The repository went away between the catalog and this call.
            return [];
        }
    }

    public async Task<Digest?> HeadManifestAsync(string repository, string reference, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Head, ManifestPath(repository, reference), PullScope(repository),
            MediaTypes.ManifestAcceptTypes, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        EnsureSuccess(response, $"manifest {repository}:{reference}");
        return response.Headers.TryGetValues("Docker-Content-Digest", out var values)
               && Digest.TryParse(values.FirstOrDefault(), out var digest)
            ? digest
            : null;
    }

    public async Task<FetchedManifest> GetManifestAsync(string repository, string reference, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, ManifestPath(repository, reference), PullScope(repository),
            MediaTypes.ManifestAcceptTypes, cancellationToken);
        EnsureSuccess(response, $"manifest {repository}:{reference}");
        var body = await ReadBoundedAsync(response, $"manifest {repository}:{reference}", cancellationToken);
        var digest = Digest.Sha256Of(body);

        // A registry that hands back other bytes than the digest it names (or than the digest asked for) is not trusted.
        if (response.Headers.TryGetValues("Docker-Content-Digest", out var values)
            && Digest.TryParse(values.FirstOrDefault(), out var stated) && stated.Algorithm == "sha256" && stated != digest)
        {
            throw new RegistryException($"Manifest {repository}:{reference} does not match the digest the registry stated ({stated}).");
        }

        if (Digest.TryParse(reference, out var requested) && requested.Algorithm == "sha256" && requested != digest)
        {
            throw new RegistryException($"Manifest {repository}@{reference} came back with different content ({digest}).");
        }

        var manifest = ManifestParser.Parse(body, response.Content.Headers.ContentType?.ToString());
        return new FetchedManifest(digest, manifest);
    }

    public async Task<ImageConfig> GetConfigAsync(string repository, Digest digest, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, $"v2/{repository}/blobs/{digest}", PullScope(repository),
            accept: null, cancellationToken);
        EnsureSuccess(response, $"config blob {digest} of {repository}");
        var body = await ReadBoundedAsync(response, $"config blob {digest}", cancellationToken);
        if (digest.Algorithm == "sha256" && Digest.Sha256Of(body) != digest)
        {
            throw new RegistryException($"Config blob {digest} of {repository} does not match its digest.");
        }

        return ImageConfigParser.Parse(body);
    }

    public async Task<Stream> OpenBlobAsync(string repository, Digest digest, CancellationToken cancellationToken)
    {
        var response = await SendAsync(HttpMethod.Get, $"v2/{repository}/blobs/{digest}", PullScope(repository),
            accept: null, cancellationToken);
        try
        {
            EnsureSuccess(response, $"blob {digest} of {repository}");
            var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            return new ResponseStream(body, response);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    public async Task<ManifestDeletion> DeleteManifestAsync(string repository, string reference, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Delete, ManifestPath(repository, reference), $"repository:{repository}:delete",
            accept: null, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return ManifestDeletion.NotFound;
        }

        // UNSUPPORTED (405) is what Distribution answers a tag DELETE, or any DELETE with deletes switched off; some
        // registries say it with a 400.
        if (response.StatusCode == HttpStatusCode.MethodNotAllowed
            || (response.StatusCode == HttpStatusCode.BadRequest && await IsUnsupportedAsync(response, cancellationToken)))
        {
            return ManifestDeletion.Unsupported;
        }

        EnsureSuccess(response, $"deleting manifest {repository}:{reference}");
        return ManifestDeletion.Deleted;
    }

    public void Dispose() => _slots.Dispose();

    private static async Task<bool> IsUnsupportedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await ReadBoundedAsync(response, "an error", cancellationToken);
        return Encoding.UTF8.GetString(body).Contains("UNSUPPORTED", StringComparison.Ordinal);
    }

    private async Task<IReadOnlyList<string>> ListPagedAsync(
        string firstPage, string property, string scope, string what, CancellationToken cancellationToken)
    {
        var items = new List<string>();
        var seenPages = new HashSet<string>(StringComparer.Ordinal);
        for (string? page = firstPage; page is not null;)
        {
            if (!seenPages.Add(page))
            {
                throw new RegistryException($"The registry's paging of {what} loops back to {page}.");
            }

            using var response = await SendAsync(HttpMethod.Get, page, scope, accept: null, cancellationToken);
            EnsureSuccess(response, what);
            var body = await ReadBoundedAsync(response, what, cancellationToken);
            items.AddRange(ReadNames(body, property, what));
            page = NextPage(response);
        }

        return items;
    }

    private static IEnumerable<string> ReadNames(byte[] body, string property, string what)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            if (!json.RootElement.TryGetProperty(property, out var names) || names.ValueKind == JsonValueKind.Null)
            {
                return [];
            }

            return names.EnumerateArray().Select(n => n.GetString() ?? throw new JsonException($"a null entry in {property}")).ToList();
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new RegistryException($"The registry's answer for {what} is not the expected JSON: {ex.Message}");
        }
    }

    /// <summary>Reads <c>Link: &lt;/v2/...?last=x&amp;n=100&gt;; rel="next"</c>; relative to the registry.</summary>
    private string? NextPage(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var links))
        {
            return null;
        }

        foreach (var link in links.SelectMany(l => l.Split(',')))
        {
            var parts = link.Split(';', StringSplitOptions.TrimEntries);
            if (parts.Length < 2 || !parts.Skip(1).Any(p => p.Replace(" ", "", StringComparison.Ordinal) is "rel=\"next\"" or "rel=next"))
            {
                continue;
            }

            var target = parts[0].Trim('<', '>', ' ');
            var absolute = new Uri(_base, target);
            if (!string.Equals(absolute.Authority, _base.Authority, StringComparison.OrdinalIgnoreCase))
            {
                throw new RegistryException($"The registry's next page points at another host ({absolute.Authority}).");
            }

            return absolute.PathAndQuery.TrimStart('/');
        }

        return null;
    }

    private async Task<HttpResponseMessage> SendAsync(
        HttpMethod method, string path, string? scope, IReadOnlyList<string>? accept, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        try
        {
            var response = await SendOnceAsync(method, path, scope, accept, cancellationToken);
            if (response.StatusCode != HttpStatusCode.Unauthorized)
            {
                return response;
            }

            var challenge = response.Headers.WwwAuthenticate.FirstOrDefault();
            response.Dispose();
            await AnswerChallengeAsync(challenge, scope, cancellationToken);
            response = await SendOnceAsync(method, path, scope, accept, cancellationToken);
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                response.Dispose();
                throw new RegistryAuthenticationException(
                    endpoint.Username is null
                        ? "The registry requires credentials; none are configured."
                        : $"The registry refused the credentials of '{endpoint.Username}'.",
                    401);
            }

            return response;
        }
        catch (HttpRequestException ex)
        {
            throw new RegistryException($"The registry at {endpoint.Url} could not be reached: {ex.Message}", null, ex);
        }
        finally
        {
            _slots.Release();
        }
    }

    private async Task<HttpResponseMessage> SendOnceAsync(
        HttpMethod method, string path, string? scope, IReadOnlyList<string>? accept, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(_base, path));
        foreach (var type in accept ?? [])
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        }

        if (scope is not null && _tokens.TryGetValue(scope, out var token))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        else if (_useBasic && endpoint.Username is not null)
        {
            request.Headers.Authorization = BasicCredentials();
        }

        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    private async Task AnswerChallengeAsync(AuthenticationHeaderValue? challenge, string? scope, CancellationToken cancellationToken)
    {
        if (challenge is null)
        {
            throw new RegistryAuthenticationException("The registry answered 401 without saying how to authenticate.", 401);
        }

        if (string.Equals(challenge.Scheme, "Basic", StringComparison.OrdinalIgnoreCase))
        {
            if (endpoint.Username is null)
            {
                throw new RegistryAuthenticationException("The registry requires a user name and password; none are configured.", 401);
            }

            _useBasic = true;
            return;
        }

        if (!string.Equals(challenge.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase))
        {
            throw new RegistryAuthenticationException($"The registry asks for '{challenge.Scheme}' authentication, which is not supported.", 401);
        }

        var parameters = BearerChallenge.Parse(challenge.Parameter);
        if (!parameters.TryGetValue("realm", out var realm) || !Uri.TryCreate(realm, UriKind.Absolute, out var realmUri)
            || (realmUri.Scheme != Uri.UriSchemeHttps && realmUri.Scheme != Uri.UriSchemeHttp))
        {
            throw new RegistryAuthenticationException("The registry's Bearer challenge has no usable realm.", 401);
        }

        // The scope the registry names is the one it will check; fall back to ours when it names none.
        var tokenScope = parameters.GetValueOrDefault("scope") ?? scope;
        var query = new StringBuilder(realm.Contains('?', StringComparison.Ordinal) ? "&" : "?");
        if (parameters.TryGetValue("service", out var service))
        {
            query.Append("service=").Append(Uri.EscapeDataString(service)).Append('&');
        }

        if (tokenScope is not null)
        {
            query.Append("scope=").Append(Uri.EscapeDataString(tokenScope));
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, realm + query.ToString().TrimEnd('&', '?'));
        if (endpoint.Username is not null)
        {
            request.Headers.Authorization = BasicCredentials();
        }

        using var response = await http.SendAsync(request, cancellationToken);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new RegistryAuthenticationException(
                endpoint.Username is null
                    ? "The registry's token service requires credentials; none are configured."
                    : $"The registry's token service refused the credentials of '{endpoint.Username}'.",
                (int)response.StatusCode);
        }

        EnsureSuccess(response, "the registry's token service");
        var body = await ReadBoundedAsync(response, "the token", cancellationToken);
        using var json = JsonDocument.Parse(body);
        var token = (json.RootElement.TryGetProperty("token", out var t) ? t.GetString() : null)
            ?? (json.RootElement.TryGetProperty("access_token", out var a) ? a.GetString() : null)
            ?? throw new RegistryAuthenticationException("The registry's token service answered without a token.", (int)response.StatusCode);
        _tokens[scope ?? tokenScope ?? ""] = token;
    }

    private AuthenticationHeaderValue BasicCredentials() =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{endpoint.Username}:{endpoint.Secret}")));

    private static async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        var length = response.Content.Headers.ContentLength;
        if (length > MaxDocumentBytes)
        {
            throw new RegistryException($"{what} is larger than {MaxDocumentBytes / (1024 * 1024)} MiB; refusing to read it.");
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        if (length is { } exact)
        {
            // The usual case: read exactly what the registry announced, with no intermediate buffers.
            var body = new byte[exact];
            await stream.ReadExactlyAsync(body, cancellationToken);
            return body;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16_384];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxDocumentBytes)
            {
                throw new RegistryException($"{what} is larger than {MaxDocumentBytes / (1024 * 1024)} MiB; refusing to read it.");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static void EnsureSuccess(HttpResponseMessage response, string what)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var status = (int)response.StatusCode;
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new RegistryAuthenticationException($"The registry refused access to {what} ({status}).", status);
        }

        throw new RegistryException($"The registry answered {status} {response.ReasonPhrase} for {what}.", status);
    }

    private static string ManifestPath(string repository, string reference) => $"v2/{repository}/manifests/{reference}";

    private static string PullScope(string repository) => $"repository:{repository}:pull";
}

/// <summary>A response body that disposes its response (and so returns the connection) when it is disposed.</summary>
internal sealed class ResponseStream(Stream body, HttpResponseMessage response) : ReadOnlyStream
{
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        body.ReadAsync(buffer, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            body.Dispose();
            response.Dispose();
        }

        base.Dispose(disposing);
    }
}
