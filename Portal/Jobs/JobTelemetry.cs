using System.Diagnostics;
using System.Diagnostics.Metrics;
using Portal.Core.Jobs;
using Portal.Operations;

namespace Portal.Jobs;

/// <summary>Job runs as OpenTelemetry traces and metrics: how many ran, how they ended and how long they took.</summary>
internal static class JobTelemetry
{
    public static readonly ActivitySource ActivitySource = new(OperationsSetup.TelemetrySource);

    private static readonly Counter<long> Runs = OperationsSetup.Meter.CreateCounter<long>(
        "portal.job.runs", unit: "{run}", description: "Job runs by job and result.");

    private static readonly Histogram<double> Duration = OperationsSetup.Meter.CreateHistogram<double>(
        "portal.job.duration", unit: "s", description: "How long job runs take.");

    public static void Record(JobRun run)
    {
        var tags = new TagList { { "job", run.JobName }, { "status", run.Status.ToString() } };
        Runs.Add(1, tags);
        if (run.Duration is { } duration)
        {
            Duration.Record(duration.TotalSeconds, tags);
        }
    }
}
