using Portal.Core.Lifecycle;
using Portal.Features.Lifecycle;

namespace Portal.Tests.Core.Lifecycle;

/// <summary>What becomes of a planned action: decisions, attempts and their backoff; and when the maintenance window is open.</summary>
public sealed class ActionRecordTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private static readonly PlannedAction Stop = new(ActionKind.StopWorkload, "stop:1:2:2026-11-16", ExecutionMode.RequireApproval,
        "Notebook alice/notebook runs aaw/notebook, past its EOL.", 3, Now, ImageId: 2, WorkloadId: 1);

    [Fact]
    public void FailuresAreTriedAgainAfterABackoffThatDoublesUntilAttemptsRunOut()
    {
        var record = ActionRecord.Start(Stop, "alice/notebook", "lifecycle", Now);
        var retries = new List<TimeSpan?>();
        for (var attempt = 1; attempt <= ActionRecord.MaxAttempts; attempt++)
        {
            var failedAt = Now.AddHours(attempt);
            if (attempt > 1)
            {
                record.IsRunnable(failedAt).ShouldBeTrue();
                record.Begin("lifecycle", failedAt);
            }

            record.Fail("the API server answered 503", failedAt);
            retries.Add(record.NextAttemptAt - failedAt);
            record.IsRunnable(failedAt).ShouldBe(false, "not before the backoff has passed");
        }

        retries.ShouldBe([TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(40), null]);
        record.Attempts.ShouldBe(ActionRecord.MaxAttempts);
        record.IsRunnable(Now.AddYears(1)).ShouldBeFalse("it gave up");
        record.Outcome.ShouldBe("the API server answered 503");
    }

    [Fact]
    public void ADecisionCanChangeUntilTheActionIsCarriedOut()
    {
        var record = ActionRecord.Decide(Stop, "alice/notebook", approve: false, "approver@example.org", "exam week", Now);
        record.IsRunnable(Now).ShouldBeFalse("rejected");

        record.Redecide(approve: true, "admin@example.org", null, Now.AddHours(1)).ShouldBeEmpty();
        record.IsRunnable(Now.AddHours(1)).ShouldBeTrue();
        record.Begin("lifecycle", Now.AddHours(2));
        record.Complete("Stopped notebook alice/notebook.", Now.AddHours(2));

        record.Redecide(approve: false, "approver@example.org", null, Now.AddHours(3)).ShouldBe(["The action is already done; it can no longer be approved or rejected."]);
        (record.Status, record.DecidedBy, record.PolicyVersion, record.Attempts).ShouldBe((ActionStatus.Done, "admin@example.org", 3, 1));
    }

    [Theory]
    [InlineData("2026-11-22T01:59:59Z", false)]
    [InlineData("2026-11-22T02:00:00Z", true)]
    [InlineData("2026-11-22T05:59:59Z", true)]
    [InlineData("2026-11-22T06:00:00Z", false)]
    [InlineData("2026-11-25T03:00:00Z", false)]
    public void TheDefaultWindowIsSundayTwoToSixUtc(string at, bool open)
    {
        // 2026-11-22 is a Sunday.
        (MaintenanceWindow.At(new LifecyclePolicy(), DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture)) is not null).ShouldBe(open);
    }

    [Fact]
    public void TheNextWindowsAreWeekly()
    {
        MaintenanceWindow.Next(new LifecyclePolicy(), Now, 2).Select(w => (w.Opens, w.Closes)).ShouldBe([
            (new DateTimeOffset(2026, 11, 29, 2, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 29, 6, 0, 0, TimeSpan.Zero)),
            (new DateTimeOffset(2026, 12, 6, 2, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 6, 6, 0, 0, TimeSpan.Zero)),
        ]);
        MaintenanceWindow.IsValidCron("every sunday", out var error).ShouldBeFalse();
        error.ShouldStartWith("The maintenance window's start is not a valid cron expression");
        MaintenanceWindow.IsValidCron("0 0 2 1 1 ? 2020", out var past).ShouldBeFalse();
        past.ShouldBe("The maintenance window's start never comes again; stops, migrations and deletions would never run.");
    }
}
