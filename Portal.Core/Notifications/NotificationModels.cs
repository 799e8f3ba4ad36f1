namespace Portal.Core.Notifications;

/// <summary>
/// What templates see. Each model turns itself into plain dictionaries and lists (<c>ToLiquid</c>): a template reaches
/// exactly these names, nothing of the objects behind them. Dates are already written out (yyyy-MM-dd, UTC).
/// </summary>
public static class NotificationModel
{
    internal static Dictionary<string, object?> Map(params (string Name, object? Value)[] members)
    {
        var map = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in members)
        {
            map[name] = value switch
            {
                int n => (long)n,
                _ => value,
            };
        }

        return map;
    }

    internal static List<object?> List<T>(IEnumerable<T> items, Func<T, object?> convert) => [.. items.Select(convert)];
}

/// <summary>One open finding of a workload's image, among the worst five.</summary>
public sealed record DigestFinding(string Id, string Severity, string Package, string? InstalledVersion, string? FixedVersion)
{
    public Dictionary<string, object?> ToLiquid() => NotificationModel.Map(
        ("id", Id), ("severity", Severity), ("package", Package), ("installed_version", InstalledVersion), ("fixed_version", FixedVersion));
}

/// <summary>One workload of the owner on an image with an EOL date.</summary>
/// <param name="Image">"repository:tag@sha256:1a2b3c4d5e6f".</param>
/// <param name="DaysLeft">Whole days from the digest's day to the EOL date; negative once passed.</param>
/// <param name="Due">Whether a reminder stage for this workload came today (the reason the digest is sent).</param>
/// <param name="Replacement">The approved migration path's target, or null when there is none yet.</param>
public sealed record DigestWorkload(
    string Cluster, string Namespace, string Name, string Kind, string Image, string Eol, int DaysLeft, string Reason, string? Replacement, bool Due,
    IReadOnlyList<DigestFinding> Findings)
{
    public string Display => $"{Namespace}/{Name}";

    public Dictionary<string, object?> ToLiquid() => NotificationModel.Map(
        ("cluster", Cluster), ("namespace", Namespace), ("name", Name), ("display", Display), ("kind", Kind), ("image", Image), ("eol", Eol),
        ("days_left", DaysLeft), ("expired", DaysLeft < 0), ("reason", Reason), ("replacement", Replacement), ("due", Due),
        ("findings", NotificationModel.List(Findings, f => f.ToLiquid())));
}

/// <summary>A pod of one of the owner's namespaces that admission control refused (the latest refusal of that workload and image).</summary>
/// <param name="Workload">How the workload reads to people: "Notebook alice-notebook", "Deployment web".</param>
/// <param name="At">When, written out as "yyyy-MM-dd HH:mm UTC".</param>
public sealed record DigestRefusal(string Namespace, string Workload, string Image, string Reason, string At)
{
    public string Display => $"{Namespace}/{Workload}";

    public Dictionary<string, object?> ToLiquid() => NotificationModel.Map(
        ("namespace", Namespace), ("workload", Workload), ("display", Display), ("image", Image), ("reason", Reason), ("at", At));
}

/// <summary>The day's email to one owner.</summary>
/// <param name="Refused">Refused pods since the owner's previous digest, newest first, at most <see cref="MaxRefusals"/>.</param>
/// <param name="RefusedMore">Further refusals left out of <paramref name="Refused"/> ("and N more").</param>
public sealed record OwnerDigestModel(
    string Owner, string Date, string Link, IReadOnlyList<DigestWorkload> Workloads, IReadOnlyList<DigestRefusal> Refused, int RefusedMore)
{
    /// <summary>An email that lists hundreds of crash-looping pods is read by nobody; the Admission page has them all.</summary>
    public const int MaxRefusals = 20;

    public Dictionary<string, object?> ToLiquid() => NotificationModel.Map(
        ("owner", Owner), ("date", Date), ("link", Link), ("workloads", NotificationModel.List(Workloads, w => w.ToLiquid())),
        ("earliest_eol", Workloads.Count == 0 ? null : Workloads.Min(w => w.Eol)),
        ("refused", NotificationModel.List(Refused, r => r.ToLiquid())), ("refused_more", RefusedMore), ("refused_total", Refused.Count + RefusedMore));
}

/// <summary>Something admins are told in their summary ("new blocking finding on a curated image").</summary>
public sealed record AdminSummaryItem(string Kind, string Text)
{
    public Dictionary<string, object?> ToLiquid() => NotificationModel.Map(("kind", Kind), ("text", Text));
}

