using System.Data.Common;
using System.Diagnostics;

namespace Portal.Benchmarks;

/// <summary>
/// Times a page query the way the pages benchmarks do: a portal call and the raw SQL of the same query, each after
/// the same warm-up calls, the same number of timed calls, and the median reported.
/// </summary>
internal static class QueryTiming
{
    public const int WarmupCalls = 3;

    /// <summary>Warm-up calls, then the timed ones (with the SQL probe on, if given); the server time is the call's duration.</summary>
    public static async Task<(List<double> Times, T Result)> TimeAsync<T>(Func<Task<T>> call, int calls, SqlCommandProbe? sql, int warmups = WarmupCalls)
    {
        var result = default(T)!;
        for (var i = 0; i < warmups; i++)
        {
            result = await call();
        }

        sql?.Start();
        var times = new List<double>();
        for (var i = 0; i < calls; i++)
        {
            var started = Stopwatch.GetTimestamp();
            result = await call();
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        return (times, result);
    }

    /// <summary>
    /// The baseline: the same number of calls of one raw query through the provider's ADO.NET connection (pooled, a new
    /// one opened per call as the portal's contexts do, all rows read). Returns the row count and the first column of
    /// the last row when it is a number (a COUNT).
    /// </summary>
    public static async Task<(double MedianMs, int Rows, long Scalar)> TimeRawAsync(Func<DbConnection> connect, string sql,
        IReadOnlyList<(string Name, object Value)> parameters, int calls, CancellationToken cancellationToken, int warmups = WarmupCalls)
    {
        var times = new List<double>();
        var (rows, scalar) = (0, 0L);
        for (var i = 0; i < warmups + calls; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await using var connection = connect();
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
#pragma warning disable CA2100 // The SQL is the benchmark's own constant text; values are parameters.
            command.CommandText = sql;
#pragma warning restore CA2100
            foreach (var (name, value) in parameters)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                parameter.Value = value;
                command.Parameters.Add(parameter);
            }

            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            (rows, scalar) = (0, 0);
            while (await reader.ReadAsync(cancellationToken))
            {
                rows++;
                scalar = reader.GetFieldType(0) == typeof(long) ? reader.GetInt64(0) : 0;
                for (var f = 0; f < reader.FieldCount; f++)
                {
                    _ = reader.GetValue(f);
                }
            }

            if (i >= warmups)
            {
                times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }

        return (Stats.Median(times), rows, scalar);
    }
}
