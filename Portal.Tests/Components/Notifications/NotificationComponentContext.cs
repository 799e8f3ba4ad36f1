using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Features.Notifications;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Components.Notifications;

/// <summary>The notification pages over a real SQLite database holding the messages each test class seeds.</summary>
public abstract class NotificationComponentContext(PostgresServer postgres) : PortalComponentContext, IAsyncLifetime
{
    protected static readonly DateTimeOffset Now = new(2026, 11, 23, 7, 0, 0, TimeSpan.Zero);

    protected TestDatabase Database { get; private set; } = null!;

    protected static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite, postgres);
        Services.AddSingleton<Microsoft.EntityFrameworkCore.IDbContextFactory<PortalDbContext>>(Database);
        Services.AddSingleton<NotificationLog>();
        await using var db = Database.CreateDbContext();
        await SeedAsync(db);
        await db.SaveChangesAsync(Ct);
    }

    /// <summary>Adds the messages the tests read (saved afterwards); may sign someone in.</summary>
    protected abstract Task SeedAsync(PortalDbContext db);

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Database.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
