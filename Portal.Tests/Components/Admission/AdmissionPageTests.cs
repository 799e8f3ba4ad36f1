using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MudBlazor;
using Portal.Components.Pages.Admission;
using Portal.Core.Admission;
using Portal.Core.Inventory;
using Portal.Data;
using Portal.Features.Admission;
using Portal.Features.Audit;
using Portal.Features.Lifecycle;
using Portal.Tests.Core.Admission;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Components.Admission;

/// <summary>The Admission page over a real SQLite database: the view's summary, the "would have refused" report and the decision log.</summary>
public sealed class AdmissionPageTests(PostgresServer postgres) : PortalComponentContext, IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private TestDatabase _database = null!;

    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite, postgres);
        Services.AddSingleton<IDbContextFactory<PortalDbContext>>(_database);
        Services.AddSingleton<TimeProvider>(new FakeTimeProvider(Now));
        Services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        Services.AddSingleton(Options.Create(new AdmissionOptions()));
        Services.AddSingleton<AuditLog>();
        Services.AddSingleton<LifecyclePolicies>();
        Services.AddSingleton<LifecyclePlanner>();
        Services.AddSingleton<AdmissionPolicies>();
        Services.AddSingleton<EstateChanges>();
        Services.AddSingleton<AdmissionView>();
        Services.AddSingleton<AdmissionDecisions>();
        SignInAs(TestUser.Approver);
    }

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task ShowsThePolicyInForceWhatWarnModeWouldHaveRefusedAndTheRecordedDecisions()
    {
        await Services.GetRequiredService<AdmissionPolicies>().SaveAsync(new AdmissionPolicy
        {
            Modes = new Dictionary<ImageClass, AdmissionMode> { [ImageClass.Curated] = AdmissionMode.Enforce, [ImageClass.User] = AdmissionMode.Warn },
        }, "admin@example.org", Ct);
        await Services.GetRequiredService<AdmissionView>().RefreshAsync(Ct);
        var request = AdmissionFixtures.Request(AdmissionFixtures.Review(AdmissionFixtures.Pod("stress2")));
        await using (var db = _database.CreateDbContext())
        {
            db.AdmissionDecisions.AddRange(
                AdmissionDecisionRecord.From(request, new AdmissionFinding("jfusterm/stress:latest", 7, ImageClass.User, AdmissionOutcome.Warned, true,
                    "Image jfusterm/stress:latest is expired on 2026-11-01; it will be refused when admission is enforced."), 1, Now.AddHours(-3)),
                AdmissionDecisionRecord.From(request, new AdmissionFinding("jfusterm/stress:latest", 7, ImageClass.User, AdmissionOutcome.Warned, true,
                    "Image jfusterm/stress:latest is expired on 2026-11-01; it will be refused when admission is enforced."), 1, Now.AddHours(-1)),
                AdmissionDecisionRecord.From(request, new AdmissionFinding("jfusterm/stress:base", 8, ImageClass.Curated, AdmissionOutcome.Refused, true,
                    "Image jfusterm/stress:base is refused: expired on 2026-11-02."), 1, Now.AddMinutes(-5)),
                AdmissionDecisionRecord.From(request, new AdmissionFinding("jfusterm/stress:old", 9, ImageClass.User, AdmissionOutcome.Warned, true,
                    "long ago"), 1, Now.AddDays(-20)));
            await db.SaveChangesAsync(Ct);
        }

        Render<MudPopoverProvider>();
        var page = Render<AdmissionPage>();

        page.WaitForAssertion(() => page.FindAll("[data-testid=decisions-grid] tbody tr").Count.ShouldBe(4));
        page.Find("[data-testid=admission-summary]").TextContent.ShouldContain("under admission policy version 1");
        page.Find("[data-testid=mode-chip-Curated]").TextContent.ShouldBe("Curated: Enforce");
        page.Find("[data-testid=mode-chip-Platform]").TextContent.ShouldBe("Platform: Off");
        var report = page.FindAll("[data-testid=would-refuse-table] tbody tr").ShouldHaveSingleItem("the last 7 days; the refusal is no warning");
        report.TextContent.ShouldContain("jfusterm/stress:latest");
        report.TextContent.ShouldContain("Pod stress2");
        report.QuerySelectorAll("td")[3].TextContent.ShouldBe("2");
        page.FindAll("[data-testid=decision-outcome-chip]").Select(c => c.TextContent.Trim()).ShouldBe(["Refused", "Would refuse", "Would refuse", "Would refuse"]);
    }

    [Fact]
    public async Task WithoutAWarnClassThereIsNothingToReport()
    {
        await Services.GetRequiredService<AdmissionPolicies>().SaveAsync(new AdmissionPolicy
        {
            Modes = new Dictionary<ImageClass, AdmissionMode>
            {
                [ImageClass.Curated] = AdmissionMode.Enforce, [ImageClass.User] = AdmissionMode.Enforce,
                [ImageClass.Unclassified] = AdmissionMode.Off, [ImageClass.Platform] = AdmissionMode.Off,
            },
        }, "admin@example.org", Ct);
        await Services.GetRequiredService<AdmissionView>().RefreshAsync(Ct);

        Render<MudPopoverProvider>();
        var page = Render<AdmissionPage>();

        page.WaitForAssertion(() => page.Find("[data-testid=decisions-empty]"));
        page.Find("[data-testid=would-refuse-none]").TextContent.ShouldContain("No class is in Warn mode");
    }
}
