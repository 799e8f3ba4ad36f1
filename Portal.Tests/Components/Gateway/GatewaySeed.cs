using Portal.Core.Gateway;
using Portal.Core.Malware;
using Portal.Core.Registry;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Components.Gateway;

/// <summary>
/// Two remotes as the gateway would leave them after some traffic:
/// <list type="bullet">
/// <item><c>pypi</c> (PyPI, OnDemand, anonymous): requests' wheel, fetched 3 hours ago, clean and kept; evil-1.0.tar.gz,
/// fetched 2 hours ago, infected with Py.Trojan.Evil-1 and refused (also in the quarantine log);</item>
/// <item><c>tools</c> (Generic, Streamed, API key, only releases/**): cli-2.0.tar.gz synced an hour ago with no verdict
/// recorded, and a copy of requests' wheel bytes fetched 30 minutes ago, clean by the same verdict (verdicts are per
/// sha256) but not kept (a Streamed remote keeps nothing).</item>
/// </list>
/// The quarantine log also holds an older rescan's find under the tools remote, a day ago.
/// </summary>
public static class GatewaySeed
{
    public static readonly DateTimeOffset Now = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    public static readonly string RequestsSha = new('a', 64);
    public static readonly string EvilSha = new('b', 64);
    public static readonly string CliSha = new('c', 64);
    public static readonly string RescanSha = new('d', 64);

    public const string Engine = "ClamAV 1.4.6";
    public const string Definitions = "27450";
    public const string Signature = "Py.Trojan.Evil-1";

    public sealed record Ids(long Pypi, long Tools);

    public static RemoteDefinition PypiDefinition => new(
        "pypi", "https://pypi.org/", RemoteKind.PyPi, RemotePolicy.OnDemand, 512L * 1024 * 1024, [], RemoteReadAccess.Anonymous,
        "https://files.pythonhosted.org/");

    public static RemoteDefinition ToolsDefinition => new(
        "tools", "https://downloads.example.org/tools/", RemoteKind.Generic, RemotePolicy.Streamed, 100L * 1024 * 1024, ["releases/**"],
        RemoteReadAccess.ApiKey);

    public static async Task<Ids> SeedAsync(TestDatabase database, CancellationToken cancellationToken)
    {
        await using var db = database.CreateDbContext();
        var pypi = Remote.Create(PypiDefinition, "admin@example.org", Now.AddDays(-7));
        var tools = Remote.Create(ToolsDefinition, "admin@example.org", Now.AddDays(-7));
        db.Remotes.AddRange(pypi, tools);
        await db.SaveChangesAsync(cancellationToken);

        var scanner = new ScannerInfo(Engine, Definitions, Now.AddDays(-1));
        db.ContentArtifacts.AddRange(
            Artifact(pypi.Id, "+files/packages/requests-2.32.3-py3-none-any.whl", RequestsSha, 64_000, kept: true, ContentSource.Request, Now.AddHours(-3)),
            Artifact(pypi.Id, "+files/packages/evil-1.0.tar.gz", EvilSha, 1_234, kept: false, ContentSource.Request, Now.AddHours(-2)),
            Artifact(tools.Id, "releases/cli-2.0.tar.gz", CliSha, 5_000_000, kept: false, ContentSource.Sync, Now.AddHours(-1)),
            Artifact(tools.Id, "releases/requests-copy.whl", RequestsSha, 64_000, kept: false, ContentSource.Request, Now.AddMinutes(-30)));
        db.MalwareVerdicts.AddRange(
            MalwareVerdict.Record(DigestOf(RequestsSha), ScanVerdict.Clean(DigestOf(RequestsSha), 64_000), scanner, Now.AddHours(-3)),
            MalwareVerdict.Record(DigestOf(EvilSha), ScanVerdict.Infected(Signature, DigestOf(EvilSha), 1_234), scanner, Now.AddHours(-2)));
        db.QuarantineEvents.AddRange(
            QuarantineEvent.Record("pypi", "+files/packages/evil-1.0.tar.gz", EvilSha, 1_234, Signature, ContentSource.Request, Engine, Definitions,
                "alice@example.org", Now.AddHours(-2)),
            QuarantineEvent.Record("tools", "releases/old-tool.zip", RescanSha, 9_999, "Win.Test.EICAR_HDB-1", ContentSource.Rescan, Engine, "27449",
                "rescan", Now.AddDays(-1)));
        await db.SaveChangesAsync(cancellationToken);
        return new Ids(pypi.Id, tools.Id);
    }

    public static ContentArtifact Artifact(long remoteId, string path, string sha256, long size, bool kept, ContentSource source, DateTimeOffset at) =>
        ContentArtifact.Record(remoteId, ContentPath.Parse(path), sha256, size, "application/octet-stream", kept, source, at);

    private static Digest DigestOf(string hex) => Digest.Parse($"{Digest.Sha256Algorithm}:{hex}");
}
