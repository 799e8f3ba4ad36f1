using System.ComponentModel.DataAnnotations;
using Portal.Core.Gateway;

namespace Portal.Features.Gateway;

/// <summary>The content gateway's storage, scan queue and rescan settings (section "Gateway").</summary>
public sealed class GatewayOptions : IValidatableObject
{
    public const string SectionName = "Gateway";

    /// <summary>Where kept files live, named by sha256 (relative paths are under the content root).</summary>
    [Required]
    public string StoreDirectory { get; set; } = "data/content";

    /// <summary>
    /// Where downloads and uploads wait for their scan; ".work" under <see cref="StoreDirectory"/> when empty. Keep it on
    /// the store's file system, so a scanned file enters the store by an atomic rename.
    /// </summary>
    public string? WorkDirectory { get; set; }

    /// <summary>Scans running at once (each holds one scanner connection).</summary>
    [Range(1, 256)]
    public int ScanConcurrency { get; set; } = 8;

    /// <summary>Fetches and uploads waiting for a scan beyond those running; more get 429 with Retry-After.</summary>
    [Range(0, 100_000)]
    public int MaxQueuedScans { get; set; } = 64;

    /// <summary>Seconds a 429 or 503 asks the client to wait.</summary>
    [Range(1, 3_600)]
    public int RetryAfterSeconds { get; set; } = 10;

    /// <summary>Seconds the scanner's engine and definitions version are remembered before asking again.</summary>
    [Range(1, 3_600)]
    public int DefinitionsCheckSeconds { get; set; } = 60;

    /// <summary>Kept content is rescanned when its verdict is older than this, even if the definitions did not change.</summary>
    [Range(1, 3_650)]
    public int RescanAfterDays { get; set; } = 30;

    /// <summary>Seconds one upstream download may take.</summary>
    [Range(1, 86_400)]
    public int DownloadTimeoutSeconds { get; set; } = 600;

    /// <summary>Seconds a PyPI Simple API page is reused before it is fetched again.</summary>
    [Range(0, 86_400)]
    public int IndexPageCacheSeconds { get; set; } = 60;

    /// <summary>Largest upload accepted by POST /api/v1/content/{remote}/upload, whatever the remote allows.</summary>
    [Range(1, Remote.MaxFileBytesLimit)]
    public long MaxUploadBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary>
    /// Memory for copies of often-served small kept files (0: none), so a hot file is served without reading the disk.
    /// Kept files never change (they are named by their sha256), so a copy is never stale; removed content leaves it too.
    /// </summary>
    [Range(0, 65_536)]
    public int MemoryCacheMegabytes { get; set; } = 256;

    /// <summary>Kept files up to this size may be copied into memory; larger ones are always read from the disk.</summary>
    [Range(1, 1_024)]
    public int MemoryCacheMaxFileMegabytes { get; set; } = 4;

    /// <summary>Remotes added at start-up when no remote of that name exists (never changed afterwards).</summary>
    public List<RemoteSeed> Remotes { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var seed in Remotes)
        {
            var errors = seed.ToDefinition().Validate();
            if (errors.Count > 0)
            {
                yield return new ValidationResult($"{SectionName}:Remotes '{seed.Name}': {string.Join(" ", errors)}", [nameof(Remotes)]);
            }
        }
    }
}

public sealed class RemoteSeed
{
    public string Name { get; set; } = "";
    public string UpstreamUrl { get; set; } = "";
    public string? FilesUrl { get; set; }
    public RemoteKind Kind { get; set; } = RemoteKind.Generic;
    public RemotePolicy Policy { get; set; } = RemotePolicy.OnDemand;
    public long MaxFileBytes { get; set; } = 512L * 1024 * 1024;
    public List<string> AllowedPathPatterns { get; set; } = [];
    public RemoteReadAccess ReadAccess { get; set; } = RemoteReadAccess.Anonymous;

    public RemoteDefinition ToDefinition() =>
        new(Name, UpstreamUrl, Kind, Policy, MaxFileBytes, AllowedPathPatterns, ReadAccess, FilesUrl);
}
