using Portal.Core.Jobs;

namespace Portal.Tests.TestInfrastructure;

/// <summary>Keeps every progress report so tests can check what a job said along the way.</summary>
public sealed class RecordingProgress : IJobProgress
{
    public List<(long Current, long? Total)> Reports { get; } = [];

    public Task ReportAsync(long current, long? total, CancellationToken cancellationToken)
    {
        Reports.Add((current, total));
        return Task.CompletedTask;
    }
}
