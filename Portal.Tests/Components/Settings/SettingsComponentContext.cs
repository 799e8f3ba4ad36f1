using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MudBlazor;
using Portal.Data;
using Portal.Features.ApiKeys;
using Portal.Features.Audit;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Components.Settings;

/// <summary>
/// A component context for the Settings tabs: a real, migrated SQLite database, the real API key and audit services,
/// a fixed clock, and MudBlazor's popover and dialog hosts (for the date picker and confirmations).
/// </summary>
public abstract class SettingsComponentContext(PostgresServer postgres) : PortalComponentContext, IAsyncLifetime
{
    public static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    protected TestDatabase Database { get; private set; } = null!;

    protected FakeTimeProvider Clock { get; } = new(Now);

    protected IRenderedComponent<MudDialogProvider> DialogHost { get; private set; } = null!;

    protected static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite, postgres);
        Services.AddSingleton<IDbContextFactory<PortalDbContext>>(Database);
        Services.AddSingleton<TimeProvider>(Clock);
        Services.AddSingleton<AuditLog>();
        Services.AddSingleton<ApiKeyManagement>();
        // Settings is for admins only; every tab is rendered as one.
        SignInAs(TestUser.Admin);
    }

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Database.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Renders a tab with MudBlazor's hosts in place, as the layout provides them in the portal.</summary>
    protected IRenderedComponent<TTab> RenderTab<TTab>(Action<ComponentParameterCollectionBuilder<TTab>>? parameters = null)
        where TTab : IComponent
    {
        if (DialogHost is null)
        {
            Render<MudPopoverProvider>();
            DialogHost = Render<MudDialogProvider>();
        }

        return Render(parameters ?? (_ => { }));
    }
}
