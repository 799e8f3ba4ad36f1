using Microsoft.Extensions.Options;
using Portal.Core.Malware;

namespace Portal.Features.Gateway;

/// <summary>
/// The scanner's engine and definitions version, asked at most every DefinitionsCheckSeconds: a kept file is served
/// only while its clean verdict is for these definitions. When the scanner cannot be asked, the last answer stands
/// for kept files (their verdicts stay what they were); new content still cannot be scanned and is refused.
/// </summary>
public sealed class ScannerDefinitions(IVirusScanner scanner, IOptions<GatewayOptions> options, TimeProvider clock, ILogger<ScannerDefinitions> logger) : IDisposable
{
    private readonly SemaphoreSlim _asking = new(1, 1);
    private ScannerInfo? _last;
    private DateTimeOffset _askedAt;

    /// <summary>The scanner's current definitions, or the last known ones when it cannot be reached; null when never known.</summary>
    public async Task<ScannerInfo?> CurrentAsync(CancellationToken cancellationToken)
    {
        var fresh = TimeSpan.FromSeconds(options.Value.DefinitionsCheckSeconds);
        if (_last is { } known && clock.GetUtcNow() - _askedAt < fresh)
        {
            return known;
        }

        await _asking.WaitAsync(cancellationToken);
        try
        {
            if (_last is { } again && clock.GetUtcNow() - _askedAt < fresh)
            {
                return again;
            }

            try
            {
                _last = await scanner.DescribeAsync(cancellationToken);
            }
            catch (VirusScannerUnavailableException e)
            {
                logger.LogWarning("Could not ask {Scanner} for its definitions: {Reason}", scanner.Name, e.Message);
            }

            _askedAt = clock.GetUtcNow();
            return _last;
        }
        finally
        {
            _asking.Release();
        }
    }

    /// <summary>Ask again on the next call (the rescan job does, so it always compares with what the scanner says now).</summary>
    public void Expire() => _askedAt = DateTimeOffset.MinValue;

    public void Dispose() => _asking.Dispose();

    public static bool IsCurrent(MalwareVerdict verdict, ScannerInfo? current) =>
        current is not null && !verdict.NeedsRescan(current);
}
