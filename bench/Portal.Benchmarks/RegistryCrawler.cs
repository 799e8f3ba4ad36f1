using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using Portal.Core.Registry;

namespace Portal.Benchmarks;

/// <summary>
/// The baseline: the requests a full sync of an empty inventory makes (catalog pages, each repository's tags/list
/// pages, each tag's manifest with the manifest Accept types, each image's config blob) from a plain HttpClient
/// loop at the same concurrency, with nothing done to the answers beyond reading the config digest out of the
/// manifest. What the sync takes beyond this is the portal's own cost.
/// </summary>
internal sealed class RegistryCrawler(Uri registry, int concurrency, int pageSize, RequestCounter counter) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler()) { BaseAddress = new Uri(registry.ToString().TrimEnd('/') + "/") };
    private readonly SemaphoreSlim _slots = new(concurrency);

    /// <summary>
    /// With <paramref name="headOnly"/>, the requests of a no-change incremental sync instead: catalog, tags/list and
    /// one HEAD per tag; its time is the floor under any incremental sync that checks every tag's digest.
    /// </summary>
    public async Task<CrawlResult> CrawlAsync(bool headOnly, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var repositories = await ListPagedAsync($"v2/_catalog?n={pageSize}", "repositories", cancellationToken);
        var manifests = 0;
        long bytes = 0;
        // The same shape as the sync: repositories side by side, their tags side by side, the registry within the limit.
        await Parallel.ForEachAsync(repositories, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (repository, ct) =>
            {
                var tags = await ListPagedAsync($"v2/{repository}/tags/list?n={pageSize}", "tags", ct);
                await Parallel.ForEachAsync(tags, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = ct },
                    async (tag, tagCt) =>
                    {
                        if (headOnly)
                        {
                            await HeadAsync($"v2/{repository}/manifests/{tag}", tagCt);
                            Interlocked.Increment(ref manifests);
                            return;
                        }

                        var (manifest, _) = await GetAsync($"v2/{repository}/manifests/{tag}", MediaTypes.ManifestAcceptTypes, tagCt);
                        Interlocked.Increment(ref manifests);
                        Interlocked.Add(ref bytes, manifest.Length);
                        if (ConfigDigest(manifest) is { } config)
                        {
                            var (blob, _) = await GetAsync($"v2/{repository}/blobs/{config}", [], tagCt);
                            Interlocked.Add(ref bytes, blob.Length);
                        }
                    });
            });
        return new CrawlResult(clock.Elapsed, repositories.Count, manifests, bytes);
    }

    public void Dispose()
    {
        _http.Dispose();
        _slots.Dispose();
    }

    private async Task<List<string>> ListPagedAsync(string firstPage, string property, CancellationToken cancellationToken)
    {
        var items = new List<string>();
        for (string? page = firstPage; page is not null;)
        {
            var (body, next) = await GetAsync(page, [], cancellationToken);
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.TryGetProperty(property, out var names) && names.ValueKind == JsonValueKind.Array)
            {
                items.AddRange(names.EnumerateArray().Select(n => n.GetString()!));
            }

            page = next;
        }

        return items;
    }

    private async Task<(byte[] Body, string? NextPage)> GetAsync(string path, IReadOnlyList<string> accept, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        foreach (var type in accept)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        }

        await _slots.WaitAsync(cancellationToken);
        try
        {
            counter.Count(request.Method, new Uri(_http.BaseAddress!, path));
            using var response = await _http.SendAsync(request, cancellationToken);
            response.EnsureSuccessStatusCode();
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            return (body, NextPage(response));
        }
        finally
        {
            _slots.Release();
        }
    }

    private async Task HeadAsync(string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, path);
        foreach (var type in MediaTypes.ManifestAcceptTypes)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        }

        await _slots.WaitAsync(cancellationToken);
        try
        {
            counter.Count(request.Method, new Uri(_http.BaseAddress!, path));
            using var response = await _http.SendAsync(request, cancellationToken);
            response.EnsureSuccessStatusCode();
            _ = response.Headers.TryGetValues("Docker-Content-Digest", out _);
        }
        finally
        {
            _slots.Release();
        }
    }

    // Link: </v2/_catalog?last=x&n=1000>; rel="next"
    private static string? NextPage(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Link", out var links)
            ? links.Select(l => l.Split(';', StringSplitOptions.TrimEntries))
                .Where(parts => parts.Length > 1 && parts[1].Replace(" ", "", StringComparison.Ordinal) is "rel=\"next\"" or "rel=next")
                .Select(parts => parts[0].Trim('<', '>').TrimStart('/'))
                .FirstOrDefault()
            : null;

    private static string? ConfigDigest(byte[] manifest)
    {
        using var json = JsonDocument.Parse(manifest);
        return json.RootElement.TryGetProperty("config", out var config) && config.TryGetProperty("digest", out var digest)
            ? digest.GetString()
            : null;
    }
}

internal sealed record CrawlResult(TimeSpan Elapsed, int Repositories, int Manifests, long Bytes);
