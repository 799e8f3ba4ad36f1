using Portal.Core.Findings;
using Portal.Core.Inventory;
using Portal.Core.Lifecycle;
using Portal.Core.Workloads;

namespace Portal.Tests.Core.Lifecycle;

/// <summary>The decision engine, case by case: EOL dates, states, reminders, stops, migrations, retention.</summary>
public sealed class DecisionEngineTests
{
    private static readonly DateTimeOffset Now = Estate.Now;

    [Theory]
    // User images: Critical 14 days, High 30; Medium and Low never block.
    [InlineData(Severity.Critical, 0, 14, LifecycleState.Vulnerable)]
    [InlineData(Severity.Critical, 20, -6, LifecycleState.Expired)]
    [InlineData(Severity.High, 10, 20, LifecycleState.Vulnerable)]
    [InlineData(Severity.Medium, 100, null, LifecycleState.Healthy)]
    [InlineData(Severity.Low, 100, null, LifecycleState.Healthy)]
    public void TheEolIsTheFirstDetectionPlusTheGraceOfItsSeverity(Severity severity, int firstSeenDaysAgo, int? eolInDays, LifecycleState state)
    {
        var estate = new Estate();
        var image = estate.Image();
        estate.Finding(image, severity, firstSeenDaysAgo);

        var lifecycle = estate.Decide().Images.Single();

        lifecycle.Eol.ShouldBe(eolInDays is { } days ? Now.AddDays(days) : null);
        lifecycle.State.ShouldBe(state);
    }

    [Fact]
    public void TheEarliestBlockingFindingDecidesAndExceptionsTakeFindingsOut()
    {
        var estate = new Estate();
        var image = estate.Image();
        estate.Finding(image, Severity.High, firstSeenDaysAgo: 25, id: "CVE-HIGH");       // EOL in 5 days
        estate.Finding(image, Severity.Critical, firstSeenDaysAgo: 12, id: "CVE-CRIT");   // EOL in 2 days
        estate.Except("cve-crit"); // ids compare case-insensitively, as scanners spell them differently

        var lifecycle = estate.Decide().Images.Single();

        lifecycle.Eol.ShouldBe(Now.AddDays(5));
        lifecycle.Cause!.VulnerabilityId.ShouldBe("CVE-HIGH");
        lifecycle.BlockingFindings.ShouldBe(1);
        lifecycle.Reason.ShouldBe("CVE-HIGH (High) in openssl, found 2026-10-28, 30 days grace: EOL 2026-11-27.");
    }

    [Fact]
    public void AnExceptionScopedToAnotherRepositoryDoesNotApply()
    {
        var estate = new Estate();
        var image = estate.Image("team/a");
        estate.Finding(image);
        estate.Except("CVE-2026-0001", repository: "team/b");

        estate.Decide().Images.Single().BlockingFindings.ShouldBe(1);
    }

    [Fact]
    public void MalwareExpiresAnImageAtOnce()
    {
        var estate = new Estate();
        var image = estate.Image();
        estate.Finding(image, Severity.Critical, 0, "Eicar-Test-Signature", "/opt/eicar.com", FindingKind.Malware);

        var lifecycle = estate.Decide().Images.Single();

        lifecycle.State.ShouldBe(LifecycleState.Expired);
        lifecycle.Reason.ShouldStartWith("Malware Eicar-Test-Signature in /opt/eicar.com");
    }

    [Fact]
    public void AnAdminsEarlierDateWinsAndIsNamedOnTheStop()
    {
        var estate = new Estate();
        var image = estate.Image(manualEol: Now.AddDays(-1), manualEolBy: "admin@example.org");
        estate.Finding(image, Severity.High, 0);
        var notebook = estate.Notebook(image);

        var plan = estate.Decide();

        var lifecycle = plan.Images.Single();
        lifecycle.Eol.ShouldBe(Now.AddDays(-1));
        lifecycle.Reason.ShouldBe("EOL 2026-11-21 set by admin@example.org.");
        var stop = plan.Actions.Single(a => a.Kind == ActionKind.StopWorkload);
        stop.WorkloadId.ShouldBe(notebook.Id);
        stop.ManualEolBy.ShouldBe("admin@example.org", "the approval must come from someone else");
    }

