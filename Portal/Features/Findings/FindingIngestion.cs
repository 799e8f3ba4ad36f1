using Microsoft.EntityFrameworkCore;
using Portal.Core.Findings;
using Portal.Core.Inventory;
using Portal.Data;

namespace Portal.Features.Findings;

/// <summary>What one artifact of a report did to its digest's findings.</summary>
public sealed record IngestedArtifact(string Name, string Digest, int Findings, int New, int Dropped);

/// <summary>The outcome of one report: the artifacts stored, and the ones no digest could be found for.</summary>
public sealed record IngestionResult(ReportFormat Format, IReadOnlyList<IngestedArtifact> Stored, IReadOnlyList<string> Unmatched);

/// <summary>
/// Stores a parsed scan report: each artifact is tied to an image digest (stated by the caller, given by the report,
/// or found through the inventory by tag or Artifactory path), its findings are merged into that digest's
/// deduplicated set, and a history record is kept. One transaction per report: all of it is stored, or nothing.
/// </summary>
public sealed class FindingIngestion(IDbContextFactory<PortalDbContext> contexts, TimeProvider clock)
{
    /// <param name="report">A report the parsers accepted.</param>
    /// <param name="channel">Who delivered it, for the history ("api-key ci", "xray-webhook", ...).</param>
    /// <param name="statedDigest">A digest the caller vouches for; only allowed for a report about one artifact.</param>
    /// <param name="cancellationToken">Cancels the ingestion.</param>
    public async Task<IngestionResult> IngestAsync(ScanReport report, string channel, string? statedDigest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (statedDigest is not null && report.Artifacts.Count != 1)
        {
            throw new ScanReportFormatException(
                $"A digest was stated, but the report is about {report.Artifacts.Count} artifacts; state a digest only for a report about one image.");
        }

        var now = clock.GetUtcNow();
        // Findings are kept open per scanner, whichever channel brought its report.
        var source = report.Format.ToString();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var stored = new List<IngestedArtifact>();
        var unmatched = new List<string>();
        foreach (var artifact in report.Artifacts)
        {
            var digest = statedDigest ?? artifact.Artifact.Digest ?? await ResolveDigestAsync(db, artifact.Artifact, cancellationToken);
            if (digest is null)
            {
                unmatched.Add(artifact.Artifact.Name);
                continue;
            }

            stored.Add(await MergeAsync(db, digest, artifact, source, now, cancellationToken));
            db.ScanRecords.Add(ScanRecord.Create(digest, report.Format, channel, report.Scanner, report.ScannedAt, now,
                artifact.Findings, stored[^1].New, stored[^1].Dropped));
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new IngestionResult(report.Format, stored, unmatched);
    }

    private static async Task<IngestedArtifact> MergeAsync(
        PortalDbContext db, string digest, ArtifactFindings artifact, string source, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var existing = (await db.Findings.Where(f => f.Digest == digest).ToListAsync(cancellationToken)).ToDictionary(f => f.Key);
        // A report can list one finding several times (one package in two targets): the worst severity counts.
        var reported = artifact.Findings
            .GroupBy(Finding.KeyOf)
            .Select(g => g.MaxBy(f => f.Severity)!)
            .ToList();
        var added = 0;
        var seen = new HashSet<(FindingKind, string, string, string)>();
        foreach (var finding in reported)
        {
            var key = Finding.KeyOf(finding);
            seen.Add(key);
            if (existing.TryGetValue(key, out var known))
            {
                known.Reported(finding, source, now);
            }
            else
            {
                db.Findings.Add(Finding.Discover(digest, finding, source, now));
                added++;
            }
        }

        var dropped = 0;
        foreach (var finding in existing.Values.Where(f => !seen.Contains(f.Key) && f.Sources.Split(',').Contains(source)))
        {
            finding.NotReported(source, now);
            dropped++;
        }

        return new IngestedArtifact(artifact.Artifact.Name, digest, reported.Count, added, dropped);
    }

    // Without a digest, the inventory says which image a tag points at now; Artifactory paths name the repository key.
    private static async Task<string?> ResolveDigestAsync(PortalDbContext db, ScannedArtifact artifact, CancellationToken cancellationToken)
    {
        var candidates =
            from tag in db.Tags
            join repository in db.Repositories on tag.RepositoryId equals repository.Id
            join registry in db.Registries on repository.RegistryId equals registry.Id
            join image in db.Images on tag.ImageId equals image.Id
            where tag.GoneAt == null
            select new { Tag = tag.Name, Repository = repository.Name, registry.Url, registry.ArtifactoryRepositoryKey, image.Digest };

        if (artifact.Reference is { Tag: { } tagName } reference)
        {
            var matches = await candidates.Where(c => c.Repository == reference.Repository && c.Tag == tagName).ToListAsync(cancellationToken);
            return matches.FirstOrDefault(m => ImageRegistry.ReferenceHostOf(m.Url) == reference.Registry)?.Digest;
        }

        if (artifact.ArtifactoryPath is { } path)
        {
            var matches = await candidates.Where(c => c.Repository == path.Repository && c.Tag == path.Tag).ToListAsync(cancellationToken);
            return (path.HasRepositoryKey
                    ? matches.FirstOrDefault(m => string.Equals(m.ArtifactoryRepositoryKey, path.RepositoryKey, StringComparison.Ordinal))
                    : matches.Count == 1 ? matches[0] : null)
                ?.Digest;
        }

        return null;
    }
}
