using AngleSharp.Dom;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Portal.Components.Pages.Migrations;
using Portal.Components.Pages.MyWorkloads;
using Portal.Core.Lifecycle;
using Portal.Features.Migrations;
using Portal.Tests.Components.Workloads;
using Portal.Tests.Integration.Lifecycle;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Components.Lifecycle;

/// <summary>
/// The Migrations page (admins approve and revoke the proposed path from jupyterlab-cpu v1, which has a Critical finding,
/// to v2) and My workloads, where alice sees the approved replacement for her notebook and chooses.
/// </summary>
public sealed class MigrationComponentsTests(PostgresServer postgres) : WorkloadComponentContext(postgres)
{
    private IRenderedComponent<MudDialogProvider> _dialogs = null!;

    [Fact]
    public async Task AnAdminSeesWhyAndTheDifferenceInFindingsAndApprovesTheProposal()
    {
        var id = await ProposeAsync(TestUser.Admin);
        var page = Open<MigrationsPage>("migrations");

        page.WaitForAssertion(() => page.Find("[data-testid=path-counts]").TextContent.Trim().ShouldBe("1 proposed, 0 approved, 0 revoked"));
        var row = page.Find("[data-testid=paths-Proposed] tbody tr");
        Text(row, "path-from").ShouldBe("aaw/jupyterlab-cpu:v1@sha256:111111111111");
        Text(row, "path-to").ShouldBe("aaw/jupyterlab-cpu:v2@sha256:222222222222");
        Text(row, "path-why").ShouldBe("Newest Prod release on track jupyterlab-cpu without blocking findings: 2.0.0 after 1.0.0.");
        System.Text.RegularExpressions.Regex.Replace(Text(row, "path-difference"), @"\s+", " ").ShouldBe("fixes 1 Critical brings none 0 remainShow difference");
        Text(row, "path-users").ShouldBe("2 running");
        row.QuerySelector("[data-testid=show-difference]")!.Click();
        page.WaitForAssertion(() => page.Find("[data-testid=difference-row]").QuerySelectorAll("td").Select(td => td.TextContent.Trim())
            .ShouldBe(["fixed", "CVE-2026-0001", "openssl", "Critical"]));

        page.Find($"[data-testid=approve-{id}]").Click();

        page.WaitForAssertion(() => page.Find("[data-testid=path-counts]").TextContent.Trim().ShouldBe("0 proposed, 1 approved, 0 revoked"));
        var path = await PathAsync(id);
        path.State.ShouldBe(MigrationPathState.Approved);
        path.ApprovedBy.ShouldBe(TestUser.Admin.SignInName);
    }

    [Fact]
    public async Task ARevocationNeedsAReasonAndApproversCannotDecide()
    {
        var id = await ProposeAsync(TestUser.Admin);
        var page = Open<MigrationsPage>("migrations");

        page.WaitForAssertion(() => page.Find($"[data-testid=revoke-{id}]").Click());
        _dialogs.WaitForAssertion(() => _dialogs.Find("[data-testid=revoke-save]").Click());
        _dialogs.WaitForAssertion(() => _dialogs.Find("[data-testid=revoke-error]").TextContent
            .ShouldBe("Say why the path is revoked; owners who chose it are told."));
        (await PathAsync(id)).State.ShouldBe(MigrationPathState.Proposed);
        _dialogs.Find("[data-testid=revoke-reason]").Change("v2 breaks the GPU drivers");
        _dialogs.Find("[data-testid=revoke-save]").Click();

        page.WaitForAssertion(() => page.Find("[data-testid=path-counts]").TextContent.Trim().ShouldBe("0 proposed, 0 approved, 1 revoked"));
        (await PathAsync(id)).RevokeReason.ShouldBe("v2 breaks the GPU drivers");
    }

    [Fact]
    public async Task ApproversSeePathsButNoDecisions()
    {
        var id = await ProposeAsync(TestUser.Approver);
        var page = Open<MigrationsPage>("migrations");

        page.WaitForAssertion(() => page.Find("[data-testid=path-to]").TextContent.ShouldBe("aaw/jupyterlab-cpu:v2@sha256:222222222222"));
        page.FindAll($"[data-testid=approve-{id}]").ShouldBeEmpty();
        page.FindAll($"[data-testid=revoke-{id}]").ShouldBeEmpty();
        page.FindAll("[data-testid=propose-now]").ShouldBeEmpty();
    }

