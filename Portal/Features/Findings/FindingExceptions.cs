using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Auditing;
using Portal.Core.Findings;
using Portal.Data;
using Portal.Features.Audit;

namespace Portal.Features.Findings;

public sealed class FindingsOptions
{
    public const string SectionName = "Findings";

    /// <summary>How far ahead an exception may expire; an exception always ends and must be looked at again.</summary>
    [Range(1, 730, ErrorMessage = "Findings:MaxExceptionDays must be between 1 and 730.")]
    public int MaxExceptionDays { get; set; } = 90;

    /// <summary>
    /// How many matching findings the Findings page counts beyond the page's start before it says "more than": counting
    /// every one of a million open findings takes longer than reading the page, and nobody pages through them all.
    /// </summary>
    [Range(1, 1_000_000, ErrorMessage = "Findings:CountLimit must be between 1 and 1,000,000.")]
    public int CountLimit { get; set; } = 10_000;
}

/// <summary>What an admin submits for an exception; scope parts left empty mean "any".</summary>
public sealed record ExceptionInput(
    string? VulnerabilityId, string? Repository, string? Digest, string? Package, ExceptionState State, string? Justification, DateTimeOffset ExpiresAt);

public sealed record ExceptionView(
    long Id, string VulnerabilityId, string? Repository, string? Digest, string? Package, ExceptionState State, string Justification,
    string Author, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset? RevokedAt, string? RevokedBy, bool Active);

public sealed record ExceptionResult(bool Succeeded, IReadOnlyList<string> Errors, long? Id = null);

/// <summary>Records and revokes exceptions (suppressions). Expiry is bounded by policy; every change is audited.</summary>
public sealed class FindingExceptions(IDbContextFactory<PortalDbContext> contexts, AuditLog audit, IOptions<FindingsOptions> options, TimeProvider clock)
{
    public async Task<ExceptionResult> RecordAsync(ExceptionInput input, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var now = clock.GetUtcNow();
        var errors = FindingException.Validate(input.VulnerabilityId, input.Justification, now, input.ExpiresAt, options.Value.MaxExceptionDays).ToList();
        if (!Enum.IsDefined(input.State))
        {
            errors.Add("The state must be NotAffected, FalsePositive or RiskAccepted.");
        }

        if (!string.IsNullOrWhiteSpace(input.Digest) && !Portal.Core.Registry.Digest.TryParse(input.Digest.Trim(), out _, out var digestError))
        {
            errors.Add($"The digest is not valid: {digestError}");
        }

        if (errors.Count > 0)
        {
            return new ExceptionResult(false, errors);
        }

        var exception = FindingException.Record(input.VulnerabilityId!, input.Repository, input.Digest, input.Package, input.State,
            input.Justification!, actor, now, input.ExpiresAt);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.FindingExceptions.Add(exception);
        await db.SaveChangesAsync(cancellationToken);
        await audit.RecordAsync(AuditActorKind.Person, actor, AuditActions.ExceptionRecorded, exception.VulnerabilityId, null, Describe(exception), cancellationToken);
        return new ExceptionResult(true, [], exception.Id);
    }

    public async Task<bool> RevokeAsync(long id, string actor, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var exception = await db.FindingExceptions.SingleOrDefaultAsync(e => e.Id == id, cancellationToken);
        if (exception is null || exception.RevokedAt is not null)
        {
            return false;
        }

        var before = Describe(exception);
        exception.Revoke(actor, clock.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        await audit.RecordAsync(AuditActorKind.Person, actor, AuditActions.ExceptionRevoked, exception.VulnerabilityId, before, "revoked", cancellationToken);
        return true;
    }

    /// <summary>Exceptions, active first; expired and revoked ones stay listed for the record.</summary>
    public async Task<IReadOnlyList<ExceptionView>> ListAsync(string? vulnerabilityId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.FindingExceptions.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(vulnerabilityId))
        {
            query = query.Where(e => e.VulnerabilityId == vulnerabilityId.Trim());
        }

        var exceptions = await query.OrderByDescending(e => e.CreatedAt).Take(1_000).ToListAsync(cancellationToken);
        return exceptions
            .Select(e => new ExceptionView(e.Id, e.VulnerabilityId, e.Repository, e.Digest, e.Package, e.State, e.Justification, e.Author,
                e.CreatedAt, e.ExpiresAt, e.RevokedAt, e.RevokedBy, e.IsActive(now)))
            .OrderByDescending(e => e.Active)
            .ToList();
    }

    private static string Describe(FindingException e) =>
        $"{e.State} for {e.VulnerabilityId}"
        + (e.Repository is null ? "" : $" in {e.Repository}")
        + (e.Digest is null ? "" : $" at {e.Digest}")
        + (e.Package is null ? "" : $" in package {e.Package}")
        + $" until {e.ExpiresAt:yyyy-MM-dd}: {e.Justification}";
}
