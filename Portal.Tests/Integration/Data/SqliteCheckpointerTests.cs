using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Integration.Data;

/// <summary>The portal's SQLite log is copied into the database file in the background, not by the connection that commits.</summary>
public sealed class SqliteCheckpointerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CommittedPagesReachTheDatabaseFileWhileNoWriterCheckpoints()
    {
        await using var factory = new PortalAppFactory();
        var contexts = factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using var db = await contexts.CreateDbContextAsync(Ct);
        var file = new FileInfo(new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource);
        await db.Database.OpenConnectionAsync(Ct);
        (await db.Database.SqlQueryRaw<long>("PRAGMA wal_autocheckpoint").ToListAsync(Ct)).ShouldBe([50_000L]);
        var before = Length(file);

        // About 4 MB, a thousand pages: far below the 50,000 at which a writer checkpoints by itself.
        await db.Database.ExecuteSqlRawAsync("""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 6000)
            INSERT INTO findings (Digest, Kind, VulnerabilityId, Package, InstalledVersion, Severity, Title, Sources, FirstSeen, LastSeen)
            SELECT 'sha256:' || i, 'Vulnerability', 'CVE-2026-' || i, 'openssl', '3.0.1', 'Low', printf('%.500c', 'x'), 'Trivy', 0, 0 FROM n
            """, Ct);

        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (Length(file) < before + 3_000_000)
        {
            (DateTime.UtcNow < deadline).ShouldBeTrue($"the database file stayed at {Length(file)} bytes (from {before}): nothing copied the log into it");
            await Task.Delay(100, Ct);
        }
    }

    private static long Length(FileInfo file)
    {
        file.Refresh();
        return file.Length;
    }
}
