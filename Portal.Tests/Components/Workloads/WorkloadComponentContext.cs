using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MudBlazor;
using Portal.Data;
using Portal.Features.Audit;
using Portal.Features.Dashboard;
using Portal.Features.Findings;
using Portal.Features.Inventory;
using Portal.Features.Workloads;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Components.Workloads;

/// <summary>
/// A component context over a real, migrated SQLite database with the portal's real workload, inventory and dashboard
/// services, for rendering the pages that show workloads.
/// </summary>
public abstract class WorkloadComponentContext(PostgresServer postgres) : PortalComponentContext, IAsyncLifetime
{
    public static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private bool _popoverHost;

    protected TestDatabase Database { get; private set; } = null!;

    protected static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite, postgres);
        var clock = new FakeTimeProvider(Now);
        Services.AddSingleton<IDbContextFactory<PortalDbContext>>(Database);
        Services.AddSingleton<TimeProvider>(clock);
        Services.AddSingleton(Options.Create(new InventoryOptions()));
        Services.AddSingleton<AuditLog>();
        Services.AddSingleton<ImageClassification>();
        Services.AddSingleton<ImageCatalog>();
        Services.AddSingleton<WorkloadCatalog>();
        Services.AddSingleton<DashboardSummary>();
        Services.AddSingleton<Portal.Features.Malware.LayerVerdicts>();
        // The image page's findings section.
        Services.AddSingleton<FindingCatalog>();
    }

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Database.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Renders a page as the router would after opening <paramref name="relativeUri"/>, with MudBlazor's popover host in place.</summary>
    protected IRenderedComponent<TPage> RenderAt<TPage>(string relativeUri, Action<ComponentParameterCollectionBuilder<TPage>>? routeValues = null)
        where TPage : IComponent
    {
        if (!_popoverHost)
        {
            Render<MudPopoverProvider>();
            _popoverHost = true;
        }

        Services.GetRequiredService<NavigationManager>().NavigateTo(relativeUri);
        return Render(routeValues ?? (_ => { }));
    }
}
