using Microsoft.EntityFrameworkCore;
using Portal.Core.Auditing;
using Portal.Core.Jobs;
using Portal.Data;

namespace Portal.Features.Dashboard;

public sealed record DashboardCounts(
    int AuditEntriesLastDay,
    int SignInsLastDay,
    int PeopleSignedInLastWeek,
    int JobRunsSucceededLastDay,
    int JobRunsFailedLastDay,
    int JobsRunning,
    IReadOnlyList<DailyCount> SignInsPerDay);

public sealed record DailyCount(DateOnly Day, int Count);

/// <summary>The Dashboard's figures, counted in the database at the moment the page asks.</summary>
public sealed class DashboardSummary(IDbContextFactory<PortalDbContext> contexts, TimeProvider clock)
{
    public const int ChartDays = 7;

    public async Task<DashboardCounts> GetAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var dayAgo = now.AddDays(-1);
        var weekAgo = now.AddDays(-7);
        var chartStart = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero).AddDays(-(ChartDays - 1));

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var audit = db.AuditEntries.AsNoTracking();
        var runs = db.JobRuns.AsNoTracking();

        var signInTimes = await audit
            .Where(e => e.Action == AuditActions.SignIn && e.Timestamp >= chartStart)
            .Select(e => e.Timestamp)
            .ToListAsync(cancellationToken);
        var perDay = Enumerable.Range(0, ChartDays)
            .Select(i => DateOnly.FromDateTime(chartStart.AddDays(i).UtcDateTime))
            .Select(day => new DailyCount(day, signInTimes.Count(t => DateOnly.FromDateTime(t.UtcDateTime) == day)))
            .ToList();

        return new DashboardCounts(
            AuditEntriesLastDay: await audit.CountAsync(e => e.Timestamp >= dayAgo, cancellationToken),
            SignInsLastDay: await audit.CountAsync(e => e.Action == AuditActions.SignIn && e.Timestamp >= dayAgo, cancellationToken),
            PeopleSignedInLastWeek: await audit
                .Where(e => e.Action == AuditActions.SignIn && e.Timestamp >= weekAgo)
                .Select(e => e.Actor).Distinct().CountAsync(cancellationToken),
            JobRunsSucceededLastDay: await runs.CountAsync(r => r.Status == JobRunStatus.Succeeded && r.StartedAt >= dayAgo, cancellationToken),
            JobRunsFailedLastDay: await runs.CountAsync(r => r.Status == JobRunStatus.Failed && r.StartedAt >= dayAgo, cancellationToken),
            JobsRunning: await runs.CountAsync(r => r.Status == JobRunStatus.Running, cancellationToken),
            SignInsPerDay: perDay);
    }
}
