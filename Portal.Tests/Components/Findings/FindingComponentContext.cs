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

namespace Portal.Tests.Components.Findings;

/// <summary>
/// A component context over a real, migrated SQLite database with the portal's real findings, exceptions, inventory,
/// workload and dashboard services, a fixed clock, and MudBlazor's popover and dialog hosts, for the findings pages.
/// </summary>
public abstract class FindingComponentContext(PostgresServer postgres) : PortalComponentContext, IAsyncLifetime
{
    public static readonly DateTimeOffset Now = FindingSeed.Now;

    protected TestDatabase Database { get; private set; } = null!;

    protected FakeTimeProvider Clock { get; } = new(Now);

    protected IRenderedComponent<MudDialogProvider> DialogHost { get; private set; } = null!;

    protected static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite, postgres);
        Services.AddSingleton<IDbContextFactory<PortalDbContext>>(Database);
        Services.AddSingleton<TimeProvider>(Clock);
        Services.AddSingleton(Options.Create(new InventoryOptions()));
        Services.AddSingleton(Options.Create(new FindingsOptions { MaxExceptionDays = 60 }));
        Services.AddSingleton<AuditLog>();
        Services.AddSingleton<ImageClassification>();
        Services.AddSingleton<ImageCatalog>();
        Services.AddSingleton<WorkloadCatalog>();
        Services.AddSingleton<DashboardSummary>();
        Services.AddSingleton<FindingCatalog>();
        Services.AddSingleton<Portal.Features.Malware.LayerVerdicts>();
        Services.AddSingleton<FindingExceptions>();
    }

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Database.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>The exceptions service over the same database and clock, usable before anything is rendered.</summary>
    protected FindingExceptions Exceptions => new(Database, new AuditLog(Database, Clock), Options.Create(new FindingsOptions { MaxExceptionDays = 60 }), Clock);

    /// <summary>Renders a page as the router would after opening <paramref name="relativeUri"/>, with MudBlazor's hosts in place.</summary>
    protected IRenderedComponent<TPage> RenderAt<TPage>(string relativeUri, Action<ComponentParameterCollectionBuilder<TPage>>? parameters = null)
        where TPage : IComponent
    {
        if (DialogHost is null)
        {
            Render<MudPopoverProvider>();
            DialogHost = Render<MudDialogProvider>();
        }

        Services.GetRequiredService<NavigationManager>().NavigateTo(relativeUri);
        return Render(parameters ?? (_ => { }));
    }

    /// <summary>Records an exception as an admin would, failing the test if policy refuses it.</summary>
    protected async Task<long> RecordAsync(ExceptionInput input)
    {
        var result = await Exceptions.RecordAsync(input, "admin@example.org", Ct);
        result.Succeeded.ShouldBeTrue(string.Join(" ", result.Errors));
        return result.Id!.Value;
    }
}