    [Theory]
    [InlineData(Severity.High, 15, null)]   // EOL in 15 days: no stage has come
    [InlineData(Severity.Critical, 0, 14)]  // EOL in 14 days
    [InlineData(Severity.Critical, 8, 7)]   // EOL in 6 days: 14 and 7 have come, 7 is the most urgent
    [InlineData(Severity.Critical, 13, 1)]  // EOL tomorrow
    [InlineData(Severity.Critical, 14, 0)]  // EOL now
    public void OneReminderAtTheMostUrgentStageThatHasCome(Severity severity, int firstSeenDaysAgo, int? stage)
    {
        var estate = new Estate();
        var image = estate.Image();
        estate.Finding(image, severity, firstSeenDaysAgo);
        estate.Notebook(image, owners: ["alice@example.org", "bob@example.org"]);

        var reminders = estate.Decide().Actions.Where(a => a.Kind == ActionKind.NotifyOwner).ToList();

        if (stage is null)
        {
            reminders.ShouldBeEmpty();
            return;
        }

        reminders.Select(r => r.Owner).ShouldBe(["alice@example.org", "bob@example.org"]);
        reminders.ShouldAllBe(r => r.Stage == stage);
    }

    [Fact]
    public void AReminderAlreadySentIsNotPlannedAgain()
    {
        var estate = new Estate();
        var image = estate.Image();
        estate.Finding(image, Severity.Critical, 8);
        estate.Notebook(image);
        var first = estate.Decide().Actions.Single(a => a.Kind == ActionKind.NotifyOwner);

        estate.Executed(first.Key);

        estate.Decide().Actions.ShouldNotContain(a => a.Kind == ActionKind.NotifyOwner);
        estate.Decide(at: Now.AddDays(5)).Actions.Single(a => a.Kind == ActionKind.NotifyOwner).Stage.ShouldBe(1, "the next stage still comes");
    }

    [Fact]
    public void AtEolARunningNotebookIsStoppedButAStoppedOneOrAPodIsNot()
    {
        var estate = new Estate();
        var image = estate.Image();
        estate.Finding(image, Severity.Critical, 20);
        var running = estate.Notebook(image, "running");
        estate.Notebook(image, "stopped", WorkloadStatus.Stopped);
        estate.Workload(image, "batch", WorkloadKind.Pod, WorkloadLifetime.Ephemeral, WorkloadStatus.Running, ["alice@example.org"]);

        var plan = estate.Decide();

        var stop = plan.Actions.Single(a => a.Kind == ActionKind.StopWorkload);
        stop.WorkloadId.ShouldBe(running.Id);
        stop.Mode.ShouldBe(ExecutionMode.DryRun, "a fresh install is dry-run for every destructive kind");
        stop.DueAt.ShouldBe(Now.AddDays(-6));
        stop.Key.ShouldBe($"stop:{running.Id}:{image.Id}:2026-11-16");
        plan.Actions.Where(a => a.Kind == ActionKind.NotifyOwner).Select(a => a.Stage).ShouldBe([0, 0], "both notebooks' owners hear at EOL; the pod's do not");
    }

    [Fact]
    public void PlatformImagesNeverStopWorkloadsByDefault()
    {
        var estate = new Estate();
        var image = estate.Image("platform/controller", ImageClass.Platform);
        estate.Finding(image, Severity.Critical, 40);
        estate.Notebook(image);

        var plan = estate.Decide();

        plan.Actions.ShouldNotContain(a => a.Kind == ActionKind.StopWorkload);
        plan.Kept.Single(k => k.Kind == ActionKind.StopWorkload).Reason.ShouldBe("kept: EOL does not stop Platform images' workloads");
    }

    [Theory]
    [InlineData(HoldSubjectKind.Workload)]
    [InlineData(HoldSubjectKind.Image)]
    [InlineData(HoldSubjectKind.Repository)]
    public void ATerminationHoldSkipsTheStopWithItsReasonAndPushesTheDateOwnersAreTold(HoldSubjectKind kind)
    {
        var estate = new Estate();
        var image = estate.Image();
        estate.Finding(image, Severity.Critical, 20);
        var notebook = estate.Notebook(image);
        estate.Hold(kind, kind switch { HoldSubjectKind.Workload => notebook.Id, HoldSubjectKind.Image => image.Id, _ => image.RepositoryId },
            HoldScope.Termination, days: 10);

        var plan = estate.Decide();

        plan.Actions.ShouldNotContain(a => a.Kind == ActionKind.StopWorkload);
        plan.Kept.Single(k => k.Kind == ActionKind.StopWorkload).Reason
            .ShouldBe("stop skipped: hold until 2026-12-02 by approver@example.org: exam week");
        plan.Actions.Where(a => a.Kind == ActionKind.NotifyOwner).ShouldAllBe(a => a.Stage == 14, "the date owners hear is the hold's end");
        if (kind != HoldSubjectKind.Workload)
        {
            var lifecycle = plan.Images.Single();
            lifecycle.State.ShouldBe(LifecycleState.Held);
            lifecycle.EffectiveEol.ShouldBe(Now.AddDays(10));
        }
    }

