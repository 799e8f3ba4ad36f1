using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Portal.Components.Pages.Images;
using Portal.Features.Lifecycle;
using Portal.Tests.Components.Workloads;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Components.Lifecycle;

/// <summary>The image page's lifecycle: state, EOL date and why; admins set, change and clear the date by hand.</summary>
public sealed class ImageLifecycleCardTests(PostgresServer postgres) : WorkloadComponentContext(postgres)
{
    private IRenderedComponent<MudDialogProvider> _dialogs = null!;

    [Fact]
    public async Task AnAdminSetsTheDateInADialogThatSaysWhatIsMissing()
    {
        var ids = await WorkloadSeed.SeedAsync(Database, Ct);
        SignInAs(TestUser.Admin);
        var page = Open(ids.V1);

        page.WaitForAssertion(() => page.Find("[data-testid=lifecycle-state]").TextContent.ShouldBe("Healthy"));
        page.Find("[data-testid=lifecycle-reason]").TextContent.ShouldBe("No blocking findings.");
        page.Find("[data-testid=manual-eol-edit]").Click();
        _dialogs.WaitForAssertion(() => _dialogs.Find("[data-testid=manual-eol-save]"));
        _dialogs.Find("[data-testid=manual-eol-save]").Click();

        _dialogs.WaitForAssertion(() => _dialogs.FindAll("[data-testid=manual-eol-error]").Select(e => e.TextContent.Trim())
            .ShouldBe(["Choose the EOL date.", "Say why the image reaches its EOL then; owners are told."]));
        await using (var db = Database.CreateDbContext())
        {
            (await db.ManualEols.AnyAsync(Ct)).ShouldBeFalse();
        }

        _dialogs.Find("[data-testid=manual-eol-date]").Change("2026-12-24");
        _dialogs.Find("[data-testid=manual-eol-reason]").Change("the base OS leaves support");
        _dialogs.Find("[data-testid=manual-eol-save]").Click();

        _dialogs.WaitForAssertion(() => _dialogs.FindAll("[data-testid=manual-eol-save]").ShouldBeEmpty());
        page.WaitForAssertion(() => page.Find("[data-testid=lifecycle-state]").TextContent.ShouldBe("Vulnerable"));
        page.Find("[data-testid=lifecycle-reason]").TextContent.ShouldBe("EOL 2026-12-24 set by admin@example.org.");
        page.Find("[data-testid=manual-eol]").TextContent.ShouldContain("by admin@example.org on 2026-11-22 12:00 UTC: the base OS leaves support");
        page.Find("[data-testid=manual-eol-edit]").TextContent.Trim().ShouldBe("Change EOL date");
        await using var check = Database.CreateDbContext();
        (await check.ManualEols.SingleAsync(Ct)).Eol.ShouldBe(new DateTimeOffset(2026, 12, 24, 0, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public async Task AnAdminClearsTheDateAfterConfirmation()
    {
        var page = await OpenWithEolAsync(TestUser.Admin, "other-admin@example.org");

        page.WaitForAssertion(() => page.Find("[data-testid=manual-eol-clear]").Click());
        _dialogs.WaitForAssertion(() => _dialogs.Markup.ShouldContain("Clear the EOL date?"));
        _dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Clear").Click();

        page.WaitForAssertion(() => page.Find("[data-testid=lifecycle-state]").TextContent.ShouldBe("Healthy"));
        page.FindAll("[data-testid=manual-eol]").ShouldBeEmpty();
        await using var db = Database.CreateDbContext();
        (await db.ManualEols.AnyAsync(Ct)).ShouldBeFalse();
    }

    [Fact]
    public async Task AnApproverSeesTheDateAndWhoSetItButCannotChangeIt()
    {
        var page = await OpenWithEolAsync(TestUser.Approver, "admin@example.org");

        page.WaitForAssertion(() => page.Find("[data-testid=lifecycle-state]").TextContent.ShouldBe("Vulnerable"));
        page.Find("[data-testid=lifecycle-eol]").TextContent.ShouldBe("2026-12-02 12:00 UTC");
        page.Find("[data-testid=manual-eol]").TextContent.ShouldContain("by admin@example.org");
        page.FindAll("[data-testid=manual-eol-edit]").ShouldBeEmpty();
        page.FindAll("[data-testid=manual-eol-clear]").ShouldBeEmpty();
    }

    // v1's page, with an EOL date ten days ahead that someone set by hand.
    private async Task<IRenderedComponent<ImageDetailPage>> OpenWithEolAsync(TestUser user, string setBy)
    {
        var ids = await WorkloadSeed.SeedAsync(Database, Ct);
        SignInAs(user);
        (await Services.GetRequiredService<ManualEols>().SetAsync(ids.V1, new ManualEolInput(Now.AddDays(10), "vendor support ends"), setBy, Ct))
            .Succeeded.ShouldBeTrue();
        return Open(ids.V1);
    }

    private IRenderedComponent<ImageDetailPage> Open(long id)
    {
        var page = RenderAt<ImageDetailPage>($"images/{id}", p => p.Add(c => c.Id, id));
        _dialogs = Render<MudDialogProvider>();
        return page;
    }
}
