using Portal.Core.Findings;
using Portal.Core.Inventory;
using Portal.Core.Lifecycle;
using Portal.Core.Workloads;

namespace Portal.Tests.Core.Lifecycle;

/// <summary>Builds lifecycle snapshots for tests: images in repositories, findings, workloads, holds and paths.</summary>
internal sealed class Estate
{
    public static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private readonly List<LifecycleImage> _images = [];
    private readonly List<FindingFacts> _findings = [];
    private readonly List<FindingException> _exceptions = [];
    private readonly List<WorkloadFacts> _workloads = [];
    private readonly List<HoldFacts> _holds = [];
    private readonly List<ExtensionFacts> _extensions = [];
    private readonly List<MigrationPathFacts> _paths = [];
    private readonly List<MigrationChoiceFacts> _choices = [];
    private readonly HashSet<string> _executed = [];
    private long _nextId = 1;

    public LifecycleImage Image(
        string repository = "team/notebook", ImageClass imageClass = ImageClass.User, int ageDays = 1, string[]? tags = null,
        int? repositoryId = null, DateTimeOffset? manualEol = null, string? manualEolBy = null)
    {
        var id = _nextId++;
        var created = Now.AddDays(-ageDays);
        var image = new LifecycleImage(
            id, $"sha256:{id:x64}", repositoryId ?? RepositoryIdOf(repository), repository, imageClass, "track", Channel.Prod, created, created,
            [.. (tags ?? [$"v{id}"]).Select(t => new TagFacts(_nextId++, t, created))], manualEol, manualEolBy);
        _images.Add(image);
        return image;
    }

    public FindingFacts Finding(LifecycleImage image, Severity severity = Severity.Critical, int firstSeenDaysAgo = 0, string id = "CVE-2026-0001",
        string package = "openssl", FindingKind kind = FindingKind.Vulnerability)
    {
        var finding = new FindingFacts(image.Id, image.Digest, kind, id, package, severity, Now.AddDays(-firstSeenDaysAgo));
        _findings.Add(finding);
        return finding;
    }

    public WorkloadFacts Notebook(LifecycleImage image, string name = "alice-notebook", string status = WorkloadStatus.Running, params string[] owners) =>
        Workload(image, name, WorkloadKind.Notebook, WorkloadLifetime.LongLived, status, owners.Length == 0 ? ["alice@example.org"] : owners);

    public WorkloadFacts Workload(LifecycleImage image, string name, WorkloadKind kind, WorkloadLifetime lifetime, string status, IReadOnlyList<string> owners)
    {
        var workload = new WorkloadFacts(_nextId++, "prod", "alice", name, kind, lifetime, status, [image.Id], owners);
        _workloads.Add(workload);
        return workload;
    }

    public HoldFacts Hold(HoldSubjectKind kind, long subjectId, HoldScope scope, int days = 10, string by = "approver@example.org", string reason = "exam week")
    {
        var hold = new HoldFacts(_nextId++, kind, subjectId, scope, Now.AddDays(days), by, reason);
        _holds.Add(hold);
        return hold;
    }

    public void Except(string vulnerabilityId, string? repository = null, int days = 30) =>
        _exceptions.Add(FindingException.Record(vulnerabilityId, repository, null, null, ExceptionState.RiskAccepted, "accepted for the test",
            "admin@example.org", Now.AddDays(-1), Now.AddDays(days)));

    public void Extend(WorkloadFacts workload, LifecycleImage image, int days) =>
        _extensions.Add(new ExtensionFacts(workload.Id, image.Id, Now.AddDays(days), "approver@example.org"));

    public MigrationPathFacts Path(LifecycleImage from, LifecycleImage to, MigrationPathState state = MigrationPathState.Approved)
    {
        var path = new MigrationPathFacts(_nextId++, from.Id, to.Id, state);
        _paths.Add(path);
        return path;
    }

    public void Choose(WorkloadFacts workload, LifecycleImage from, bool migrate) => _choices.Add(new MigrationChoiceFacts(workload.Id, from.Id, migrate));

    public void Executed(string key) => _executed.Add(key);

    public LifecycleSnapshot Snapshot() => new(_images, _findings, _exceptions, _workloads, _holds, _extensions, _paths, _choices, _executed);

    public Plan Decide(LifecyclePolicy? policy = null, DateTimeOffset? at = null) =>
        DecisionEngine.Decide(Snapshot(), policy ?? new LifecyclePolicy(), at ?? Now);

    private int RepositoryIdOf(string repository) =>
        _images.FirstOrDefault(i => i.Repository == repository)?.RepositoryId ?? _images.Select(i => i.RepositoryId).DefaultIfEmpty(0).Max() + 1;
}
