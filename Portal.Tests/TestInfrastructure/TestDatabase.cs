using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Portal.Data;

namespace Portal.Tests.TestInfrastructure;

public enum DatabaseKind
{
    Sqlite,
    Postgres,
}

/// <summary>A migrated, empty portal database of either provider, for feature services under test.</summary>
public sealed class TestDatabase : IDbContextFactory<PortalDbContext>, IAsyncDisposable
{
    private readonly TempDirectory? _directory;
    private readonly Func<PortalDbContext> _create;

    private TestDatabase(Func<PortalDbContext> create, TempDirectory? directory)
    {
        _create = create;
        _directory = directory;
    }

    public static async Task<TestDatabase> CreateAsync(DatabaseKind kind, PostgresServer postgres)
    {
        TestDatabase database;
        if (kind == DatabaseKind.Postgres)
        {
            var options = new DbContextOptionsBuilder<PostgresPortalDbContext>().UseNpgsql(await postgres.CreateDatabaseAsync()).Options;
            database = new TestDatabase(() => new PostgresPortalDbContext(options), null);
        }
        else
        {
            var directory = new TempDirectory();
            var options = new DbContextOptionsBuilder<SqlitePortalDbContext>().UseSqlite($"Data Source={directory.File("portal.db")}").Options;
            database = new TestDatabase(() => new SqlitePortalDbContext(options), directory);
        }

        await using var db = database.CreateDbContext();
        await db.Database.MigrateAsync();
        return database;
    }

    public PortalDbContext CreateDbContext() => _create();

    public ValueTask DisposeAsync()
    {
        if (_directory is not null)
        {
            SqliteConnection.ClearAllPools();
            _directory.Dispose();
        }

        return ValueTask.CompletedTask;
    }
}
