using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Auditing;
using Portal.Core.Findings;
using Portal.Core.Inventory;
using Portal.Core.Jobs;
using Portal.Data;
using Portal.Features.Findings;

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

/// <summary>Findings open at the end of one day (UTC; today: now), per severity, not counting those an exception covered then.</summary>
public sealed record DailySeverityCounts(DateOnly Day, int Critical, int High, int Medium, int Low, int Unknown)
{
    public int Total => Critical + High + Medium + Low + Unknown;

    public int this[Severity severity] => severity switch
    {
        Severity.Critical => Critical,
        Severity.High => High,
        Severity.Medium => Medium,
        Severity.Low => Low,
        _ => Unknown,
    };
}

/// <summary>An image that present workloads run, with its open findings that no exception covers.</summary>
public sealed record VulnerableImage(
    long ImageId, string Repository, string Digest, IReadOnlyList<string> Tags, ImageClass Class, int Critical, int High, int Open, int Workloads)
{
    public string ShortDigest => Digest.Length > 19 ? Digest[..19] : Digest;
}

/// <summary>The Dashboard's figures, counted in the database at the moment the page asks.</summary>
public sealed class DashboardSummary(IDbContextFactory<PortalDbContext> contexts, TimeProvider clock)
{
    public const int ChartDays = 7;

    public const int FindingTrendDays = 30;

    public const int MostVulnerableImages = 10;

    // The severity's place in a combined group key (day * SeverityKeys + severity), see FindingTrendAsync.
    private const int SeverityKeys = 8;

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

