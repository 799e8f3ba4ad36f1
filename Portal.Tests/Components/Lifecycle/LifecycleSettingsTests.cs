using AngleSharp.Dom;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Portal.Components.Pages.Settings;
using Portal.Core.Auditing;
using Portal.Core.Inventory;
using Portal.Core.Lifecycle;
using Portal.Features.Lifecycle;
using Portal.Tests.Components.Settings;
using Portal.Tests.TestInfrastructure;
using Severity = Portal.Core.Findings.Severity;

namespace Portal.Tests.Components.Lifecycle;

/// <summary>
/// Settings → Lifecycle: admins edit the policy and save it as a new, audited version; bad values and stale edits are
/// refused with the reason; everyone else sees it read-only; the history shows what each version changed.
/// </summary>
public sealed class LifecycleSettingsTests(PostgresServer postgres) : SettingsComponentContext(postgres)
{
    private const string Admin = "admin@example.org";
    private const string OtherAdmin = "other-admin@example.org";

    [Fact]
    public async Task AnAdminsEditIsSavedAsTheNextVersionAndAudited()
    {
        var policies = Register();
        var tab = Open();
        tab.WaitForAssertion(() => Text(tab, "policy-version").ShouldContain("The defaults are in force"));

        tab.Find("[data-testid=grace-User-Critical]").Change("7");
        tab.Find("[data-testid=grace-User-High]").Change("");
        tab.Find("[data-testid=delete-after-Platform]").Change("180");
        tab.Find("[data-testid=stops-Platform]").Change(true);
        tab.Find("[data-testid=reminder-days]").Change("10, 3");
        tab.Find("[data-testid=migrate-without-choice]").Change(true);
        tab.Find("[data-testid=max-hold-days]").Change("30");

        tab.FindAll("[data-testid=policy-pending-changes] [data-testid=policy-change] th").Select(c => c.TextContent).ShouldBe(
        [
            "Platform: EOL stops workloads", "Platform: delete unused after", "User: Critical grace days", "User: High grace days",
            "Reminder days before EOL", "Migrate without the owner's choice", "Longest hold",
        ]);
        tab.Find("[data-testid=policy-save]").TextContent.Trim().ShouldBe("Save as version 1");
        tab.Find("[data-testid=policy-save]").Click();

        tab.WaitForAssertion(() => Text(tab, "policy-version").ShouldContain($"Version 1, saved 2026-11-22 12:00 UTC by {Admin}."));
        Services.GetRequiredService<ISnackbar>().ShownSnackbars.Select(s => s.Message).ShouldContain("Saved the lifecycle policy as version 1.");
        tab.FindAll("[data-testid=policy-errors]").ShouldBeEmpty();
        tab.Find("[data-testid=policy-save]").TextContent.Trim().ShouldBe("Save as version 2");

        var saved = await policies.CurrentAsync(Ct);
        saved.Version.ShouldBe(1);
        saved.For(ImageClass.User).GraceDays.ShouldBe(new Dictionary<Severity, int> { [Severity.Critical] = 7 });
        saved.For(ImageClass.Platform).StopsWorkloads.ShouldBeTrue();
        saved.For(ImageClass.Platform).DeleteUnusedAfterDays.ShouldBe(180);
        saved.For(ImageClass.Curated).GraceDays.ShouldBe(new Dictionary<Severity, int> { [Severity.Critical] = 14, [Severity.High] = 30 }, "untouched classes keep their values");
        saved.ReminderDays.ShouldBe([10, 3]);
        saved.MigrateWithoutChoice.ShouldBeTrue();
        saved.MaxHoldDays.ShouldBe(30);
        saved.ModeOf(ActionKind.DeleteImage).ShouldBe(ExecutionMode.DryRun);
        await using var db = Database.CreateDbContext();
        var audit = await db.AuditEntries.SingleAsync(Ct);
        audit.Action.ShouldBe(AuditActions.PolicyChanged);
        audit.Actor.ShouldBe(Admin);
        audit.Subject.ShouldBe("policy version 1");
    }

