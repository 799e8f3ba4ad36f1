using Bunit;
using TestContext = Xunit.TestContext;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Portal.Components.Layout;
using Portal.Data;
using Portal.Core.Auditing;
using Portal.Features.Audit;
using Portal.Features.Preferences;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Components;

/// <summary>The app bar shows who is signed in and keeps each person's theme choice in the database.</summary>
public sealed class MainLayoutTests(PostgresServer postgres) : PortalComponentContext, IAsyncLifetime
{
    private TestDatabase _database = null!;

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite, postgres);
        Services.AddSingleton<IDbContextFactory<PortalDbContext>>(_database);
        Services.AddSingleton<UserPreferencesService>();
        Services.AddSingleton<AuditLog>();
        Services.AddSingleton<TimeProvider>(new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 9, 0, 0, TimeSpan.Zero)));
    }

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public void ShowsTheSignedInPersonAndTheirRoles()
    {
        SignInAs(TestUser.Approver);

        var layout = Render<MainLayout>();

        var user = layout.Find("[data-testid=current-user]");
        user.TextContent.ShouldContain("approver");
        user.QuerySelectorAll(".role-chip").Select(c => c.TextContent.Trim()).ShouldBe(["Portal.Approver"]);
        layout.Find("form[action=signout] button[type=submit]").TextContent.ShouldContain("Sign out");
    }

    [Fact]
    public async Task DarkThemeChoiceIsSavedForThatPersonOnly()
    {
        SignInAs(TestUser.Admin);
        var layout = Render<MainLayout>();

        layout.Find("[data-testid=theme-toggle]").Click();

        var preferences = Services.GetRequiredService<UserPreferencesService>();
        var ct = TestContext.Current.CancellationToken;
        layout.WaitForAssertion(() => layout.Find("[data-testid=theme-toggle]").GetAttribute("aria-label").ShouldBe("Switch to light theme"));
        (await preferences.GetDarkModeAsync("oid-admin@example.org", ct)).ShouldBeTrue();
        (await preferences.GetDarkModeAsync("oid-approver@example.org", ct)).ShouldBeFalse();
        await using var db = _database.CreateDbContext();
        var audit = await db.AuditEntries.SingleAsync(ct);
        (audit.Actor, audit.Action, audit.Before, audit.After).ShouldBe(("admin@example.org", AuditActions.PreferencesChanged, "light", "dark"));
    }

    [Fact]
    public async Task SavedDarkThemeIsAppliedWhenThePortalOpens()
    {
        SignInAs(TestUser.Admin);
        await Services.GetRequiredService<UserPreferencesService>()
            .SetDarkModeAsync("oid-admin@example.org", "admin@example.org", true, TestContext.Current.CancellationToken);

        var layout = Render<MainLayout>();

        layout.WaitForAssertion(() => layout.Find("[data-testid=theme-toggle]").GetAttribute("aria-label").ShouldBe("Switch to light theme"));
    }
}
