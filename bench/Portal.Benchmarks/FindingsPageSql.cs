namespace Portal.Benchmarks;

/// <summary>
/// The Findings page's query written by hand, the baseline its <c>FindingCatalog.SearchAsync</c> is timed against: the
/// same rows (open findings, worst first, then the newest), the same per-row repository, class, image and exception lookups,
/// the same filters and the same capped count, as plain SQL for SQLite or PostgreSQL (identifiers quoted, which both accept).
/// </summary>
internal sealed class FindingsPageSql
{
    private readonly bool _postgres;

    private FindingsPageSql(bool postgres) => _postgres = postgres;

    public static FindingsPageSql For(bool postgres) => new(postgres);

    /// <summary>The exception lookup compares expiry with now: ticks on SQLite (the portal's converter), timestamptz on PostgreSQL.</summary>
    public object Now(DateTimeOffset now) => _postgres ? now : now.UtcTicks;

    public static string SeverityAtLeastHigh => """AND f."Severity" IN ('High', 'Critical')""";

    public static string ClassWhere(string imageClass) => $"""AND ({Class}) = '{imageClass}'""";

    // What EF makes of the portal's case-insensitive search (ToLower().Contains): lower() and instr() on SQLite, strpos()
    // on PostgreSQL; @search is the lower-case term. Digests are lower case already. Repositories are matched once, into
    // the digests they hold.
    public string SearchWhere => $"""
        AND ({Contains("lower(f.\"VulnerabilityId\")")} OR {Contains("lower(f.\"Package\")")} OR {Contains("f.\"Digest\"")}
             OR f."Digest" IN (SELECT i."Digest" FROM images AS i JOIN repositories AS r ON r."Id" = i."RepositoryId"
                               WHERE {Contains("lower(r.\"Name\")")}))
        """;

    public static string Page(string where) => $"""
        SELECT f."Id", f."VulnerabilityId", f."Kind", f."Severity", f."CvssScore", f."Package", f."InstalledVersion", f."FixedVersion", f."Digest",
               ({Repository}), ({Class}), f."FirstSeen", f."ResolvedAt", f."Sources", ({Exception}), ({ImageId}), f."Title"
        FROM findings AS f
        WHERE f."ResolvedAt" IS NULL {where}
        ORDER BY CASE WHEN f."Severity" = 'Critical' THEN 0 WHEN f."Severity" = 'High' THEN 1 WHEN f."Severity" = 'Medium' THEN 2
                      WHEN f."Severity" = 'Low' THEN 3 ELSE 4 END,
                 f."FirstSeen" DESC, f."Id"
        LIMIT 50
        """;

    /// <summary>
    /// The page's count as the portal makes it: the matches up to @limit (one past the count limit), so that counting
    /// stops where the portal's does and the two totals compare.
    /// </summary>
    public static string Count(string where) => $"""
        SELECT COUNT(*)
        FROM (SELECT 1 FROM findings AS f WHERE f."ResolvedAt" IS NULL {where} LIMIT @limit) AS matches
        """;

    /// <summary>The first query of the impacted-artifacts view: a vulnerability's open findings.</summary>
    public const string OpenFindingsOf = """
        SELECT f."Digest", f."Package", f."VulnerabilityId" FROM findings AS f WHERE f."VulnerabilityId" = @id AND f."ResolvedAt" IS NULL
        """;

    private string Contains(string column) => _postgres ? $"strpos({column}, @search) > 0" : $"instr({column}, @search) > 0";

    // The first inventory image with the digest names its repository and class.
    private const string Repository = """
        SELECT r."Name" FROM images AS i JOIN repositories AS r ON r."Id" = i."RepositoryId" WHERE i."Digest" = f."Digest" ORDER BY i."Id" LIMIT 1
        """;

    private const string Class = """SELECT i."Class" FROM images AS i WHERE i."Digest" = f."Digest" ORDER BY i."Id" LIMIT 1""";

    // The image the row links to: the index of a platform image.
    private const string ImageId = """SELECT COALESCE(i."ParentId", i."Id") FROM images AS i WHERE i."Digest" = f."Digest" ORDER BY i."Id" LIMIT 1""";

    private const string Exception = """
        SELECT e."Id" FROM finding_exceptions AS e
        WHERE e."RevokedAt" IS NULL AND e."ExpiresAt" > @now AND e."VulnerabilityId" = f."VulnerabilityId"
          AND (e."Digest" IS NULL OR e."Digest" = f."Digest") AND (e."Package" IS NULL OR e."Package" = f."Package")
          AND (e."Repository" IS NULL OR EXISTS (SELECT 1 FROM images AS i JOIN repositories AS r ON r."Id" = i."RepositoryId"
                                                 WHERE i."Digest" = f."Digest" AND r."Name" = e."Repository"))
        ORDER BY e."ExpiresAt" DESC, e."Id" LIMIT 1
        """;
}
