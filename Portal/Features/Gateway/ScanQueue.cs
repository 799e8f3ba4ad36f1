using Microsoft.Extensions.Options;

namespace Portal.Features.Gateway;

/// <summary>
/// The gateway's bounded scan queue: at most ScanConcurrency scans run, at most MaxQueuedScans more wait, and anything
/// beyond that is refused at once (429) instead of piling up downloads nobody can scan. A place is taken before the
/// download starts, so a full queue also stops new upstream traffic.
/// </summary>
public sealed class ScanQueue : IDisposable
{
    private readonly SemaphoreSlim _running;
    private readonly int _capacity;
    private int _admitted;
    private int _scanning;
    private long _scansStarted;

    public ScanQueue(IOptions<GatewayOptions> options)
    {
        var settings = options.Value;
        _running = new SemaphoreSlim(settings.ScanConcurrency, settings.ScanConcurrency);
        _capacity = settings.ScanConcurrency + settings.MaxQueuedScans;
    }

    /// <summary>Admitted work: downloads and scans in progress or waiting (the live depth on the Gateway page).</summary>
    public int Depth => Volatile.Read(ref _admitted);

    /// <summary>Scans talking to the scanner right now.</summary>
    public int Scanning => Volatile.Read(ref _scanning);

    public int Capacity => _capacity;

    /// <summary>Scans started since the portal started (shared downloads and remembered verdicts start none).</summary>
    public long ScansStarted => Interlocked.Read(ref _scansStarted);

    /// <summary>A place in the queue, or null when it is full.</summary>
    public Place? TryEnter()
    {
        if (Interlocked.Increment(ref _admitted) > _capacity)
        {
            Interlocked.Decrement(ref _admitted);
            return null;
        }

        return new Place(this);
    }

    /// <summary>For background work (the rescan job, a sync): waits for a place instead of being refused like a request.</summary>
    public async Task<Place> EnterAsync(TimeProvider clock, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (TryEnter() is { } place)
            {
                return place;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), clock, cancellationToken);
        }
    }

    public void Dispose() => _running.Dispose();

    public sealed class Place(ScanQueue queue) : IDisposable
    {
        private bool _holdsSlot;
        private bool _disposed;

        /// <summary>Waits for a running slot, then runs <paramref name="scan"/>.</summary>
        public async Task<T> ScanAsync<T>(Func<Task<T>> scan, CancellationToken cancellationToken)
        {
            if (!_holdsSlot)
            {
                await queue._running.WaitAsync(cancellationToken);
                _holdsSlot = true;
            }

            Interlocked.Increment(ref queue._scanning);
            Interlocked.Increment(ref queue._scansStarted);
            try
            {
                return await scan();
            }
            finally
            {
                Interlocked.Decrement(ref queue._scanning);
            }
        }

        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_holdsSlot)
            {
                queue._running.Release();
            }

            Interlocked.Decrement(ref queue._admitted);
        }
    }
}
