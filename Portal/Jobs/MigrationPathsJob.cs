using Portal.Core.Jobs;
using Portal.Features.Jobs;
using Portal.Features.Migrations;
using Quartz;

namespace Portal.Jobs;

/// <summary>
/// Proposes replacements for images with an EOL date and revokes paths whose target is no longer fit, so the plan never
/// migrates anyone onto an image that turned vulnerable, and admins hear of it soon after the finding arrives.
/// </summary>
[DisallowConcurrentExecution]
public sealed class MigrationPathsJob(MigrationPaths paths, JobRunRecorder recorder, ILogger<MigrationPathsJob> logger) : PortalJob(recorder, logger)
{
    public const string Name = "migration-paths";

    protected override string JobName => Name;

    protected override async Task<string> RunAsync(IJobProgress progress, IJobExecutionContext context, CancellationToken cancellationToken) =>
        (await paths.RefreshAsync(cancellationToken)).Message;
}