    [Fact]
    public async Task InvalidValuesAreNamedNextToTheFormAndNothingIsSaved()
    {
        Register();
        var tab = Open();
        tab.WaitForAssertion(() => tab.FindAll("[data-testid=policy-save]").Count.ShouldBe(1));

        tab.Find("[data-testid=grace-Curated-Critical]").Change("-1");
        tab.Find("[data-testid=reminder-days]").Change("7, soon");
        tab.Find("[data-testid=max-hold-days]").Change("0");
        tab.Find("[data-testid=window-cron]").Input("every sunday");
        // The next windows follow the start as it is typed.
        tab.WaitForAssertion(() => Text(tab, "window-next").ShouldStartWith("The maintenance window's start is not a valid cron expression"));
        tab.Find("[data-testid=policy-save]").Click();

        tab.WaitForAssertion(() => tab.FindAll("[data-testid=policy-error]").Count.ShouldBe(4));
        var errors = tab.FindAll("[data-testid=policy-error]").Select(e => e.TextContent).ToList();
        errors[0].ShouldBe("Reminder days: 'soon' is not a whole number of days.");
        errors[1].ShouldBe("Curated Critical: grace days must be between 0 and 3650, not -1.");
        errors[2].ShouldBe("Holds may last between 1 and 365 days, not 0.");
        errors[3].ShouldStartWith("The maintenance window's start is not a valid cron expression");
        Text(tab, "policy-errors").ShouldStartWith("Nothing was saved.");
        await using var db = Database.CreateDbContext();
        (await db.LifecyclePolicies.AnyAsync(Ct)).ShouldBeFalse();
        (await db.AuditEntries.AnyAsync(Ct)).ShouldBeFalse();
    }

    [Fact]
    public void TheNextMaintenanceWindowsAreDescribedAsTheStartIsEdited()
    {
        Register();
        var tab = Open();

        tab.WaitForAssertion(() => Column(tab, "window").ShouldBe(
        [
            "Sun 29 Nov 2026, 02:00 to 06:00 UTC (in 7 days)",
            "Sun 6 Dec 2026, 02:00 to 06:00 UTC (in 14 days)",
            "Sun 13 Dec 2026, 02:00 to 06:00 UTC (in 21 days)",
        ]));

        tab.Find("[data-testid=window-hours]").Change("36");
        tab.Find("[data-testid=window-cron]").Input("0 0 10 ? * SUN");

        tab.WaitForAssertion(() => Column(tab, "window")[0].ShouldBe("Sun 22 Nov 2026, 10:00 to Mon 23 Nov 22:00 UTC (open now)"));
        Column(tab, "window")[1].ShouldBe("Sun 29 Nov 2026, 10:00 to Mon 30 Nov 22:00 UTC (in 7 days)");

        tab.Find("[data-testid=window-cron]").Input("0 0 2 1 1 ? 2020");

        tab.WaitForAssertion(() => Text(tab, "window-next").ShouldBe("The maintenance window's start never comes again; stops, migrations and deletions would never run."));
    }

    [Fact]
    public async Task AnEditOfAVersionSomeoneElseReplacedIsRefusedWithAWayToReload()
    {
        var policies = Register();
        var tab = Open();
        tab.WaitForAssertion(() => tab.FindAll("[data-testid=policy-save]").Count.ShouldBe(1));
        // Another admin saves while this one is editing.
        (await policies.SaveAsync(new LifecyclePolicy { Version = 0, MaxHoldDays = 45 }, OtherAdmin, Ct)).Version.ShouldBe(1);

        tab.Find("[data-testid=max-hold-days]").Change("30");
        tab.Find("[data-testid=policy-save]").Click();

        tab.WaitForAssertion(() => Text(tab, "policy-conflict").ShouldContain($"changed by {OtherAdmin} (now version 1) after you opened it"));
        tab.FindAll("[data-testid=policy-errors]").ShouldBeEmpty();
        (await policies.CurrentAsync(Ct)).MaxHoldDays.ShouldBe(45);

        tab.Find("[data-testid=policy-reload]").Click();

        tab.WaitForAssertion(() => tab.FindAll("[data-testid=policy-conflict]").ShouldBeEmpty());
        tab.Find("[data-testid=max-hold-days]").GetAttribute("value").ShouldBe("45");
        Text(tab, "policy-version").ShouldContain($"Version 1, saved 2026-11-22 12:00 UTC by {OtherAdmin}.");
        tab.Find("[data-testid=policy-save]").TextContent.Trim().ShouldBe("Save as version 2");
    }

