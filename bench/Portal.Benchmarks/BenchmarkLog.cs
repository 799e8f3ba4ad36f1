namespace Portal.Benchmarks;

/// <summary>Progress lines of a benchmark run, each stamped with the wall-clock time for whoever watches a long run.</summary>
internal static class BenchmarkLog
{
    public static Task WriteAsync(TextWriter log, string message) => log.WriteLineAsync($"[{DateTime.Now:HH:mm:ss}] {message}");
}
