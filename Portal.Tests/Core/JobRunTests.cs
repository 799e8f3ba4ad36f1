using Portal.Core.Jobs;

namespace Portal.Tests.Core;

public sealed class JobRunTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 2, 30, 0, TimeSpan.Zero);

    [Fact]
    public void ReportsProgressAndEndsWithItsDuration()
    {
        var run = JobRun.Start(Guid.NewGuid(), "audit-retention", "schedule", Start);

        run.ReportProgress(5, 10);
        run.Succeed(Start.AddSeconds(3), "done");

        run.Status.ShouldBe(JobRunStatus.Succeeded);
        run.ProgressCurrent.ShouldBe(5);
        run.ProgressTotal.ShouldBe(10);
        run.Duration.ShouldBe(TimeSpan.FromSeconds(3));
    }

    [Theory]
    [InlineData(-1, 10)]
    [InlineData(11, 10)]
    [InlineData(1, -1)]
    public void RefusesImpossibleProgress(long current, long total) =>
        Should.Throw<ArgumentOutOfRangeException>(() =>
            JobRun.Start(Guid.NewGuid(), "job", "schedule", Start).ReportProgress(current, total));

    [Fact]
    public void AcceptsProgressWithUnknownTotal()
    {
        var run = JobRun.Start(Guid.NewGuid(), "job", "schedule", Start);

        run.ReportProgress(42, null);

        run.ProgressTotal.ShouldBeNull();
    }

    [Fact]
    public void EndsOnlyOnce()
    {
        var run = JobRun.Start(Guid.NewGuid(), "job", "schedule", Start);
        run.Fail(Start.AddSeconds(1), "registry unreachable");

        Should.Throw<InvalidOperationException>(() => run.Succeed(Start.AddSeconds(2), "late"));
        Should.Throw<InvalidOperationException>(() => run.ReportProgress(1, 1));
        run.Status.ShouldBe(JobRunStatus.Failed);
        run.Message.ShouldBe("registry unreachable");
    }
}
