using System.Collections.Concurrent;

namespace Portal.Benchmarks;

/// <summary>Counts registry requests by kind, so the portal's requests can be set beside the baseline loop's.</summary>
internal sealed class RequestCounter
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

    public static IReadOnlyList<string> Kinds { get; } =
        ["GET _catalog", "GET tags/list", "GET manifest", "HEAD manifest", "GET blob", "other"];

    public void Count(HttpMethod method, Uri? uri) => _counts.AddOrUpdate(Kind(method, uri?.AbsolutePath ?? ""), 1, (_, n) => n + 1);

    public IReadOnlyDictionary<string, int> Snapshot() => new Dictionary<string, int>(_counts, StringComparer.Ordinal);

    public void Reset() => _counts.Clear();

    public int Total => _counts.Values.Sum();

    private static string Kind(HttpMethod method, string path) => (method.Method, path) switch
    {
        ("GET", _) when path.EndsWith("/_catalog", StringComparison.Ordinal) => "GET _catalog",
        ("GET", _) when path.EndsWith("/tags/list", StringComparison.Ordinal) => "GET tags/list",
        ("GET", _) when path.Contains("/manifests/", StringComparison.Ordinal) => "GET manifest",
        ("HEAD", _) when path.Contains("/manifests/", StringComparison.Ordinal) => "HEAD manifest",
        ("GET", _) when path.Contains("/blobs/", StringComparison.Ordinal) => "GET blob",
        _ => "other",
    };
}

/// <summary>Sits innermost in the portal's registry HttpClient pipeline, so every attempt (retries too) is counted.</summary>
internal sealed class CountingHandler(RequestCounter counter) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        counter.Count(request.Method, request.RequestUri);
        return base.SendAsync(request, cancellationToken);
    }
}
