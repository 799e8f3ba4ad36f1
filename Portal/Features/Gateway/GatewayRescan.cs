using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Jobs;
using Portal.Core.Malware;
using Portal.Data;
using Portal.Features.Notifications;

namespace Portal.Features.Gateway;

/// <summary>What a rescan of kept content found.</summary>
public sealed record GatewayRescanSummary(int Rescanned, int Clean, int Infected, int Failed, string Definitions)
{
    public string Message =>
        Rescanned == 0
            ? $"All kept content is current for {Definitions}."
            : $"Rescanned {Rescanned} kept files with {Definitions}: {Clean} clean, {Infected} infected and removed, {Failed} could not be scanned (tried again next run).";
}

/// <summary>
/// Rescans kept gateway content whose verdict is not for the scanner's current definitions, or is older than
/// Gateway:RescanAfterDays. Newly infected bytes leave the store, their paths answer 409 from then on, and admins get
/// an alert (once per content and definitions).
/// </summary>
public sealed class GatewayRescan(
    IDbContextFactory<PortalDbContext> contexts,
    ContentGateway gateway,
    ScannerDefinitions definitions,
    ScanQueue queue,
    AdminAlerts alerts,
    IOptions<GatewayOptions> options,
    TimeProvider clock)
{
    public const string Actor = "job:gateway-rescan";

    /// <exception cref="VirusScannerUnavailableException">The scanner cannot say its definitions, so nothing can be judged.</exception>
    public async Task<GatewayRescanSummary> RunAsync(IJobProgress? progress, CancellationToken cancellationToken)
    {
        definitions.Expire();
        var current = await definitions.CurrentAsync(cancellationToken)
            ?? throw new VirusScannerUnavailableException("The virus scanner cannot be reached, so kept content cannot be rescanned.");
        var staleBefore = clock.GetUtcNow().AddDays(-options.Value.RescanAfterDays);
        List<KeptContent> kept;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            kept = await (
                    from artifact in db.ContentArtifacts.AsNoTracking()
                    where artifact.Kept
                    join verdict in db.MalwareVerdicts.AsNoTracking() on artifact.Sha256 equals verdict.Sha256 into verdicts
                    from verdict in verdicts.DefaultIfEmpty()
                    select new KeptContent(artifact.Sha256, artifact.Size, artifact.Path, verdict))
                .ToListAsync(cancellationToken);
        }

        var due = kept
            .DistinctBy(k => k.Sha256)
            .Where(k => k.Verdict is null || k.Verdict.NeedsRescan(current) || k.Verdict.ScannedAt < staleBefore)
            .ToList();
        int clean = 0, infected = 0, failed = 0, done = 0;
        foreach (var content in due)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var place = await queue.EnterAsync(clock, cancellationToken);
            var verdict = await gateway.RescanStoredAsync(content.Sha256, content.Size, content.Path, place, Actor, cancellationToken);
            switch (verdict.Outcome)
            {
                case ScanOutcome.Clean:
                    clean++;
                    break;
                case ScanOutcome.Infected:
                    infected++;
                    await alerts.QueueAsync($"gateway-infected:{content.Sha256}:{verdict.DefinitionsVersion}",
                        $"Gateway content removed: {verdict.Signature}",
                        $"A rescan with {current} found {verdict.Signature} in kept content {content.Sha256} ({content.Path}). The bytes were removed from the store and the path answers 409 from now on.",
                        "/gateway", cancellationToken);
                    break;
                default:
                    failed++;
                    break;
            }

            if (progress is not null)
            {
                await progress.ReportAsync(++done, due.Count, cancellationToken);
            }
        }

        return new GatewayRescanSummary(due.Count, clean, infected, failed, current.ToString());
    }

    private sealed record KeptContent(string Sha256, long Size, string Path, MalwareVerdict? Verdict);
}
