using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Portal.Data;

/// <summary>
/// Puts the portal's SQLite database in write-ahead-log mode, with synchronous=NORMAL and a larger auto-checkpoint on
/// every connection. In SQLite's default rollback-journal mode each commit waits for fsyncs (a commit took 17 ms on the
/// benchmark machine's disk), so work that commits often, such as storing one scan report per transaction, is bound by
/// the disk; in WAL mode a commit appends to the log, and readers no longer block the writer (pages keep answering
/// during a sync). synchronous=NORMAL is SQLite's recommendation for WAL: a commit survives the process crashing; only a
/// power cut can lose the last commits, never corrupt the file. What is left to wait for is the checkpoint, which copies
/// the log into the database and syncs both: by default every 1,000 pages (4 MB), which with a report's worth of index
/// pages per commit was every ~17 commits and most of an ingestion's time. <see cref="SqliteCheckpointer"/> now does
/// that copying in the background, and a connection checkpoints by itself only at 50,000 pages (a 200 MB log), to let
/// the log start again from its beginning; afterwards the file is cut back to 64 MB (journal_size_limit). Each
/// connection may cache up to 16 MB of pages (the default is 2 MB): a transaction holding several scan reports changes
/// more pages than that, and SQLite writes pages out of a full cache into the log before the commit, again and again.
/// The journal mode is stored in the file; the rest is per connection, set once when a pooled connection is first opened.
/// </summary>
internal sealed class SqliteWriteAheadLog : DbConnectionInterceptor
{
    public static SqliteWriteAheadLog Interceptor { get; } = new();

    private const string Pragmas =
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 50000; PRAGMA journal_size_limit = 67108864; "
        + "PRAGMA cache_size = -16384;";

    // The native connections already set up; a pooled connection is opened again for every context.
    private readonly ConditionalWeakTable<object, object> _done = [];

    private SqliteWriteAheadLog()
    {
    }

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (IsSetUp(connection))
        {
            return;
        }

        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
        SetUp(connection);
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (IsSetUp(connection))
        {
            return;
        }

        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
        SetUp(connection);
    }

    private bool IsSetUp(DbConnection connection) => connection is SqliteConnection { Handle: { } handle } && _done.TryGetValue(handle, out _);

    private void SetUp(DbConnection connection)
    {
        if (connection is SqliteConnection { Handle: { } handle })
        {
            _done.AddOrUpdate(handle, handle);
        }
    }
}
