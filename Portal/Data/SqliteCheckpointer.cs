using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Portal.Data;

/// <summary>
/// Copies SQLite's write-ahead log into the database file in the background (a PASSIVE checkpoint, which waits for no
/// reader or writer, every <see cref="Interval"/>), so that the connection that commits rarely has to. A checkpoint
/// syncs the log and the database file to disk; done inline, every commit that crosses the auto-checkpoint size waits
/// for those syncs, and while scan reports were being stored that was a third of the writer's time. The writer still
/// checkpoints by itself once the log reaches <see cref="SqliteWriteAheadLog"/>'s auto-checkpoint size: by then this
/// service has copied nearly all of it, and that checkpoint lets the log start again from its beginning (a log that is
/// only ever checkpointed in the background grows for as long as writes go on).
/// </summary>
internal sealed class SqliteCheckpointer(IDbContextFactory<PortalDbContext> contexts, ILogger<SqliteCheckpointer> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        string connectionString;
        await using (var db = await contexts.CreateDbContextAsync(stoppingToken))
        {
            connectionString = db.Database.GetConnectionString()!;
        }

        await using var connection = new SqliteConnection(connectionString);
        using var timer = new PeriodicTimer(Interval);
        try
        {
            await connection.OpenAsync(stoppingToken);
            await using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
            var failing = false;
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await checkpoint.ExecuteNonQueryAsync(stoppingToken);
                    failing = false;
                }
                catch (SqliteException e) when (!failing)
                {
                    // Said once until it works again. The writer's own checkpoints still keep the log bounded meanwhile.
                    logger.LogWarning(e, "A background checkpoint of the SQLite database failed.");
                    failing = true;
                }
                catch (SqliteException)
                {
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
