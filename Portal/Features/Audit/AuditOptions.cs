using System.ComponentModel.DataAnnotations;

namespace Portal.Features.Audit;

public sealed class AuditOptions
{
    public const string SectionName = "Audit";

    /// <summary>Audit entries older than this many days are purged by the audit retention job.</summary>
    [Range(1, 36_500, ErrorMessage = "Audit:RetentionDays must be between 1 and 36500 days.")]
    public int RetentionDays { get; set; } = 365;

    /// <summary>How many entries one purge statement removes; keeps transactions and locks short.</summary>
    [Range(10, 100_000, ErrorMessage = "Audit:PurgeBatchSize must be between 10 and 100000.")]
    public int PurgeBatchSize { get; set; } = 1_000;

    /// <summary>
    /// A pause after each purge statement. A large purge then leaves room for other writers between its batches,
    /// which matters on SQLite, where one writer at a time holds the whole database.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00", ErrorMessage = "Audit:PurgeBatchPause must be between 00:00:00 and 00:01:00.")]
    public TimeSpan PurgeBatchPause { get; set; } = TimeSpan.Zero;
}