    [Fact]
    public void ADeletionHoldDoesNotPauseAStop()
    {
        var estate = new Estate();
        var image = estate.Image();
        estate.Finding(image, Severity.Critical, 20);
        estate.Notebook(image);
        estate.Hold(HoldSubjectKind.Image, image.Id, HoldScope.Deletion);

        estate.Decide().Actions.ShouldContain(a => a.Kind == ActionKind.StopWorkload);
    }

    [Fact]
    public void AnApprovedExtensionMovesOneWorkloadsDate()
    {
        var estate = new Estate();
        var image = estate.Image();
        estate.Finding(image, Severity.Critical, 20);
        var extended = estate.Notebook(image, "extended");
        var other = estate.Notebook(image, "other");
        estate.Extend(extended, image, days: 3);

        var plan = estate.Decide();

        plan.Actions.Single(a => a.Kind == ActionKind.StopWorkload).WorkloadId.ShouldBe(other.Id);
        plan.Actions.Single(a => a.Kind == ActionKind.NotifyOwner && a.WorkloadId == extended.Id).Stage.ShouldBe(7);
    }

    [Fact]
    public void ANotebookWhoseOwnerChoseToMigrateMovesInsteadOfStopping()
    {
        var estate = new Estate();
        var old = estate.Image(ageDays: 60);
        var replacement = estate.Image(ageDays: 1);
        estate.Finding(old, Severity.Critical, 20);
        var path = estate.Path(old, replacement);
        var migrating = estate.Notebook(old, "migrating");
        var staying = estate.Notebook(old, "staying");
        estate.Choose(migrating, old, migrate: true);
        estate.Choose(staying, old, migrate: false);

        var plan = estate.Decide();

        var migrate = plan.Actions.Single(a => a.Kind == ActionKind.MigrateWorkload);
        migrate.WorkloadId.ShouldBe(migrating.Id);
        migrate.TargetImageId.ShouldBe(replacement.Id);
        migrate.MigrationPathId.ShouldBe(path.Id);
        plan.Actions.Single(a => a.Kind == ActionKind.StopWorkload).WorkloadId.ShouldBe(staying.Id);
    }

    [Fact]
    public void AVulnerableReplacementIsNotMigratedToAndAdminsAreTold()
    {
        var estate = new Estate();
        var old = estate.Image(ageDays: 60);
        var replacement = estate.Image(ageDays: 1);
        estate.Finding(replacement, Severity.High, 0, "CVE-NEW");
        var path = estate.Path(old, replacement);
        var notebook = estate.Notebook(old);
        estate.Choose(notebook, old, migrate: true);

        var plan = estate.Decide(new LifecyclePolicy { MigrateWithoutChoice = true });

        plan.Actions.ShouldNotContain(a => a.Kind == ActionKind.MigrateWorkload);
        plan.Kept.ShouldContain(k => k.Kind == ActionKind.MigrateWorkload && k.Reason == "kept: the replacement has blocking findings");
        plan.Actions.Single(a => a.Kind == ActionKind.NotifyAdmins).Key.ShouldBe($"notify-admins:target-vulnerable:{path.Id}");
    }

    [Fact]
    public void ANewBlockingFindingOnACuratedImageIsToldToAdminsOnce()
    {
        var estate = new Estate();
        var curated = estate.Image("curated/jupyter", ImageClass.Curated);
        estate.Finding(curated, Severity.High, 0, "CVE-1");
        estate.Finding(curated, Severity.Low, 0, "CVE-LOW");
        var user = estate.Image("users/bob", ImageClass.User);
        estate.Finding(user, Severity.Critical, 0);

        var told = estate.Decide().Actions.Where(a => a.Kind == ActionKind.NotifyAdmins).ToList();

        told.ShouldHaveSingleItem().Reason.ShouldBe("New blocking finding on curated image curated/jupyter: CVE-1 (High) in openssl.");
        estate.Executed(told[0].Key);
        estate.Decide().Actions.ShouldNotContain(a => a.Kind == ActionKind.NotifyAdmins);
    }

