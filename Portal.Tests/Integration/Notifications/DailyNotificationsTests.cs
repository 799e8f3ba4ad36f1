using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Portal.Core.Admission;
using Portal.Core.Auditing;
using Portal.Core.Findings;
using Portal.Core.Inventory;
using Portal.Core.Lifecycle;
using Portal.Core.Notifications;
using Portal.Core.Workloads;
using Portal.Features.Admission;
using Portal.Features.Audit;
using Portal.Features.Lifecycle;
using Portal.Features.Notifications;
using Portal.Tests.Components.Workloads;
using Portal.Tests.Integration.Lifecycle;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Integration.Notifications;

/// <summary>
/// The day's digests and summaries composed from a planned estate in a real database: the seeded estate (alice's and
/// carol's notebooks on the curated jupyterlab-cpu v1, which gained a Critical finding yesterday, so its EOL is 13 days
/// away and the 14-day reminder is due), plus alice's second notebook on v2 (an admin's EOL in 60 days: listed, not yet
/// due) and a pipeline namespace owned by a service name that is not an address. v1's approved replacement is v2.
/// </summary>
public sealed class DailyNotificationsTests(PostgresServer postgres)
{
    private static readonly DateTimeOffset Now = WorkloadComponentContext.Now; // 2026-11-22 12:00 UTC
    private const string Admin = "admin@example.org";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task QueuesOneDigestPerOwnerListingEveryAffectedWorkloadAndOneSummaryPerAdminAndNothingTwice(DatabaseKind kind)
    {
        await using var database = await TestDatabase.CreateAsync(kind, postgres);
        var estate = await SeedAsync(database);
        var services = new Services(database, new FakeTimeProvider(Now));

        var summary = await services.Daily.RunAsync(ignoreHour: false, Ct);

        summary.Message.ShouldBe("2 owner digests, 2 admin summaries and 1 webhook message queued; 3 notices recorded done; "
            + "1 owner without an address (pipelines-bot).");
        await using var db = database.CreateDbContext();
        var messages = await db.OutgoingMessages.OrderBy(m => m.Key).ToListAsync(Ct);
        messages.Select(m => (m.Key, m.Kind, m.Channel, m.Recipient)).ShouldBe([
            ("admin-summary:admin@example.org:2026-11-22", NotificationKind.AdminSummary, NotificationChannel.Email, "admin@example.org"),
            ("admin-summary:chat:2026-11-22", NotificationKind.AdminSummary, NotificationChannel.Webhook, "chat"),
            ("admin-summary:security@example.org:2026-11-22", NotificationKind.AdminSummary, NotificationChannel.Email, "security@example.org"),
            ("owner-digest:alice@example.org:2026-11-22", NotificationKind.OwnerDigest, NotificationChannel.Email, "alice@example.org"),
            ("owner-digest:carol@example.org:2026-11-22", NotificationKind.OwnerDigest, NotificationChannel.Email, "carol@example.org"),
        ]);
        messages.ShouldAllBe(m => m.Status == DeliveryStatus.Pending);

        var alice = messages.Single(m => m.Recipient == "alice@example.org");
        alice.Subject.ShouldBe("2 of your workloads run images with an end-of-life date (earliest 2026-12-05)");
        alice.Body.ShouldContain("alice/alice-notebook");
        alice.Body.ShouldContain("<code>aaw/jupyterlab-cpu:v1@sha256:111111111111</code>");
        alice.Body.ShouldContain("<strong>End of life: 2026-12-05</strong> (13 days left)");
        alice.Body.ShouldContain("Recommended replacement: <code>aaw/jupyterlab-cpu:v2@sha256:222222222222</code>");
        alice.Body.ShouldContain("<td style=\"padding: 2px 8px;\">CVE-2026-0001</td><td style=\"padding: 2px 8px;\">Critical</td>"
            + "<td style=\"padding: 2px 8px;\">openssl 3.0.1</td><td style=\"padding: 2px 8px;\">3.0.2</td>");
        alice.Body.ShouldContain("alice/alice-gpu", customMessage: "every affected workload, not only those whose reminder is due");
        alice.Body.ShouldContain("<strong>End of life: 2027-01-21</strong> (60 days left)");
        alice.Body.ShouldContain("No approved replacement yet.");
        alice.Body.ShouldContain("href=\"https://images.example.com/my-workloads\"");
        alice.Body.ShouldNotContain("shared-notebook", customMessage: "carol owns team-shared; alice only contributes");
        // The worst finding first, the Low one after it.
        alice.TextBody!.ShouldContain("""
              - CVE-2026-0001 (Critical) in openssl 3.0.1, fixed in 3.0.2
              - CVE-LOW (Low) in openssl 3.0.1, fixed in 3.0.2
            """.ReplaceLineEndings("\n"));
        alice.TextBody!.ShouldContain("Open My workloads: https://images.example.com/my-workloads");
        messages.Single(m => m.Recipient == "carol@example.org").Subject
            .ShouldBe("Your workload team-shared/shared-notebook runs an image with an end-of-life date (earliest 2026-12-05)");

        var admin = messages.Single(m => m.Recipient == "admin@example.org");
        admin.Body.ShouldContain("New blocking finding on curated image aaw/jupyterlab-cpu: CVE-2026-0001 (Critical) in openssl.");
        admin.Body.ShouldContain("href=\"https://images.example.com/plan\"");
        using (var webhook = JsonDocument.Parse(messages.Single(m => m.Channel == NotificationChannel.Webhook).Body))
        {
            var root = webhook.RootElement;
            root.GetProperty("kind").GetString().ShouldBe("AdminSummary");
            root.GetProperty("subject").GetString().ShouldBe(admin.Subject);
            root.GetProperty("link").GetString().ShouldBe("https://images.example.com/plan");
            root.GetProperty("text").GetString()!.ShouldContain("What happened:");
            root.GetProperty("items").EnumerateArray().Select(i => i.GetString())
                .ShouldBe(["New blocking finding on curated image aaw/jupyterlab-cpu: CVE-2026-0001 (Critical) in openssl."]);
        }

        // Each notice the messages carry is recorded done, so the plan no longer names it.
        var records = await db.LifecycleActions.OrderBy(r => r.Key).ToListAsync(Ct);
        records.Select(r => (r.Key, r.Status)).ShouldBe([
            ($"notify-admins:blocking:{estate.V1}:CVE-2026-0001:openssl", ActionStatus.Done),
            ($"notify-owner:alice@example.org:{estate.AliceNotebook}:{estate.V1}:2026-12-05:14", ActionStatus.Done),
            ($"notify-owner:carol@example.org:{estate.SharedNotebook}:{estate.V1}:2026-12-05:14", ActionStatus.Done),
        ]);
        records[1].Outcome.ShouldBe($"Told in the digest of 2026-11-22 (message {alice.Id})");
        records[0].Outcome.ShouldStartWith("Told in the admin summary of 2026-11-22 (messages ");
        (await db.AuditEntries.CountAsync(e => e.Action == AuditActions.ActionExecuted && e.Actor == DailyNotifications.Actor, Ct)).ShouldBe(3);
        var plan = (await services.Planner.PlanAsync(Ct)).Plan;
        plan.Actions.Where(a => a.Kind == ActionKind.NotifyOwner).Select(a => a.Owner).ShouldBe(["pipelines-bot"]);

        // The next hourly run, and a run after a restart (new services over the same database), queue nothing again.
        var again = await services.Daily.RunAsync(ignoreHour: false, Ct);
        var restarted = await new Services(database, new FakeTimeProvider(Now.AddHours(3))).Daily.RunAsync(ignoreHour: false, Ct);

        again.Message.ShouldBe("0 owner digests, 0 admin summaries queued; 0 notices recorded done; 1 owner without an address (pipelines-bot).");
        (restarted.OwnerDigests, restarted.AdminSummaries, restarted.Webhooks, restarted.KeysRecorded).ShouldBe((0, 0, 0, 0));
        (await db.OutgoingMessages.CountAsync(Ct)).ShouldBe(5);
    }

