using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Auditing;
using Portal.Data;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Integration;

/// <summary>Both migration sets apply to an empty database, match the model, and round-trip an audit entry.</summary>
public sealed class MigrationTests(PostgresServer postgres)
{
    [Fact]
    public async Task SqliteMigrationsApplyToAnEmptyFileAndMatchTheModel()
    {
        using var directory = new TempDirectory();
        var options = new DbContextOptionsBuilder<SqlitePortalDbContext>()
            .UseSqlite($"Data Source={directory.File("portal.db")}").Options;

        await using (var db = new SqlitePortalDbContext(options))
        {
            await AssertMigratesAndRoundTripsAsync(db);
        }

        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task PostgresMigrationsApplyToAnEmptyDatabaseAndMatchTheModel()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        var options = new DbContextOptionsBuilder<PostgresPortalDbContext>().UseNpgsql(connectionString).Options;

        await using var db = new PostgresPortalDbContext(options);
        await AssertMigratesAndRoundTripsAsync(db);
    }

    private static async Task AssertMigratesAndRoundTripsAsync(PortalDbContext db)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ShouldNotBeEmpty();

        await db.Database.MigrateAsync(cancellationToken);

        (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ShouldBeEmpty();
        db.Database.HasPendingModelChanges().ShouldBeFalse("the model changed without a migration for this provider");

        var when = new DateTimeOffset(2026, 11, 1, 8, 30, 0, TimeSpan.Zero);
        db.AuditEntries.Add(AuditEntry.Create(when, AuditActorKind.Person, "admin@example.org", AuditActions.SignIn, "Ada Admin"));
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();

        var stored = await db.AuditEntries.SingleAsync(e => e.Timestamp >= when.AddMinutes(-1) && e.Timestamp <= when.AddMinutes(1), cancellationToken);
        stored.Timestamp.ShouldBe(when);
        stored.Actor.ShouldBe("admin@example.org");
        stored.ActorKind.ShouldBe(AuditActorKind.Person);
    }
}
