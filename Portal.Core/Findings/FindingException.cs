namespace Portal.Core.Findings;

public enum ExceptionState
{
    /// <summary>The vulnerable code is present but cannot be reached or exploited here.</summary>
    NotAffected,

    /// <summary>The scanner is wrong: the package or version is not what it says.</summary>
    FalsePositive,

    /// <summary>Affected, and the risk is accepted until the expiry.</summary>
    RiskAccepted,
}

/// <summary>
/// An admin's decision that a vulnerability does not count (a suppression): for one vulnerability id, optionally only
/// in one repository, one digest or one package; with a state, a justification and an expiry after which it stops
/// applying by itself.
/// </summary>
public sealed class FindingException
{
    public const int MaxJustificationLength = 2_000;

    private FindingException()
    {
        VulnerabilityId = string.Empty;
        Justification = string.Empty;
        Author = string.Empty;
    }

    public long Id { get; private set; }
    public string VulnerabilityId { get; private set; }
    public string? Repository { get; private set; }
    public string? Digest { get; private set; }
    public string? Package { get; private set; }
    public ExceptionState State { get; private set; }
    public string Justification { get; private set; }
    public string Author { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset ExpiresAt { get; private set; }
    public DateTimeOffset? RevokedAt { get; private set; }
    public string? RevokedBy { get; private set; }

    /// <summary>Records an exception; the caller has validated the input (see <see cref="Validate"/>).</summary>
    public static FindingException Record(
        string vulnerabilityId, string? repository, string? digest, string? package, ExceptionState state, string justification,
        string author, DateTimeOffset now, DateTimeOffset expiresAt) =>
        new()
        {
            VulnerabilityId = vulnerabilityId.Trim(),
            Repository = Blank(repository),
            Digest = Blank(digest),
            Package = Blank(package),
            State = state,
            Justification = justification.Trim(),
            Author = author,
            CreatedAt = now,
            ExpiresAt = expiresAt,
        };

    /// <summary>What is wrong with a proposed exception, in words an admin can act on; empty when it is fine.</summary>
    public static IReadOnlyList<string> Validate(string? vulnerabilityId, string? justification, DateTimeOffset now, DateTimeOffset expiresAt, int maxDays)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(vulnerabilityId))
        {
            errors.Add("A vulnerability id is required.");
        }
        else if (vulnerabilityId.Trim().Length > Finding.MaxIdLength)
        {
            errors.Add($"The vulnerability id is longer than {Finding.MaxIdLength} characters.");
        }

        if (string.IsNullOrWhiteSpace(justification))
        {
            errors.Add("A justification is required.");
        }
        else if (justification.Trim().Length > MaxJustificationLength)
        {
            errors.Add($"The justification is longer than {MaxJustificationLength} characters.");
        }

        if (expiresAt <= now)
        {
            errors.Add("The expiry must be in the future.");
        }
        else if (expiresAt > now.AddDays(maxDays))
        {
            errors.Add($"The expiry may be at most {maxDays} days away (policy).");
        }

        return errors;
    }

    public bool IsActive(DateTimeOffset now) => RevokedAt is null && ExpiresAt > now;

    /// <summary>Whether it covers a finding: same id, and every scope it names matches.</summary>
    public bool Covers(Finding finding, string repository, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(finding);
        return Covers(finding.VulnerabilityId, finding.Digest, finding.Package, repository, now);
    }

    /// <summary>Whether it covers the finding of <paramref name="vulnerabilityId"/> in <paramref name="package"/> of an image.</summary>
    public bool Covers(string vulnerabilityId, string digest, string package, string repository, DateTimeOffset now) =>
        IsActive(now)
        && string.Equals(VulnerabilityId, vulnerabilityId, StringComparison.OrdinalIgnoreCase)
        && (Repository is null || string.Equals(Repository, repository, StringComparison.Ordinal))
        && (Digest is null || string.Equals(Digest, digest, StringComparison.Ordinal))
        && (Package is null || string.Equals(Package, package, StringComparison.Ordinal));

    public void Revoke(string actor, DateTimeOffset now)
    {
        RevokedAt ??= now;
        RevokedBy ??= actor;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
