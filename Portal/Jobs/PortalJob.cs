using Portal.Core.Jobs;
using Portal.Features.Jobs;
using Quartz;

namespace Portal.Jobs;

/// <summary>
/// The frame every portal job runs in: a job run row with progress and result, and a failure that is logged
/// and recorded rather than lost. Subclasses stay thin and call a feature service.
/// </summary>
public abstract class PortalJob(JobRunRecorder recorder, ILogger logger) : IJob
{
    protected abstract string JobName { get; }

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var triggeredBy = context.MergedJobDataMap.GetString(JobsOverview.TriggeredByKey) ?? "schedule";
        var run = await recorder.StartAsync(JobName, triggeredBy, cancellationToken);
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["JobName"] = JobName, ["JobRunId"] = run.Run.Id });
        using var activity = JobTelemetry.ActivitySource.StartActivity($"job {JobName}");
        try
        {
            var message = await RunAsync(run, context, cancellationToken);
            await run.SucceedAsync(message);
            logger.LogInformation("Job {JobName} succeeded: {Message}", JobName, message);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Job {JobName} failed", JobName);
            await run.FailAsync(ex is OperationCanceledException ? "Cancelled: the portal is shutting down." : ex.Message);
            throw new JobExecutionException(ex);
        }
        finally
        {
            JobTelemetry.Record(run.Run);
        }
    }

    /// <summary>Does the work, reporting progress; returns a one-line summary for the history.</summary>
    protected abstract Task<string> RunAsync(IJobProgress progress, IJobExecutionContext context, CancellationToken cancellationToken);
}
