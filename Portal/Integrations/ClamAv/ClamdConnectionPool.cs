namespace Portal.Integrations.ClamAv;

/// <summary>
/// Bounds and reuses connections to clamd.
/// <para>
/// At most <see cref="ClamAvOptions.MaxConnections"/> scans talk to clamd at once; the rest wait for a slot. This
/// keeps a burst (a layer with thousands of files, many gateway downloads) from opening thousands of sockets and
/// overrunning clamd's MaxQueue, which would turn into error verdicts.
/// </para>
/// <para>
/// With <see cref="ClamAvOptions.ReuseConnections"/>, every connection is an IDSESSION: clamd keeps it open after
/// each reply, so the next scan skips the connect (and clamd's accept and command-read round). A connection is used
/// by one scan at a time and each reply is read before the next command is sent, which is what clamd requires of
/// session clients. Idle connections are kept newest first; one idle longer than
/// <see cref="ClamAvOptions.IdleConnectionSeconds"/> is closed (a timer trims them), and one clamd has closed (it does
/// after its ReadTimeout, or when restarted) is noticed by a zero-timeout poll before use and replaced. Anything that
/// goes wrong on a connection closes it rather than returning it.
/// </para>
/// </summary>
internal sealed class ClamdConnectionPool : IDisposable
{
    private readonly ClamAvOptions _options;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _slots;
    private readonly TimeSpan _idleLimit;
    private readonly Lock _lock = new();

    // Oldest first; rented from the end so the warmest connections are reused and the oldest age out.
    private readonly List<IdleConnection> _idle = [];
    private readonly ITimer? _trimTimer;
    private bool _disposed;

    public ClamdConnectionPool(ClamAvOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        _slots = new SemaphoreSlim(options.MaxConnections, options.MaxConnections);
        _idleLimit = TimeSpan.FromSeconds(options.IdleConnectionSeconds);
        if (options.ReuseConnections)
        {
            _trimTimer = time.CreateTimer(_ => Trim(), null, _idleLimit, _idleLimit);
        }
    }

    /// <summary>Connections waiting in the pool (for tests and metrics).</summary>
    public int IdleCount
    {
        get
        {
            lock (_lock)
            {
                return _idle.Count;
            }
        }
    }

    /// <summary>
    /// Waits for a slot, then hands out an idle connection that still looks alive or opens a new one.
    /// </summary>
    /// <exception cref="ClamdException">clamd could not be reached within ConnectTimeoutSeconds.</exception>
    public async Task<ClamdLease> RentAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _slots.WaitAsync(cancellationToken);
        try
        {
            while (TakeIdle() is { } idle)
            {
                if (idle.LooksAlive())
                {
                    return new ClamdLease(this, idle, reused: true);
                }

                idle.Dispose();
            }

            var timeout = TimeSpan.FromSeconds(_options.ConnectTimeoutSeconds);
            using var connectTimeout = new CancellationTokenSource(timeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, connectTimeout.Token);
            try
            {
                var connection = await ClamdConnection.ConnectAsync(_options, _options.ReuseConnections, linked.Token);
                return new ClamdLease(this, connection, reused: false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new ClamdException(
                    $"no connection to clamd at {_options.Address} within {_options.ConnectTimeoutSeconds} s ({ClamAvOptions.SectionName}:ConnectTimeoutSeconds)",
                    connectionLost: true);
            }
        }
        catch
        {
            _slots.Release();
            throw;
        }
    }

    internal void Return(ClamdConnection connection, bool reusable)
    {
        try
        {
            if (reusable && connection.InSession)
            {
                lock (_lock)
                {
                    if (!_disposed)
                    {
                        _idle.Add(new IdleConnection(connection, _time.GetTimestamp()));
                        return;
                    }
                }

                connection.EndSessionAndDispose();
            }
            else
            {
                connection.Dispose();
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>Closes connections idle for longer than IdleConnectionSeconds.</summary>
    public void Trim()
    {
        List<ClamdConnection> expired = [];
        lock (_lock)
        {
            while (_idle.Count > 0 && _time.GetElapsedTime(_idle[0].ReturnedAt) >= _idleLimit)
            {
                expired.Add(_idle[0].Connection);
                _idle.RemoveAt(0);
            }
        }

        foreach (var connection in expired)
        {
            connection.EndSessionAndDispose();
        }
    }

    public void Dispose()
    {
        List<IdleConnection> idle;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            idle = [.. _idle];
            _idle.Clear();
        }

        _trimTimer?.Dispose();
        foreach (var connection in idle)
        {
            connection.Connection.EndSessionAndDispose();
        }

        // Leases still out return through Return(), which releases into a semaphore that is no longer waited on.
    }

    private ClamdConnection? TakeIdle()
    {
        Trim();
        lock (_lock)
        {
            if (_idle.Count == 0)
            {
                return null;
            }

            var newest = _idle[^1].Connection;
            _idle.RemoveAt(_idle.Count - 1);
            return newest;
        }
    }

    private readonly record struct IdleConnection(ClamdConnection Connection, long ReturnedAt);
}

/// <summary>
/// A connection lent to one scan. Dispose returns it: to the pool when the scan called <see cref="KeepForReuse"/>
/// (the conversation ended cleanly), otherwise it is closed.
/// </summary>
internal sealed class ClamdLease(ClamdConnectionPool pool, ClamdConnection connection, bool reused) : IDisposable
{
    private bool _reusable;
    private bool _returned;

    public ClamdConnection Connection { get; } = connection;

    /// <summary>True when the connection had served earlier scans (and so might have been closed by clamd meanwhile).</summary>
    public bool Reused { get; } = reused;

    public void KeepForReuse() => _reusable = true;

    public void Dispose()
    {
        if (_returned)
        {
            return;
        }

        _returned = true;
        pool.Return(Connection, _reusable);
    }
}