    [Fact]
    public async Task DryRunRemindersAreNeverQueuedAndThoseRequiringApprovalOnlyOnceApproved()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite, postgres);
        var estate = await SeedAsync(database);
        var services = new Services(database, new FakeTimeProvider(Now));
        await services.SaveModesAsync(ExecutionMode.DryRun);

        var dryRun = await services.Daily.RunAsync(ignoreHour: false, Ct);

        dryRun.OwnerDigests.ShouldBe(0);
        dryRun.OwnersWithoutAddress.ShouldBeEmpty();
        await using (var db = database.CreateDbContext())
        {
            (await db.OutgoingMessages.AnyAsync(m => m.Kind == NotificationKind.OwnerDigest, Ct)).ShouldBeFalse();
            (await db.LifecycleActions.AnyAsync(a => a.Kind == ActionKind.NotifyOwner, Ct)).ShouldBeFalse();
        }

        await services.SaveModesAsync(ExecutionMode.RequireApproval);
        (await services.Daily.RunAsync(ignoreHour: false, Ct)).OwnerDigests.ShouldBe(0, "nothing is approved yet");
        var aliceReminder = $"notify-owner:alice@example.org:{estate.AliceNotebook}:{estate.V1}:2026-12-05:14";
        (await services.Actions.DecideAsync(aliceReminder, approve: true, "tell her", Admin, Ct)).Errors.ShouldBeEmpty();

        var approved = await services.Daily.RunAsync(ignoreHour: false, Ct);

        approved.OwnerDigests.ShouldBe(1);
        await using var after = database.CreateDbContext();
        (await after.OutgoingMessages.Where(m => m.Kind == NotificationKind.OwnerDigest).Select(m => m.Recipient).ToListAsync(Ct)).ShouldBe(["alice@example.org"]);
        var record = await after.LifecycleActions.SingleAsync(a => a.Key == aliceReminder, Ct);
        (record.Status, record.DecidedBy, record.ExecutedBy).ShouldBe((ActionStatus.Done, Admin, DailyNotifications.Actor));
    }

    [Fact]
    public async Task AFindingAnExceptionCoversIsNotListedAsTheOwnersToDo()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite, postgres);
        await SeedAsync(database);
        await using (var db = database.CreateDbContext())
        {
            db.FindingExceptions.Add(FindingException.Record("CVE-LOW", "aaw/jupyterlab-cpu", null, null, ExceptionState.RiskAccepted,
                "only reachable from the admin shell", "admin@example.org", Now.AddDays(-1), Now.AddDays(30)));
            await db.SaveChangesAsync(Ct);
        }

        await new Services(database, new FakeTimeProvider(Now)).Daily.RunAsync(ignoreHour: false, Ct);

        await using var check = database.CreateDbContext();
        var alice = await check.OutgoingMessages.SingleAsync(m => m.Key == "owner-digest:alice@example.org:2026-11-22", Ct);
        alice.TextBody!.ShouldContain("- CVE-2026-0001 (Critical) in openssl 3.0.1, fixed in 3.0.2");
        alice.TextBody!.ShouldNotContain("CVE-LOW");
        alice.Body.ShouldNotContain("CVE-LOW");
    }

    [Fact]
    public async Task NothingGoesOutBeforeTheDigestHourAndTheNextReminderStageBringsANewDigestOnItsDay()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite, postgres);
        var estate = await SeedAsync(database);
        var clock = new FakeTimeProvider(Now.AddHours(-6)); // 06:00 UTC, before the 07:00 digest hour
        var services = new Services(database, clock);

        var early = await services.Daily.RunAsync(ignoreHour: false, Ct);
        clock.Advance(TimeSpan.FromHours(6));
        var first = await services.Daily.RunAsync(ignoreHour: false, Ct);
        clock.Advance(TimeSpan.FromDays(1));
        var nextDay = await services.Daily.RunAsync(ignoreHour: false, Ct);
        clock.Advance(TimeSpan.FromDays(6)); // 2026-11-29: 6 days before the EOL, the 7-day stage has come
        var weekLater = await services.Daily.RunAsync(ignoreHour: false, Ct);

        early.Ran.ShouldBeFalse();
        early.Message.ShouldBe("Before 07:00 UTC: the day's digests go out from then.");
        first.OwnerDigests.ShouldBe(2);
        nextDay.OwnerDigests.ShouldBe(0, "no new stage came: nobody hears the same thing again");
        nextDay.AdminSummaries.ShouldBe(0);
        weekLater.OwnerDigests.ShouldBe(2);
        await using var db = database.CreateDbContext();
        (await db.OutgoingMessages.Where(m => m.Recipient == "alice@example.org").OrderBy(m => m.Id).Select(m => m.Key).ToListAsync(Ct))
            .ShouldBe(["owner-digest:alice@example.org:2026-11-22", "owner-digest:alice@example.org:2026-11-29"]);
        (await db.LifecycleActions.SingleAsync(a => a.Key == $"notify-owner:alice@example.org:{estate.AliceNotebook}:{estate.V1}:2026-12-05:7", Ct))
            .Outcome.ShouldStartWith("Told in the digest of 2026-11-29");
        var latest = await db.OutgoingMessages.SingleAsync(m => m.Key == "owner-digest:alice@example.org:2026-11-29", Ct);
        latest.Body.ShouldContain("<strong>End of life: 2026-12-05</strong> (6 days left)");
    }

    [Fact]
    public async Task AnAdminAlertIsQueuedOncePerRecipientAndTheWebhookWhateverHowOftenItIsRaised()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite, postgres);
        var services = new Services(database, new FakeTimeProvider(Now));

        var first = await services.Alerts.QueueAsync("path-revoked:12", "Path revoked: <b>aaw/jupyterlab-cpu:v3</b> turned vulnerable",
            "Its target gained Critical CVE-2026-0002.", "/plan", Ct);
        var second = await new Services(database, new FakeTimeProvider(Now.AddHours(1))).Alerts
            .QueueAsync("path-revoked:12", "Path revoked again", "Same thing.", "/plan", Ct);

        first.ShouldBe(3);
        second.ShouldBe(0);
        await using var db = database.CreateDbContext();
        var messages = await db.OutgoingMessages.OrderBy(m => m.Key).ToListAsync(Ct);
        messages.Select(m => m.Key).ShouldBe(["admin-alert:path-revoked:12:admin@example.org", "admin-alert:path-revoked:12:chat",
            "admin-alert:path-revoked:12:security@example.org"]);
        messages.ShouldAllBe(m => m.Kind == NotificationKind.AdminAlert);
        var email = messages[0];
        email.Subject.ShouldBe("Image governance alert: Path revoked: <b>aaw/jupyterlab-cpu:v3</b> turned vulnerable");
        email.Body.ShouldContain("<h2 style=\"margin: 0 0 8px 0;\">Path revoked: &lt;b&gt;aaw/jupyterlab-cpu:v3&lt;/b&gt; turned vulnerable</h2>");
        email.Body.ShouldContain("href=\"https://images.example.com/plan\"");
        email.TextBody!.ShouldContain("Open in the portal: https://images.example.com/plan");
        using var webhook = JsonDocument.Parse(messages[1].Body);
        webhook.RootElement.GetProperty("kind").GetString().ShouldBe("AdminAlert");
        webhook.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetString()).ShouldBe(["Its target gained Critical CVE-2026-0002."]);
    }

    [Fact]
    public async Task ASavedTemplateIsVersionedAuditedAndUsedAndABrokenOneIsRefused()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite, postgres);
        await SeedAsync(database);
        var services = new Services(database, new FakeTimeProvider(Now));
        var defaults = NotificationTemplateDefaults.For(NotificationKind.OwnerDigest);

        var broken = await services.Templates.SaveAsync(NotificationKind.OwnerDigest, defaults with { Subject = "Hi {{ owner" }, 0, Admin, Ct);
        var unknown = await services.Templates.SaveAsync(NotificationKind.OwnerDigest, defaults with { Subject = "Hi {{ owner.password }}" }, 0, Admin, Ct);
        var saved = await services.Templates.SaveAsync(NotificationKind.OwnerDigest,
            defaults with { Subject = "EOL ahead for {{ workloads.size }} workload(s) of {{ owner }}" }, 0, Admin, Ct);
        var stale = await services.Templates.SaveAsync(NotificationKind.OwnerDigest, defaults with { Subject = "Other" }, 0, "other@example.org", Ct);

        broken.Errors.ShouldBe(["Subject: '{{' is not closed with '}}' (line 1, position 4)"]);
        unknown.Errors.ShouldBe(["Subject: 'owner' has no 'password' (line 1, position 7)"]);
        saved.Version.ShouldBe(1);
        stale.Errors.ShouldBe(["The template was changed by admin@example.org (now version 1) since you opened it; reload and edit again."]);
        (await services.Daily.RunAsync(ignoreHour: false, Ct)).OwnerDigests.ShouldBe(2);

        var reset = await services.Templates.ResetAsync(NotificationKind.OwnerDigest, Admin, Ct);

        reset.Version.ShouldBe(2);
        (await services.Templates.CurrentAsync(NotificationKind.OwnerDigest, Ct)).ShouldSatisfyAllConditions(
            t => t.Content.ShouldBe(defaults), t => t.IsDefault.ShouldBeTrue(), t => t.Version.ShouldBe(2));
        (await services.Templates.HistoryAsync(NotificationKind.OwnerDigest, Ct)).Select(h => (h.Version, h.IsDefault, h.SavedBy))
            .ShouldBe([(2, true, Admin), (1, false, Admin)]);
        await using var db = database.CreateDbContext();
        (await db.OutgoingMessages.SingleAsync(m => m.Recipient == "alice@example.org", Ct)).Subject.ShouldBe("EOL ahead for 2 workload(s) of alice@example.org");
        var audit = await db.AuditEntries.Where(e => e.Action == AuditActions.TemplateChanged).OrderBy(e => e.Id).ToListAsync(Ct);
        audit.Select(e => e.Subject).ShouldBe(["template OwnerDigest version 1", "template OwnerDigest version 2 (reset to default)"]);
        audit[0].Before!.ShouldContain("\"Version\":0");
        audit[0].After!.ShouldContain("EOL ahead for");
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task ARefusedPodBringsOnlyItsNamespaceOwnerADigestWithoutAReminderAndIsNotToldTwice(DatabaseKind kind)
    {
        await using var database = await TestDatabase.CreateAsync(kind, postgres);
        await SeedAsync(database);
        var clock = new FakeTimeProvider(Now);
        var services = new Services(database, clock);
        await using (var db = database.CreateDbContext())
        {
            // dave owns a namespace with no workload on an image with an EOL date: no reminder is ever due for him.
            db.NamespaceMembers.Add(NamespaceMember.From(WorkloadSeed.Cluster, new ObservedNamespaceMember("dave", "Dave@example.org", NamespaceRole.Owner, "Profile dave")));
            db.AdmissionDecisions.AddRange(
                Refusal("dave", "Deployment web", "registry.example.org/web:1.0", "expired on 2026-11-01", Now.AddHours(-5)),
                Refusal("dave", "Deployment web", "registry.example.org/web:1.0", "expired on 2026-11-01", Now.AddHours(-2)),
                Refusal("dave", "Pod debug", "docker.io/busybox:latest", "the portal does not know it", Now.AddHours(-3)),
                Refusal("dave", "Pod ancient", "docker.io/ancient:1", "the portal does not know it", Now.AddHours(-30)),
                Refusal("dave", "Pod warned", "docker.io/warned:1", "it has not been scanned yet", Now.AddHours(-1), AdmissionOutcome.Warned));
            await db.SaveChangesAsync(Ct);
        }

        var first = await services.Daily.RunAsync(ignoreHour: false, Ct);

        first.OwnerDigests.ShouldBe(3, "alice and carol for their reminder, dave for his refusals");
        await using (var db = database.CreateDbContext())
        {
            var dave = await db.OutgoingMessages.SingleAsync(m => m.Recipient == "dave@example.org", Ct);
            dave.Key.ShouldBe("owner-digest:dave@example.org:2026-11-22");
            dave.Subject.ShouldBe("2 pods in your namespaces were refused by admission control");
            dave.Body.ShouldContain("Pods refused by admission control</h2>");
            dave.Body.ShouldNotContain("These workloads of yours", customMessage: "dave has no workload on an image with an EOL date");
            dave.TextBody!.ShouldContain("""
                dave/Deployment web, 2026-11-22 10:00 UTC
                  Image: registry.example.org/web:1.0
                  Why: Image registry.example.org/web:1.0 is refused: expired on 2026-11-01.

                dave/Pod debug, 2026-11-22 09:00 UTC
                  Image: docker.io/busybox:latest
                """.ReplaceLineEndings("\n"), customMessage: "one line per workload and image, its latest refusal, newest first");
            dave.TextBody!.ShouldNotContain("ancient", customMessage: "older than a day, and dave never had a digest");
            dave.TextBody!.ShouldNotContain("warned", customMessage: "a warning let the pod run");
            var others = await db.OutgoingMessages.Where(m => m.Kind == NotificationKind.OwnerDigest && m.Recipient != "dave@example.org").ToListAsync(Ct);
            others.Select(m => m.Recipient).Order().ShouldBe(["alice@example.org", "carol@example.org"]);
            others.ShouldAllBe(m => !m.Body.Contains("refused", StringComparison.OrdinalIgnoreCase), "dave's refusals are his namespace's alone");
        }

        clock.Advance(TimeSpan.FromDays(1));
        var quietDay = await services.Daily.RunAsync(ignoreHour: false, Ct);
        await using (var db = database.CreateDbContext())
        {
            db.AdmissionDecisions.Add(Refusal("dave", "Deployment api", "registry.example.org/api:2.0", "expired on 2026-11-01", clock.GetUtcNow().AddHours(-1)));
            await db.SaveChangesAsync(Ct);
        }

        clock.Advance(TimeSpan.FromDays(1));
        var thirdDay = await services.Daily.RunAsync(ignoreHour: false, Ct);

        quietDay.OwnerDigests.ShouldBe(0, "nothing was refused since dave's digest");
        thirdDay.OwnerDigests.ShouldBe(1);
        await using (var db = database.CreateDbContext())
        {
            var latest = await db.OutgoingMessages.SingleAsync(m => m.Key == "owner-digest:dave@example.org:2026-11-24", Ct);
            latest.Subject.ShouldBe("A pod in your namespaces was refused by admission control");
            latest.TextBody!.ShouldContain("dave/Deployment api, 2026-11-23 11:00 UTC");
            latest.TextBody!.ShouldNotContain("web:1.0", customMessage: "told in the digest of 2026-11-22");
            latest.TextBody!.ShouldNotContain("busybox");
        }
    }

    [Fact]
    public async Task AnOwnerDueAReminderHearsOfRefusalsInTheSameDigestAndOnlyTheNewestTwentyAreListed()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite, postgres);
        await SeedAsync(database);
        var services = new Services(database, new FakeTimeProvider(Now));
        await using (var db = database.CreateDbContext())
        {
            db.AdmissionDecisions.AddRange(Enumerable.Range(1, 23).Select(i =>
                Refusal("alice", $"Pod job-{i:00}", "docker.io/busybox:latest", "the portal does not know it", Now.AddMinutes(-10 * i))));
            await db.SaveChangesAsync(Ct);
        }

        var summary = await services.Daily.RunAsync(ignoreHour: false, Ct);

        summary.OwnerDigests.ShouldBe(2, "alice's reminder and refusals go in one digest");
        await using var after = database.CreateDbContext();
        var alice = await after.OutgoingMessages.SingleAsync(m => m.Recipient == "alice@example.org", Ct);
        alice.Subject.ShouldBe("23 pods in your namespaces were refused by admission control; "
            + "2 of your workloads run images with an end-of-life date (earliest 2026-12-05)");
        alice.Body.ShouldContain("alice/alice-notebook", customMessage: "the workloads section stays");
        alice.Body.ShouldContain("alice/Pod job-01</td>");
        alice.Body.ShouldContain("alice/Pod job-20</td>");
        alice.Body.ShouldNotContain("alice/Pod job-21</td>", customMessage: "the oldest beyond twenty are counted, not listed");
        alice.Body.ShouldContain("<p>And 3 more.</p>");
        alice.Body.IndexOf("job-01", StringComparison.Ordinal).ShouldBeLessThan(alice.Body.IndexOf("job-02", StringComparison.Ordinal), "newest first");
        (await after.OutgoingMessages.SingleAsync(m => m.Recipient == "carol@example.org", Ct)).Body.ShouldNotContain("job-01");
    }

    private static AdmissionDecisionRecord Refusal(
        string ns, string workload, string image, string problem, DateTimeOffset at, AdmissionOutcome outcome = AdmissionOutcome.Refused) =>
        AdmissionDecisionRecord.From(
            new AdmissionRequest(Guid.NewGuid().ToString(), "CREATE", ns, workload, [workload.Split(' ')[1]], [new PodImage("main", "containers", image)], false,
                "system:serviceaccount:kube-system:replicaset-controller"),
            new AdmissionFinding(image, null, null, outcome, true, $"Image {image} is refused: {problem}."), 1, at);

    private sealed record Estate(long V1, long V2, long AliceNotebook, long SharedNotebook);

    private static async Task<Estate> SeedAsync(TestDatabase database)
    {
        var ids = await WorkloadSeed.SeedAsync(database, Ct);
        await LifecycleServicesTests.AddFindingAsync(database, WorkloadSeed.V1Digest, Severity.Critical, Now.AddDays(-1));
        await LifecycleServicesTests.AddFindingAsync(database, WorkloadSeed.V1Digest, Severity.Low, Now.AddDays(-100), id: "CVE-LOW");
        await using var db = database.CreateDbContext();
        db.ManualEols.Add(ManualEol.Set(ids.V2, Now.AddDays(60), "the base image is retired", Admin, Now));
        var path = MigrationPath.Propose(ids.V1, "aaw/jupyterlab-cpu:v1@sha256:111111111111", ids.V2, "aaw/jupyterlab-cpu:v2@sha256:222222222222",
            "newest clean Prod release on the track", Now);
        path.Approve(Admin, Now).ShouldBeEmpty();
        db.MigrationPaths.Add(path);
        var gpu = Notebook("alice", "alice-gpu", "127.0.0.1:5082/aaw/jupyterlab-cpu:v2", "sha256:" + new string('2', 64), ids.V2);
        var runner = Workload.Discover(WorkloadSeed.Cluster, new ObservedWorkload(WorkloadKind.Pod, "pipelines", "runner-5f6c", "Deployment", "runner",
            WorkloadLifetime.LongLived, WorkloadStatus.Running, Now.AddDays(-3), null,
            [Use("127.0.0.1:5082/aaw/jupyterlab-cpu:v1", WorkloadSeed.V1Digest)]), Now);
        runner.Images[0].LinkTo(ids.V1);
        db.Workloads.AddRange(gpu, runner);
        db.NamespaceMembers.Add(NamespaceMember.From(WorkloadSeed.Cluster,
            new ObservedNamespaceMember("pipelines", "pipelines-bot", NamespaceRole.Owner, "Profile pipelines")));
        await db.SaveChangesAsync(Ct);
        var workloads = await db.Workloads.Where(w => w.Name == "alice-notebook" || w.Name == "shared-notebook").ToDictionaryAsync(w => w.Name, w => w.Id, Ct);
        return new Estate(ids.V1, ids.V2, workloads["alice-notebook"], workloads["shared-notebook"]);
    }

    private static Workload Notebook(string ns, string name, string reference, string digest, long imageId)
    {
        var workload = Workload.Discover(WorkloadSeed.Cluster, new ObservedWorkload(WorkloadKind.Notebook, ns, name, null, null, WorkloadLifetime.LongLived,
            WorkloadStatus.Running, Now.AddHours(-1), null, [Use(reference, digest)]), Now);
        workload.Images[0].LinkTo(imageId);
        return workload;
    }

    private static ObservedImageUse Use(string reference, string digest) =>
        new("main", ContainerType.Container, ContainerImage.Resolve(reference, $"{reference[..reference.LastIndexOf(':')]}@{digest}"));

    /// <summary>The portal's real services over the test database, as one process would hold them.</summary>
    private sealed class Services
    {
        public Services(TestDatabase database, FakeTimeProvider clock)
        {
            var options = Options.Create(new NotificationOptions
            {
                PortalUrl = "https://images.example.com/",
                AdminRecipients = ["Admin@example.org", "security@example.org", "not-an-address"],
                DigestHourUtc = 7,
                Webhook = new WebhookOptions { Url = "https://chat.example.com/hooks/portal", Secret = "s3cret", Name = "chat" },
            });
            var audit = new AuditLog(database, clock);
            Policies = new LifecyclePolicies(database, audit, clock);
            Planner = new LifecyclePlanner(database, Policies, clock);
            Actions = new LifecycleActions(database, Planner, clock);
            Templates = new NotificationTemplates(database, audit, options, clock);
            Daily = new DailyNotifications(database, Planner, new AdmissionDecisions(database, NullLogger<AdmissionDecisions>.Instance), Templates, options,
                clock, NullLogger<DailyNotifications>.Instance);
            Alerts = new AdminAlerts(database, Templates, options, clock, NullLogger<AdminAlerts>.Instance);
        }

        public LifecyclePolicies Policies { get; }
        public LifecyclePlanner Planner { get; }
        public LifecycleActions Actions { get; }
        public NotificationTemplates Templates { get; }
        public DailyNotifications Daily { get; }
        public AdminAlerts Alerts { get; }

        public async Task SaveModesAsync(ExecutionMode ownerReminders)
        {
            var current = await Policies.CurrentAsync(Ct);
            var saved = await Policies.SaveAsync(current with
            {
                Modes = new Dictionary<ActionKind, ExecutionMode>(current.Modes) { [ActionKind.NotifyOwner] = ownerReminders },
            }, Admin, Ct);
            saved.Errors.ShouldBeEmpty();
        }
    }
}
