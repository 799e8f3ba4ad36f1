using AngleSharp.Dom;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Portal.Components.Pages.Holds;
using Portal.Components.Pages.MyWorkloads;
using Portal.Core.Lifecycle;
using Portal.Features.Lifecycle;
using Portal.Security;
using Portal.Tests.Components.Workloads;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Components.Lifecycle;

/// <summary>
/// Requests for more time: alice asks from My workloads for her notebook on jupyterlab-cpu v1 (an EOL set by hand) and
/// withdraws; approvers grant or refuse on the Holds page's Extension requests tab.
/// </summary>
public sealed class ExtensionRequestComponentsTests(PostgresServer postgres) : WorkloadComponentContext(postgres)
{
    private static readonly TestUser AliceApproving = new("alice approving", "alice@example.org", PortalRoles.Approver);
    private static readonly Requester Alice = new("alice@example.org", "alice@example.org");

    private IRenderedComponent<MudDialogProvider> _dialogs = null!;

    [Fact]
    public async Task TheOwnerAsksForMoreTimeSeesItWaitAndWithdrawsIt()
    {
        var ids = await SeedWithEolAsync(TestUser.NotebookUser);
        var page = Open<MyWorkloadsPage>("my-workloads");

        page.WaitForAssertion(() => Eol(page, "alice-alice-notebook").QuerySelector("[data-testid=eol-date]")!.TextContent.ShouldBe("on 2026-12-02"));
        Eol(page, "alice-alice-notebook").QuerySelector("[data-testid=lifecycle-state]")!.TextContent.ShouldBe("Vulnerable");
        Eol(page, "team-shared-shared-notebook").QuerySelector("[data-testid=request-extension]").ShouldBeNull("alice only contributes there; carol owns it");
        Eol(page, "alice-cleanup-job").QuerySelector("[data-testid=eol-none]")!.TextContent.ShouldBe("No EOL");
        page.FindAll("[data-testid=my-extension-requests]").ShouldBeEmpty("nothing asked yet");

        Eol(page, "alice-alice-notebook").QuerySelector("[data-testid=request-extension]")!.Click();
        _dialogs.WaitForAssertion(() => _dialogs.Find("[data-testid=extension-until]").GetAttribute("value").ShouldBe("2027-01-01", "a month past the EOL"));
        _dialogs.Find("[data-testid=extension-send]").Click();
        _dialogs.WaitForAssertion(() => _dialogs.FindAll("[data-testid=extension-error]").Select(e => e.TextContent.Trim())
            .ShouldBe(["Say why the notebook needs the image for longer."]));
        await using (var db = Database.CreateDbContext())
        {
            (await db.ExtensionRequests.AnyAsync(Ct)).ShouldBeFalse();
        }

        _dialogs.Find("[data-testid=extension-reason]").Change("thesis due in January");
        _dialogs.Find("[data-testid=extension-send]").Click();

        _dialogs.WaitForAssertion(() => _dialogs.FindAll("[data-testid=extension-send]").ShouldBeEmpty());
        page.WaitForAssertion(() => Eol(page, "alice-alice-notebook").QuerySelector("[data-testid=extension-status]")!.TextContent
            .ShouldBe("Waiting for an approver (asked until 2027-01-01)"));
        Eol(page, "alice-alice-notebook").QuerySelector("[data-testid=request-extension]").ShouldBeNull("one waiting request per workload and image");
        var request = await SingleRequestAsync();
        request.WantedUntil.ShouldBe(new DateTimeOffset(2027, 1, 1, 23, 59, 59, TimeSpan.Zero));
        request.Reason.ShouldBe("thesis due in January");
        page.Find("[data-testid=my-extension-workload]").TextContent.ShouldBe("alice/alice-notebook");

        page.Find($"[data-testid=withdraw-{request.Id}]").Click();

        page.WaitForAssertion(() => Eol(page, "alice-alice-notebook").QuerySelector("[data-testid=request-extension]").ShouldNotBeNull());
        Eol(page, "alice-alice-notebook").QuerySelector("[data-testid=extension-status]")!.TextContent.ShouldBe("Withdrawn 2026-11-22");
        (await SingleRequestAsync()).Status.ShouldBe(ExtensionStatus.Withdrawn);
        ids.V1.ShouldBePositive();
    }

