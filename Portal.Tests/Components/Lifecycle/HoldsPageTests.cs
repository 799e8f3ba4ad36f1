using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Portal.Components.Pages.Holds;
using Portal.Core.Lifecycle;
using Portal.Features.Lifecycle;
using Portal.Tests.Components.Workloads;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Components.Lifecycle;

/// <summary>The Holds page: active holds with their subject, scope and end; lifting after confirmation; placing needs a subject.</summary>
public sealed class HoldsPageTests(PostgresServer postgres) : WorkloadComponentContext(postgres)
{
    private IRenderedComponent<MudDialogProvider> _dialogs = null!;

    [Fact]
    public async Task ListsActiveHoldsAndLiftsOneAfterConfirmation()
    {
        var ids = await WorkloadSeed.SeedAsync(Database, Ct);
        var holds = Register();
        var placed = await holds.PlaceAsync(new HoldInput(HoldSubjectKind.Image, ids.V1, HoldScope.Termination, "exam week", Now.AddDays(7)),
            "approver@example.org", Ct);

        var page = Open();

        page.WaitForAssertion(() => page.FindAll("[data-testid=hold-subject]").Count.ShouldBe(1));
        page.Find("[data-testid=hold-subject]").TextContent.ShouldContain($"aaw/jupyterlab-cpu@{WorkloadSeed.V1Digest}");
        page.Find("[data-testid=hold-scope]").TextContent.ShouldBe("Stops and migrations");
        page.Find("[data-testid=hold-status]").TextContent.Trim().ShouldBe("Active");

        page.Find($"[data-testid=lift-{placed.Id}]").Click();
        _dialogs.WaitForAssertion(() => _dialogs.Markup.ShouldContain("Lift this hold?"));
        _dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Lift").Click();

        page.WaitForAssertion(() => page.Find("[data-testid=no-holds]").TextContent.ShouldBe("No hold is active."));
        await using var db = Database.CreateDbContext();
        (await db.Holds.SingleAsync(Ct)).LiftedBy.ShouldBe(TestUser.Approver.SignInName);
    }

    [Fact]
    public async Task PlacingAHoldWithoutSubjectOrEndSaysWhatIsMissing()
    {
        await WorkloadSeed.SeedAsync(Database, Ct);
        Register();

        var page = Open();
        page.Find("[data-testid=hold-place]").Click();

        page.WaitForAssertion(() => page.FindAll("[data-testid=hold-errors]").Select(e => e.TextContent.Trim())
            .ShouldBe(["Choose what to hold.", "Choose when the hold ends."]));
        await using var db = Database.CreateDbContext();
        (await db.Holds.AnyAsync(Ct)).ShouldBeFalse();
    }

    [Fact]
    public async Task TheSubjectPickerFindsRepositoriesImagesAndWorkloadsByPartOfTheirName()
    {
        var ids = await WorkloadSeed.SeedAsync(Database, Ct);
        var holds = Register();

        (await holds.SearchSubjectsAsync(HoldSubjectKind.Repository, "jupyter", Ct)).Select(o => o.Display).ShouldBe(["aaw/jupyterlab-cpu"]);
        var images = await holds.SearchSubjectsAsync(HoldSubjectKind.Image, "jupyterlab", Ct);
        images.Select(o => o.Id).ShouldBe([ids.V1, ids.V2], ignoreOrder: true);
        images.Single(o => o.Id == ids.V1).Display.ShouldBe("aaw/jupyterlab-cpu:v1 sha256:111111111111");
        (await holds.SearchSubjectsAsync(HoldSubjectKind.Workload, "alice/alice", Ct)).Select(o => o.Display).ShouldBe(["prod/alice/alice-notebook"]);
    }

    // Services are all added (and the approver signed in) before the first is taken out.
    private Holds Register()
    {
        Services.AddSingleton<LifecyclePolicies>();
        Services.AddSingleton<Holds>();
        SignInAs(TestUser.Approver);
        return Services.GetRequiredService<Holds>();
    }

    private IRenderedComponent<HoldsPage> Open()
    {
        var page = RenderAt<HoldsPage>("holds");
        _dialogs = Render<MudDialogProvider>();
        return page;
    }
}