    [Fact]
    public async Task ANonAdminSeesThePolicyReadOnlyAndCannotSave()
    {
        var policies = Register(TestUser.Approver);
        var tab = Open();

        tab.WaitForAssertion(() => Text(tab, "policy-read-only").ShouldContain("Only portal administrators change the lifecycle policy"));
        tab.FindAll("[data-testid=policy-save]").ShouldBeEmpty();
        tab.FindAll("[data-testid=policy-discard]").ShouldBeEmpty();
        tab.FindAll("[data-testid=policy-pending]").ShouldBeEmpty();
        tab.Find("[data-testid=grace-User-Critical]").HasAttribute("readonly").ShouldBeTrue();
        tab.Find("[data-testid=max-hold-days]").HasAttribute("readonly").ShouldBeTrue();
        tab.Find("[data-testid=grace-User-Critical]").GetAttribute("value").ShouldBe("14");
        (await policies.CurrentAsync(Ct)).Version.ShouldBe(0);
    }

    [Fact]
    public async Task TheHistoryListsEveryVersionAndWhatItChangedFromTheOneBefore()
    {
        var policies = Register();
        var defaults = await policies.CurrentAsync(Ct);
        await policies.SaveAsync(defaults with { MaxHoldDays = 30 }, Admin, Ct);
        Clock.Advance(TimeSpan.FromDays(1));
        var first = await policies.CurrentAsync(Ct);
        await policies.SaveAsync(first with
        {
            ReminderDays = [7, 1],
            Modes = new Dictionary<ActionKind, ExecutionMode>(first.Modes) { [ActionKind.StopWorkload] = ExecutionMode.RequireApproval },
        }, OtherAdmin, Ct);

        var tab = Open();

        tab.WaitForAssertion(() => Column(tab, "history-version").ShouldBe(["2", "1"]));
        Column(tab, "history-by").ShouldBe([OtherAdmin, Admin]);
        Column(tab, "history-when").ShouldBe(["2026-11-23 12:00 UTC", "2026-11-22 12:00 UTC"]);
        tab.FindAll("[data-testid=history-diff]").ShouldBeEmpty();

        tab.Find("[data-testid=history-show-2]").Click();

        Text(tab, "history-diff").ShouldStartWith("Version 2 against version 1");
        Changes(tab).ShouldBe(["Reminder days before EOL: 14, 7, 1 → 7, 1", "StopWorkload: execution mode: DryRun → RequireApproval"]);

        tab.Find("[data-testid=history-show-1]").Click();

        Text(tab, "history-diff").ShouldStartWith("Version 1 against the defaults");
        Changes(tab).ShouldBe(["Longest hold: 90 days → 30 days"]);
    }

    // Services are all added (and the person signed in) before the first is taken out.
    private LifecyclePolicies Register(TestUser? user = null)
    {
        Services.AddSingleton<LifecyclePolicies>();
        if (user is not null)
        {
            SignInAs(user);
        }

        return Services.GetRequiredService<LifecyclePolicies>();
    }

    private IRenderedComponent<LifecycleSettings> Open() => RenderTab<LifecycleSettings>(p => p.Add(t => t.Actor, Admin));

    private static string Text(IRenderedComponent<LifecycleSettings> tab, string testId) =>
        tab.Find($"[data-testid={testId}]").TextContent.Trim();

    private static List<string> Column(IRenderedComponent<LifecycleSettings> tab, string testId) =>
        [.. tab.FindAll($"[data-testid={testId}]").Select(c => c.TextContent.Trim())];

    private static List<string> Changes(IRenderedComponent<LifecycleSettings> tab) =>
        [.. tab.FindAll("[data-testid=history-diff] [data-testid=policy-change]").Select(Change)];

    private static string Change(IElement row)
    {
        var cells = row.Children.Select(c => c.TextContent.Trim()).ToList();
        return $"{cells[0]}: {cells[1]} → {cells[2]}";
    }
}
