namespace Portal.Core.Jobs;

/// <summary>How a long-running piece of work says how far it has got ("n of m").</summary>
public interface IJobProgress
{
    Task ReportAsync(long current, long? total, CancellationToken cancellationToken);
}
