using Microsoft.EntityFrameworkCore;
using Portal.Core.Auditing;
using Portal.Core.Jobs;
using Portal.Data;
using Portal.Features.Audit;
using Quartz;
using JobRunStatus = Portal.Core.Jobs.JobRunStatus;

namespace Portal.Features.Jobs;

public sealed record JobSummary(
    string Name,
    string Title,
    string Description,
    string Schedule,
    DateTimeOffset? NextFireTime,
    JobRunView? LastRun);

/// <summary>What the Jobs page and API show and do: each job's schedule, next and last run, and "Run now".</summary>
public sealed class JobsOverview(
    ISchedulerFactory schedulers,
    IDbContextFactory<PortalDbContext> contexts,
    AuditLog audit)
{
    public const string TriggeredByKey = "triggeredBy";

    public async Task<IReadOnlyList<JobSummary>> ListAsync(CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);

        var summaries = new List<JobSummary>();
        foreach (var job in JobCatalog.All)
        {
            var triggers = await scheduler.GetTriggersOfJob(new JobKey(job.Name), cancellationToken);
            var schedule = triggers.OfType<ICronTrigger>().Select(t => t.CronExpressionString).FirstOrDefault();
            var next = triggers.Select(t => t.NextFireTimeUtc).Where(t => t is not null).Min();
            var lastRun = await db.JobRuns.AsNoTracking()
                .Where(r => r.JobName == job.Name)
                .OrderByDescending(r => r.StartedAt)
                .FirstOrDefaultAsync(cancellationToken);
            summaries.Add(new JobSummary(
                job.Name, job.Title, job.Description, schedule ?? "not scheduled", next,
                lastRun is null ? null : JobRunView.From(lastRun)));
        }

        return summaries;
    }

    public async Task<IReadOnlyList<JobRunView>> RecentRunsAsync(string jobName, int take, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var runs = await db.JobRuns.AsNoTracking()
            .Where(r => r.JobName == jobName)
            .OrderByDescending(r => r.StartedAt)
            .Take(take)
            .ToListAsync(cancellationToken);
        return runs.Select(JobRunView.From).ToList();
    }

    /// <summary>Starts a job now on behalf of a person. Returns false when no such job exists.</summary>
    public async Task<bool> RunNowAsync(
        string jobName, string actor, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? data = null)
    {
        var job = JobCatalog.Find(jobName);
        if (job is null)
        {
            return false;
        }

        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var map = new JobDataMap { [TriggeredByKey] = actor };
        foreach (var (key, value) in data ?? new Dictionary<string, string>())
        {
            map[key] = value;
        }

        await scheduler.TriggerJob(new JobKey(job.Name), map, cancellationToken);
        await audit.RecordAsync(AuditActorKind.Person, actor, AuditActions.JobTriggered, subject: job.Name,
            after: data is null ? null : System.Text.Json.JsonSerializer.Serialize(data), cancellationToken: cancellationToken);
        return true;
    }

    public async Task<bool> IsRunningAsync(string jobName, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.JobRuns.AnyAsync(r => r.JobName == jobName && r.Status == JobRunStatus.Running, cancellationToken);
    }
}
