using System.ComponentModel.DataAnnotations;
using Quartz;

namespace Portal.Features.Jobs;

public enum JobStore
{
    /// <summary>One portal instance; schedules come from configuration at every start.</summary>
    Memory,

    /// <summary>Several replicas share one schedule through Quartz's clustered ADO store on PostgreSQL.</summary>
    Postgres,
}

public sealed class JobsOptions : IValidatableObject
{
    public const string SectionName = "Jobs";

    public JobStore Store { get; set; } = JobStore.Memory;

    /// <summary>Quartz cron expressions (with seconds) by job name, e.g. "audit-retention": "0 30 2 * * ?".</summary>
    public Dictionary<string, string> Schedules { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Jobs to run once as soon as the scheduler starts, e.g. the syncs on a fresh local stack.</summary>
    public List<string> RunOnStart { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var job in RunOnStart.Where(j => JobCatalog.Find(j) is null))
        {
            yield return new ValidationResult(
                $"Jobs:RunOnStart names '{job}', which is no known job. Known jobs: {string.Join(", ", JobCatalog.All.Select(j => j.Name))}.");
        }

        foreach (var (job, cron) in Schedules)
        {
            if (JobCatalog.Find(job) is null)
            {
                yield return new ValidationResult(
                    $"Jobs:Schedules:{job} names no known job. Known jobs: {string.Join(", ", JobCatalog.All.Select(j => j.Name))}.");
            }
            else if (!IsValidCron(cron))
            {
                yield return new ValidationResult(
                    $"Jobs:Schedules:{job} '{cron}' is not a valid Quartz cron expression (seconds minutes hours day-of-month month day-of-week, e.g. '0 30 2 * * ?').");
            }
        }
    }

    private static bool IsValidCron(string cron)
    {
        try
        {
            _ = new CronExpression(cron);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