    [Fact]
    public void RetentionKeepsTheNewestTagsAndWhatIsUsedHeldOrATargetAndDeletesTheRest()
    {
        var estate = new Estate();
        // Seven images of one repository, one tag each, the newest first: 1, 2, ... days old, then much older.
        var images = Enumerable.Range(0, 7).Select(i => estate.Image("users/alice/custom", ageDays: i < 5 ? i + 1 : 40 + i)).ToList();
        var used = estate.Image("users/alice/custom", ageDays: 60);
        estate.Notebook(used);
        var held = estate.Image("users/alice/custom", ageDays: 61);
        estate.Hold(HoldSubjectKind.Image, held.Id, HoldScope.Deletion, reason: "audit");
        var target = estate.Image("users/alice/custom", ageDays: 62);
        estate.Path(estate.Image("users/alice/other", ageDays: 1), target, MigrationPathState.Proposed);
        var untagged = estate.Image("users/alice/custom", ageDays: 63, tags: []);
        var young = estate.Image("users/alice/custom", ageDays: 10, tags: []);

        var plan = estate.Decide();

        var deleted = plan.Actions.Where(a => a.Kind == ActionKind.DeleteImage).Select(a => a.ImageId).ToList();
        deleted.ShouldBe([images[5].Id, images[6].Id, untagged.Id], ignoreOrder: true);
        deleted.ShouldNotContain(young.Id, "10 days is younger than the 30 days retention");
        plan.Kept.Single(k => k.ImageId == used.Id).Reason.ShouldBe("kept: used by 1 notebook");
        plan.Kept.Single(k => k.ImageId == held.Id).Reason.ShouldBe("kept: hold until 2026-12-02 by approver@example.org: audit");
        plan.Kept.Single(k => k.ImageId == target.Id).Reason.ShouldBe("kept: the replacement in a migration path");
        plan.Actions.Single(a => a.ImageId == untagged.Id).Reason.ShouldContain("untagged, unused, 63 days old");
    }

    [Fact]
    public void PlatformImagesAreNeverDeletedUnlessThePolicySaysSo()
    {
        var estate = new Estate();
        for (var i = 0; i < 8; i++)
        {
            estate.Image("platform/controller", ImageClass.Platform, ageDays: 100 + i);
        }

        estate.Decide().Actions.ShouldNotContain(a => a.Kind == ActionKind.DeleteImage);
        var policy = new LifecyclePolicy
        {
            Classes = [new ClassPolicy(ImageClass.Platform, new Dictionary<Severity, int>(), false, KeepNewestTags: 5, DeleteUnusedAfterDays: 90)],
        };
        estate.Decide(policy).Actions.Count(a => a.Kind == ActionKind.DeleteImage).ShouldBe(3);
    }

    [Fact]
    public void AnOldAliasOfAKeptImageIsATagDeletionAndTheImageStays()
    {
        var estate = new Estate();
        for (var i = 0; i < 4; i++)
        {
            estate.Image("team/app", ageDays: 1 + i);
        }

        // Its two tags straddle the cut at five: "stable" is kept, "v0-old" is not.
        var straddling = estate.Image("team/app", ageDays: 50, tags: ["stable", "v0-old"]);

        var plan = estate.Decide();

        plan.Actions.ShouldNotContain(a => a.Kind == ActionKind.DeleteImage);
        var tag = plan.Actions.Single(a => a.Kind == ActionKind.DeleteTag);
        tag.ImageId.ShouldBe(straddling.Id);
        tag.Tag.ShouldBe("v0-old");
    }

    [Fact]
    public void ActionsCarryThePolicyVersionAndTheModeThePolicyGivesTheirKind()
    {
        var estate = new Estate();
        var image = estate.Image();
        estate.Finding(image, Severity.Critical, 20);
        estate.Notebook(image);
        var policy = new LifecyclePolicy
        {
            Version = 7,
            Modes = new Dictionary<ActionKind, ExecutionMode> { [ActionKind.StopWorkload] = ExecutionMode.RequireApproval },
        };

        var plan = estate.Decide(policy);

        plan.PolicyVersion.ShouldBe(7);
        plan.Actions.ShouldAllBe(a => a.PolicyVersion == 7);
        plan.Actions.Single(a => a.Kind == ActionKind.StopWorkload).Mode.ShouldBe(ExecutionMode.RequireApproval);
        plan.Actions.Single(a => a.Kind == ActionKind.NotifyOwner).Mode.ShouldBe(ExecutionMode.Automatic);
    }

    [Fact]
    public void ThePolicyNamesWhatIsWrongWithIt()
    {
        var policy = new LifecyclePolicy
        {
            ReminderDays = [7, 7, 0],
            MaintenanceWindowHours = 0,
            Classes = [new ClassPolicy(ImageClass.User, new Dictionary<Severity, int> { [Severity.High] = -1 }, true, -1, 0)],
        };

        policy.Validate().ShouldBe(
        [
            "User High: grace days must be between 0 and 3650, not -1.",
            "User: keep between 0 and 1000 newest tags, not -1.",
            "User: unused images can be deleted after 1 day at the earliest, not 0.",
            "Reminder days are between 1 and 365 days before EOL.",
            "Each reminder day is given once.",
            "The maintenance window lasts between 1 and 168 hours, not 0.",
        ]);
        new LifecyclePolicy().Validate().ShouldBeEmpty();
    }
}