    /// <summary>
    /// Open findings per severity at the end of each of the last <see cref="FindingTrendDays"/> days (UTC; today counts
    /// up to now). A finding is open at a moment when it was first seen by then and not resolved by then. A finding an
    /// exception covered at that moment (recorded by then, not yet expired or revoked) is not counted: an excepted finding
    /// is not an open, blocking one. Counted in the database: two grouped scans of the findings (first seen, resolved, per
    /// day and severity), plus the findings exceptions cover, which are few.
    /// </summary>
    public async Task<IReadOnlyList<DailySeverityCounts>> FindingTrendAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        // The moment each day is counted at: its last microsecond (PostgreSQL keeps microseconds and would round a
        // last tick up into the next day), or now for today.
        var ends = Enumerable.Range(0, FindingTrendDays)
            .Select(i => i == FindingTrendDays - 1 ? now : today.AddDays(i - FindingTrendDays + 2).AddTicks(-TimeSpan.TicksPerMicrosecond))
            .ToList();
        var first = ends[0];
        var last = ends[^1];
        var severities = Enum.GetValues<Severity>();

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var findings = db.Findings.AsNoTracking();
        // Open at the end of day d = first seen by then - resolved by then (a finding is resolved only after it is first
        // seen, and reopening clears the resolution): so two per-day counts give every day, each from one grouped scan.
        var seen = await findings.Where(f => f.FirstSeen <= last)
            .GroupBy(DayAndSeverity(f => f.FirstSeen, ends))
            .Select(g => new { g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var resolved = await findings.Where(f => f.ResolvedAt != null && f.ResolvedAt <= last)
            .GroupBy(DayAndSeverity(f => f.ResolvedAt!.Value, ends))
            .Select(g => new { g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken);

        var open = new int[FindingTrendDays, SeverityKeys];
        foreach (var (counts, sign) in new[] { (seen, 1), (resolved, -1) })
        {
            foreach (var group in counts)
            {
                // Counted on its day and every later one.
                for (var day = group.Key / SeverityKeys; day < FindingTrendDays; day++)
                {
                    open[day, group.Key % SeverityKeys] += sign * group.Count;
                }
            }
        }

        // Exceptions are few and cover few findings: read those pairs (scope matched in the database) and take off each
        // finding on the days it was open and covered.
        var covered = await (
                from exception in db.FindingExceptions.AsNoTracking()
                where exception.CreatedAt <= last && exception.ExpiresAt > first && (exception.RevokedAt == null || exception.RevokedAt > first)
                join finding in findings on exception.VulnerabilityId equals finding.VulnerabilityId
                where finding.FirstSeen <= last && (finding.ResolvedAt == null || finding.ResolvedAt > first)
                    && (exception.Digest == null || exception.Digest == finding.Digest)
                    && (exception.Package == null || exception.Package == finding.Package)
                    && (exception.Repository == null || db.Images.Any(i => i.Digest == finding.Digest
                        && db.Repositories.Any(r => r.Id == i.RepositoryId && r.Name == exception.Repository)))
                select new
                {
                    finding.Id, finding.Severity, finding.FirstSeen, finding.ResolvedAt,
                    exception.CreatedAt, exception.ExpiresAt, exception.RevokedAt,
                })
            .ToListAsync(cancellationToken);
        foreach (var finding in covered.GroupBy(c => c.Id))
        {
            var f = finding.First();
            for (var day = 0; day < FindingTrendDays; day++)
            {
                var at = ends[day];
                var isOpen = f.FirstSeen <= at && (f.ResolvedAt is null || f.ResolvedAt > at);
                if (isOpen && finding.Any(e => e.CreatedAt <= at && e.ExpiresAt > at && (e.RevokedAt is null || e.RevokedAt > at)))
                {
                    open[day, (int)f.Severity]--;
                }
            }
        }

        return Enumerable.Range(0, FindingTrendDays)
            .Select(day => new DailySeverityCounts(
                DateOnly.FromDateTime(ends[day].UtcDateTime),
                open[day, (int)Severity.Critical], open[day, (int)Severity.High], open[day, (int)Severity.Medium],
                open[day, (int)Severity.Low], open[day, (int)Severity.Unknown]))
            .ToList();
    }

    /// <summary>
    /// Images present workloads run (an index counts with its platform images), ranked by their open Critical findings,
    /// then High, then all open ones; findings an active exception covers are not counted, and images without an open
    /// finding are left out.
    /// </summary>
    public async Task<IReadOnlyList<VulnerableImage>> MostVulnerableImagesInUseAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var uses =
            from use in db.WorkloadImages
            join workload in db.Workloads on use.WorkloadId equals workload.Id
            join image in db.Images on use.ImageId equals image.Id
            where workload.GoneAt == null
            select new { Top = image.ParentId ?? image.Id, use.WorkloadId };
        var inUse = uses.Select(u => u.Top).Distinct();
        var digests =
            from image in db.Images
            where inUse.Contains(image.Id) || (image.ParentId != null && inUse.Contains(image.ParentId.Value))
            select new { Top = image.ParentId ?? image.Id, image.Digest };
        var open = db.Findings.AsNoTracking().Where(f => f.ResolvedAt == null).NotExceptedAt(db, now);
        var ranked = await (
                from d in digests
                join finding in open on d.Digest equals finding.Digest
                group finding by d.Top into g
                select new
                {
                    ImageId = g.Key,
                    Critical = g.Count(f => f.Severity == Severity.Critical),
                    High = g.Count(f => f.Severity == Severity.High),
                    Open = g.Count(),
                })
            .OrderByDescending(x => x.Critical).ThenByDescending(x => x.High).ThenByDescending(x => x.Open).ThenBy(x => x.ImageId)
            .Take(MostVulnerableImages)
            .ToListAsync(cancellationToken);

        var ids = ranked.Select(r => r.ImageId).ToList();
        var images = await (
                from image in db.Images.AsNoTracking()
                join repository in db.Repositories on image.RepositoryId equals repository.Id
                where ids.Contains(image.Id)
                select new { image.Id, image.Digest, image.Class, Repository = repository.Name })
            .ToDictionaryAsync(i => i.Id, cancellationToken);
        var tags = (await db.Tags.AsNoTracking()
                .Where(t => ids.Contains(t.ImageId) && t.GoneAt == null)
                .Select(t => new { t.ImageId, t.Name })
                .ToListAsync(cancellationToken))
            .ToLookup(t => t.ImageId, t => t.Name);
        var workloads = await uses.Where(u => ids.Contains(u.Top))
            .Distinct()
            .GroupBy(u => u.Top)
            .Select(g => new { Top = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Top, g => g.Count, cancellationToken);
        return ranked
            .Select(r =>
            {
                var image = images[r.ImageId];
                return new VulnerableImage(r.ImageId, image.Repository, image.Digest, tags[r.ImageId].Order(StringComparer.Ordinal).ToList(),
                    image.Class, r.Critical, r.High, r.Open, workloads.GetValueOrDefault(r.ImageId));
            })
            .ToList();
    }

    /// <summary>
    /// A group key for a finding: the index of the first day whose end <paramref name="time"/> is at or before, times
    /// <see cref="SeverityKeys"/>, plus the severity. Built as one CASE expression, so that grouping runs in the database
    /// on both providers (SQLite keeps times as ticks, PostgreSQL as timestamps: no date function is common to both).
    /// </summary>
    private static Expression<Func<Finding, int>> DayAndSeverity(Expression<Func<Finding, DateTimeOffset>> time, IReadOnlyList<DateTimeOffset> ends)
    {
        var finding = time.Parameters[0];
        Expression day = Expression.Constant(ends.Count - 1);
        for (var i = ends.Count - 2; i >= 0; i--)
        {
            day = Expression.Condition(Expression.LessThanOrEqual(time.Body, Expression.Constant(ends[i])), Expression.Constant(i), day);
        }

        var severity = Expression.Property(finding, nameof(Finding.Severity));
        Expression rank = Expression.Constant((int)Severity.Unknown);
        foreach (var value in Enum.GetValues<Severity>().Where(s => s != Severity.Unknown))
        {
            rank = Expression.Condition(Expression.Equal(severity, Expression.Constant(value)), Expression.Constant((int)value), rank);
        }

        return Expression.Lambda<Func<Finding, int>>(
            Expression.Add(Expression.Multiply(day, Expression.Constant(SeverityKeys)), rank), finding);
    }
}
