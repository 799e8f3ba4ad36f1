using System.Data.Common;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Findings;
using Portal.Data;

namespace Portal.Benchmarks;

/// <summary>
/// The floor of a findings ingestion: a report's findings written as new rows of the same table (same columns and
/// indexes, in a fresh portal database of its own, on a connection the portal's context opened, so with its connection
/// settings), plus its history row, with plain INSERT statements prepared once, one transaction per report: on SQLite
/// one statement after another, on PostgreSQL all of a report's in one batch (one round trip). Nothing stored is read,
/// nothing merged.
/// </summary>
internal sealed class FindingsFloor : IAsyncDisposable
{
    private static readonly string[] FindingColumns =
    [
        "Digest", "Kind", "VulnerabilityId", "Package", "InstalledVersion", "FixedVersion", "Severity", "CvssScore", "CvssVector", "Status", "Title",
        "Target", "PrimaryUrl", "Sources", "FirstSeen", "LastSeen", "ResolvedAt",
    ];

    private static readonly string[] RecordColumns = ["Digest", "Format", "Source", "Scanner", "ScannedAt", "ReceivedAt", "Findings", "New", "Dropped", "Critical", "High"];

    private readonly PortalDbContext _db;
    private readonly DbConnection _connection;
    private readonly DbCommand _insertFinding;
    private readonly DbCommand _insertRecord;
    private readonly bool _sqlite;

    private FindingsFloor(PortalDbContext db, DbCommand insertFinding, DbCommand insertRecord)
    {
        (_db, _connection, _insertFinding, _insertRecord) = (db, db.Database.GetDbConnection(), insertFinding, insertRecord);
        _sqlite = db.Database.IsSqlite();
    }

    /// <summary>Opens the connection of <paramref name="db"/> (a context of the floor's own database), which the floor then owns.</summary>
    public static async Task<FindingsFloor> OpenAsync(PortalDbContext db, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        var connection = db.Database.GetDbConnection();
        var insertFinding = Insert(connection, "findings", FindingColumns);
        var insertRecord = Insert(connection, "scan_records", RecordColumns);
        await insertFinding.PrepareAsync(cancellationToken);
        await insertRecord.PrepareAsync(cancellationToken);
        return new FindingsFloor(db, insertFinding, insertRecord);
    }

    /// <summary>Writes the report's one artifact in a transaction of its own; returns the time it took.</summary>
    public async Task<TimeSpan> WriteAsync(ScanReport report, string channel, CancellationToken cancellationToken)
    {
        var artifact = report.Artifacts.Single();
        var digest = artifact.Artifact.Digest!;
        var now = DateTimeOffset.UtcNow;
        var started = Stopwatch.GetTimestamp();
        await using var transaction = await _connection.BeginTransactionAsync(cancellationToken);
        var rows = artifact.Findings.Select(f => new object?[]
        {
            digest, f.Kind.ToString(), f.VulnerabilityId, f.Package ?? "", f.InstalledVersion ?? "", f.FixedVersion, f.Severity.ToString(), f.CvssScore,
            f.CvssVector, f.Status, f.Title, f.Target, f.PrimaryUrl, report.Format.ToString(), Time(now), Time(now), null,
        });
        object?[] record =
        [
            digest, report.Format.ToString(), channel, report.Scanner, report.ScannedAt is { } at ? Time(at) : null, Time(now), artifact.Findings.Count,
            artifact.Findings.Count, 0, artifact.Findings.Count(f => f.Severity == Severity.Critical), artifact.Findings.Count(f => f.Severity == Severity.High),
        ];
        if (_sqlite)
        {
            _insertFinding.Transaction = transaction;
            _insertRecord.Transaction = transaction;
            foreach (var row in rows)
            {
                Bind(_insertFinding.Parameters, row);
                await _insertFinding.ExecuteNonQueryAsync(cancellationToken);
            }

            Bind(_insertRecord.Parameters, record);
            await _insertRecord.ExecuteNonQueryAsync(cancellationToken);
        }
        else
        {
            await using var batch = _connection.CreateBatch();
            batch.Transaction = transaction;
            foreach (var (sql, values) in rows.Select(r => (FindingSql, r)).Append((RecordSql, record)))
            {
                var statement = batch.CreateBatchCommand();
                statement.CommandText = sql;
                foreach (var value in values)
                {
                    var parameter = statement.CreateParameter();
                    parameter.Value = value ?? DBNull.Value;
                    statement.Parameters.Add(parameter);
                }

                batch.BatchCommands.Add(statement);
            }

            await batch.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return Stopwatch.GetElapsedTime(started);
    }

    public async ValueTask DisposeAsync()
    {
        await _insertFinding.DisposeAsync();
        await _insertRecord.DisposeAsync();
        await _db.DisposeAsync();
    }

    // Times as the portal stores them: UTC ticks on SQLite (its converter), timestamptz on PostgreSQL.
    private object Time(DateTimeOffset value) => _sqlite ? value.UtcTicks : value;

    // Batched statements take positional parameters ($1, $2, ...) on PostgreSQL.
    private static readonly string FindingSql = InsertSql("findings", FindingColumns, i => $"${i + 1}");
    private static readonly string RecordSql = InsertSql("scan_records", RecordColumns, i => $"${i + 1}");

    private static string InsertSql(string table, string[] columns, Func<int, string> parameter) =>
        $"INSERT INTO \"{table}\" ({string.Join(", ", columns.Select(c => $"\"{c}\""))}) VALUES ({string.Join(", ", columns.Select((_, i) => parameter(i)))})";

    private static DbCommand Insert(DbConnection connection, string table, string[] columns)
    {
        var command = connection.CreateCommand();
#pragma warning disable CA2100 // Table and column names are this benchmark's constants; values are parameters.
        command.CommandText = InsertSql(table, columns, i => $"@p{i}");
#pragma warning restore CA2100
        for (var i = 0; i < columns.Length; i++)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = $"@p{i}";
            parameter.Value = DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private static void Bind(DbParameterCollection parameters, object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            parameters[i].Value = values[i] ?? DBNull.Value;
        }
    }
}