    [Fact]
    public async Task AnApproverGrantsUntilTheWantedDateByDefault()
    {
        await SeedWithEolAsync(TestUser.Approver);
        var id = await AskAsync();
        var page = Open<HoldsPage>("holds?tab=extensions");

        page.WaitForAssertion(() => page.Find("[data-testid=extension-workload]").TextContent.ShouldBe("alice/alice-notebook"));
        page.Find($"[data-testid=grant-{id}]").Click();
        _dialogs.WaitForAssertion(() => _dialogs.Find("[data-testid=grant-until]").GetAttribute("value").ShouldBe("2026-12-22"));
        _dialogs.Find("[data-testid=decision-save]").Click();

        _dialogs.WaitForAssertion(() => _dialogs.FindAll("[data-testid=decision-save]").ShouldBeEmpty());
        page.WaitForAssertion(() => page.Find("[data-testid=extension-status]").TextContent.ShouldBe("Granted until 2026-12-22 by approver@example.org"));
        page.FindAll($"[data-testid=grant-{id}]").ShouldBeEmpty();
        var request = await SingleRequestAsync();
        request.GrantedUntil.ShouldBe(request.WantedUntil);
    }

    [Fact]
    public async Task ARefusalNeedsANoteAndTheOwnerCannotGrantTheirOwnRequest()
    {
        await SeedWithEolAsync(AliceApproving);
        var id = await AskAsync();
        var page = Open<HoldsPage>("holds?tab=extensions");

        page.WaitForAssertion(() => page.Find($"[data-testid=grant-{id}]").Click());
        _dialogs.WaitForAssertion(() => _dialogs.Find("[data-testid=decision-save]").Click());
        _dialogs.WaitForAssertion(() => _dialogs.Find("[data-testid=decision-error]").TextContent.ShouldStartWith("Two-person rule"));
        _dialogs.Find("[data-testid=decision-cancel]").Click();

        page.Find($"[data-testid=refuse-{id}]").Click();
        _dialogs.WaitForAssertion(() => _dialogs.Find("[data-testid=decision-save]").Click());
        _dialogs.WaitForAssertion(() => _dialogs.Find("[data-testid=decision-error]").TextContent.ShouldBe("Tell the owner why the extension is refused."));
        _dialogs.Find("[data-testid=decision-note]").Change("move to v2 instead");
        _dialogs.Find("[data-testid=decision-save]").Click();

        page.WaitForAssertion(() => page.Find("[data-testid=extension-status]").TextContent.ShouldBe("Refused by alice@example.org: move to v2 instead"));
        (await SingleRequestAsync()).Status.ShouldBe(ExtensionStatus.Refused);
    }

    private async Task<WorkloadSeed.Ids> SeedWithEolAsync(TestUser user)
    {
        var ids = await WorkloadSeed.SeedAsync(Database, Ct);
        Services.AddSingleton<Holds>();
        SignInAs(user);
        (await Services.GetRequiredService<ManualEols>().SetAsync(ids.V1, new ManualEolInput(Now.AddDays(10), "vendor support ends"), "admin@example.org", Ct))
            .Succeeded.ShouldBeTrue();
        return ids;
    }

    private async Task<long> AskAsync()
    {
        await using var db = Database.CreateDbContext();
        var notebook = await db.Workloads.Where(w => w.Name == "alice-notebook").Select(w => w.Id).SingleAsync(Ct);
        var image = await db.Images.Where(i => i.Digest == WorkloadSeed.V1Digest).Select(i => i.Id).SingleAsync(Ct);
        var result = await Services.GetRequiredService<Extensions>().RequestAsync(
            new ExtensionInput(notebook, image, "thesis due", Now.AddDays(30)), Alice, Ct);
        result.Succeeded.ShouldBeTrue(string.Join(" ", result.Errors));
        return result.Id!.Value;
    }

    private async Task<ExtensionRequest> SingleRequestAsync()
    {
        await using var db = Database.CreateDbContext();
        return await db.ExtensionRequests.SingleAsync(Ct);
    }

    private IRenderedComponent<TPage> Open<TPage>(string uri)
        where TPage : Microsoft.AspNetCore.Components.IComponent
    {
        var page = RenderAt<TPage>(uri);
        _dialogs = Render<MudDialogProvider>();
        return page;
    }

    // The End of life cell of a workload's main container.
    private static IElement Eol<TPage>(IRenderedComponent<TPage> page, string workload)
        where TPage : Microsoft.AspNetCore.Components.IComponent =>
        page.Find($"[data-testid=workload-{workload}] [data-testid=image-eol]");
}
