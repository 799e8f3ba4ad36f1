using Portal.Features.Admission;
using Quartz;

namespace Portal.Jobs;

/// <summary>
/// After a job that changes the inventory, the workloads, the findings or the plan, tells the admission view to
/// rebuild. Those jobs write in bulk, partly past EF's change tracker, so the save interceptor alone would miss them.
/// </summary>
public sealed class EstateChangeJobListener(EstateChanges changes) : IJobListener
{
    private static readonly HashSet<string> Changing = new(StringComparer.Ordinal)
    {
        InventorySyncJob.Name, WorkloadSyncJob.Name, VulnerabilityScanJob.Name, MalwareScanJob.Name, TrivyOperatorImportJob.Name, LifecycleJob.Name,
    };

    public string Name => "admission-view";

    public ValueTask JobToBeExecuted(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask JobExecutionVetoed(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (Changing.Contains(context.JobDetail.Key.Name))
        {
            changes.Signal();
        }

        return ValueTask.CompletedTask;
    }
}