    [Fact]
    public async Task TheOwnerSeesTheApprovedReplacementAndChoosesToBeMigrated()
    {
        var id = await ProposeAsync(TestUser.NotebookUser);
        (await Services.GetRequiredService<MigrationPaths>().ApproveAsync(id, "admin", Ct)).Succeeded.ShouldBeTrue();
        var page = Open<MyWorkloadsPage>("my-workloads");

        page.WaitForAssertion(() => Replacement(page, "alice-alice-notebook").QuerySelector("[data-testid=replacement-image]")!.TextContent
            .ShouldBe("aaw/jupyterlab-cpu:v2@sha256:222222222222"));
        Replacement(page, "team-shared-shared-notebook").QuerySelector("[data-testid=choose-migrate]").ShouldBeNull("alice only contributes there; carol owns it");
        Replacement(page, "alice-alice-notebook").QuerySelector("[data-testid=choose-migrate]")!.Click();

        page.WaitForAssertion(() => Replacement(page, "alice-alice-notebook").QuerySelector("[data-testid=migration-choice]")!.TextContent
            .ShouldStartWith("Migration in the next maintenance window asked for"));
        Replacement(page, "alice-alice-notebook").QuerySelector("[data-testid=choose-migrate]").ShouldBeNull("already chosen");
        await using var db = Database.CreateDbContext();
        var choice = await db.MigrationChoices.SingleAsync(Ct);
        choice.Migrate.ShouldBeTrue();
        choice.PathId.ShouldBe(id);
        choice.Workload.ShouldBe("alice/alice-notebook");
    }

    [Fact]
    public async Task TheImagePageNamesTheReplacementAndWhetherItIsApproved()
    {
        var id = await ProposeAsync(TestUser.Approver);
        long v1;
        await using (var db = Database.CreateDbContext())
        {
            v1 = await db.Images.Where(i => i.Digest == WorkloadSeed.V1Digest).Select(i => i.Id).SingleAsync(Ct);
        }

        var proposed = RenderAt<Portal.Components.Pages.Images.ImageDetailPage>($"images/{v1}", p => p.Add(c => c.Id, v1));
        proposed.WaitForAssertion(() => proposed.Find("[data-testid=lifecycle-replacement]").TextContent
            .ShouldContain("aaw/jupyterlab-cpu:v2@sha256:222222222222 (proposed, waiting for an admin)"));

        (await Services.GetRequiredService<MigrationPaths>().ApproveAsync(id, "admin@example.org", Ct)).Succeeded.ShouldBeTrue();
        var approved = RenderAt<Portal.Components.Pages.Images.ImageDetailPage>($"images/{v1}", p => p.Add(c => c.Id, v1));
        approved.WaitForAssertion(() => approved.Find("[data-testid=lifecycle-replacement]").TextContent
            .ShouldContain("(approved by admin@example.org)"));
    }

    // The seeded estate with a Critical finding on v1 (so it has an EOL) and the portal's proposal, signed in as the user.
    private async Task<long> ProposeAsync(TestUser user)
    {
        await WorkloadSeed.SeedAsync(Database, Ct);
        await LifecycleServicesTests.AddFindingAsync(Database, WorkloadSeed.V1Digest, Portal.Core.Findings.Severity.Critical, Now.AddDays(-20));
        SignInAs(user);
        var paths = Services.GetRequiredService<MigrationPaths>();
        (await paths.RefreshAsync(Ct)).Proposed.ShouldBe(1);
        return (await paths.ListAsync(Ct)).Single().Path.Id;
    }

    private async Task<MigrationPath> PathAsync(long id)
    {
        await using var db = Database.CreateDbContext();
        return await db.MigrationPaths.SingleAsync(p => p.Id == id, Ct);
    }

    private IRenderedComponent<TPage> Open<TPage>(string uri)
        where TPage : Microsoft.AspNetCore.Components.IComponent
    {
        var page = RenderAt<TPage>(uri);
        _dialogs = Render<MudDialogProvider>();
        return page;
    }

    private static string Text(IElement row, string testId) => row.QuerySelector($"[data-testid={testId}]")!.TextContent.Trim();

    private static IElement Replacement<TPage>(IRenderedComponent<TPage> page, string workload)
        where TPage : Microsoft.AspNetCore.Components.IComponent =>
        page.Find($"[data-testid=workload-{workload}] [data-testid=replacement]");
}