/// <summary>How many planned actions of a kind wait for an approver.</summary>
public sealed record AwaitingApproval(string Kind, int Count)
{
    public Dictionary<string, object?> ToLiquid() => NotificationModel.Map(("kind", Kind), ("count", Count));
}

public sealed record AdminSummaryModel(string Date, string Link, IReadOnlyList<AdminSummaryItem> Items, IReadOnlyList<AwaitingApproval> Awaiting)
{
    public int AwaitingTotal => Awaiting.Sum(a => a.Count);

    public Dictionary<string, object?> ToLiquid() => NotificationModel.Map(
        ("date", Date), ("link", Link), ("items", NotificationModel.List(Items, i => i.ToLiquid())),
        ("awaiting", NotificationModel.List(Awaiting, a => a.ToLiquid())), ("awaiting_total", AwaitingTotal));
}

public sealed record AdminAlertModel(string Title, string Details, string? Link, string Date)
{
    public Dictionary<string, object?> ToLiquid() => NotificationModel.Map(("title", Title), ("details", Details), ("link", Link), ("date", Date));
}

/// <summary>Realistic data for the template preview: two workloads, an EOL date, findings, a replacement, a refused pod.</summary>
public static class NotificationSamples
{
    public static OwnerDigestModel OwnerDigest(string portalUrl) => new(
        "alice@example.org",
        "2026-11-23",
        $"{portalUrl.TrimEnd('/')}/my-workloads",
        [
            new DigestWorkload("prod", "alice", "alice-notebook", "Notebook", "aaw/jupyterlab-cpu:v1@sha256:1a2b3c4d5e6f", "2026-12-07", 14,
                "Critical CVE-2026-0001 in openssl, first seen 2026-11-23: 14 days' grace for Curated images.",
                "aaw/jupyterlab-cpu:v3@sha256:9f8e7d6c5b4a", Due: true,
                [
                    new DigestFinding("CVE-2026-0001", "Critical", "openssl", "3.0.1", "3.0.2"),
                    new DigestFinding("CVE-2026-1234", "High", "libxml2", "2.9.14", null),
                ]),
            new DigestWorkload("prod", "team-shared", "shared-notebook", "Notebook", "aaw/pytorch-gpu:2.1@sha256:5e6f7a8b9c0d", "2026-11-30", 7,
                "EOL set by admin@example.org: the base image is no longer maintained.", null, Due: false,
                [new DigestFinding("CVE-2026-4321", "High", "python3.11", "3.11.2", "3.11.9")]),
        ],
        [
            new DigestRefusal("alice", "Notebook alice-scratch", "aaw/jupyterlab-cpu:v0@sha256:0a1b2c3d4e5f",
                "Image aaw/jupyterlab-cpu:v0@sha256:0a1b2c3d4e5f is refused: expired on 2026-11-01 (Critical CVE-2026-0001 in openssl). " +
                "Approved replacement: aaw/jupyterlab-cpu:v3. See https://images.example.com/images/41.", "2026-11-23 06:12 UTC"),
        ],
        0);

    public static AdminSummaryModel AdminSummary(string portalUrl) => new(
        "2026-11-23",
        $"{portalUrl.TrimEnd('/')}/plan",
        [
            new AdminSummaryItem("NewBlockingFinding", "Curated image aaw/jupyterlab-cpu@sha256:1a2b3c4d5e6f has a new blocking finding: Critical CVE-2026-0001 in openssl."),
            new AdminSummaryItem("TargetVulnerable", "The approved migration target aaw/jupyterlab-cpu:v3 turned vulnerable: its path was revoked."),
        ],
        [new AwaitingApproval("StopWorkload", 2), new AwaitingApproval("DeleteImage", 5)]);

    public static AdminAlertModel AdminAlert(string portalUrl) => new(
        "Migration path revoked: aaw/jupyterlab-cpu:v3 turned vulnerable",
        "The target of the approved path from aaw/jupyterlab-cpu:v1 gained a blocking finding (Critical CVE-2026-0002 in glibc); 3 owners who chose it are told.",
        $"{portalUrl.TrimEnd('/')}/plan",
        "2026-11-23");

    public static Dictionary<string, object?> For(NotificationKind kind, string portalUrl) => kind switch
    {
        NotificationKind.OwnerDigest => OwnerDigest(portalUrl).ToLiquid(),
        NotificationKind.AdminSummary => AdminSummary(portalUrl).ToLiquid(),
        NotificationKind.AdminAlert => AdminAlert(portalUrl).ToLiquid(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Only digests, summaries and alerts have templates."),
    };
}
