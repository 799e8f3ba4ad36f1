using Bunit;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NSubstitute;
using Portal.Components.Pages.Settings;
using Portal.Core.Inventory;
using Portal.Features.Inventory;
using Portal.Features.Jobs;
using Portal.Tests.TestInfrastructure;
using Quartz;

namespace Portal.Tests.Components.Settings;

/// <summary>Settings → Registries: whether a registry's events are followed, and what to configure in the registry for it.</summary>
public sealed class RegistriesSettingsTests(PostgresServer postgres) : SettingsComponentContext(postgres)
{
    private const string Admin = "admin@example.org";

    private void AddServices(TimeSpan verifyEvery)
    {
        Services.AddSingleton(new RegistrySecrets(new EphemeralDataProtectionProvider()));
        Services.AddSingleton(Substitute.For<IRegistryClientFactory>());
        Services.AddSingleton<RegistryManagement>();
        Services.AddSingleton(Substitute.For<ISchedulerFactory>());
        Services.AddSingleton<JobsOverview>();
        Services.AddSingleton(Options.Create(new InventoryOptions { VerifyEvery = verifyEvery }));
    }

    [Fact]
    public async Task FollowingARegistrysEventsIsSavedAndTheRegistryConfigurationToUseIsShown()
    {
        AddServices(TimeSpan.FromHours(12));
        var added = await Services.GetRequiredService<RegistryManagement>().AddAsync(
            new RegistryInput("harbor", "https://harbor.example.org", null, null, null, AllowInsecure: false, MaxConcurrency: 4), Admin, Ct);
        var tab = RenderTab<RegistriesSettings>(p => p.Add(t => t.Actor, Admin));
        tab.Find("[data-testid=events-harbor]").TextContent.Trim().ShouldBe("not followed");

        tab.FindAll("button").Single(b => b.TextContent.Trim() == "Edit").Click();
        tab.FindAll("[data-testid=registry-events-help]").ShouldBeEmpty();
        tab.Find("[data-testid=registry-follows-events]").Change(true);

        var help = tab.Find("[data-testid=registry-events-help]");
        help.TextContent.ShouldContain($"http://localhost/api/v1/registries/{added.Id}/events");
        help.TextContent.ShouldContain("notifications:");
        help.TextContent.ShouldContain("Authorization: [\"Bearer KEY\"]");
        tab.Markup.ShouldContain("check every tag every 12 hours");
        tab.Find("[data-testid=registry-save]").Click();

        tab.WaitForAssertion(() => tab.Find("[data-testid=events-harbor]").TextContent.ShouldContain("followed · last event none yet"));
        await using var db = Database.CreateDbContext();
        (await db.Registries.SingleAsync(Ct)).FollowsEvents.ShouldBeTrue();
    }

    [Fact]
    public void ANewRegistryIsAddedBeforeItsEventsUrlIsShown()
    {
        AddServices(TimeSpan.FromDays(1));
        var tab = RenderTab<RegistriesSettings>(p => p.Add(t => t.Actor, Admin));

        tab.Find("[data-testid=registry-follows-events]").Change(true);

        tab.Find("[data-testid=registry-events-help]").TextContent.ShouldContain("Add the registry first");
        tab.Markup.ShouldContain("check every tag every day");
    }
}
