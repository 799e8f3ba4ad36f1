using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Portal.Benchmarks;

/// <summary>
/// Listens to EF Core's diagnostic events (no change to the portal's DI) and adds up, while switched on, how many
/// SQL commands ran and how long they took, by their first keyword (INSERT, UPDATE, SELECT, ...).
/// </summary>
internal sealed class SqlCommandProbe : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private readonly ConcurrentDictionary<string, (int Commands, long Ticks)> _byVerb = new(StringComparer.Ordinal);
    private readonly List<IDisposable> _subscriptions = [];
    private readonly IDisposable _allListeners;
    private volatile bool _enabled;

    public SqlCommandProbe() => _allListeners = DiagnosticListener.AllListeners.Subscribe(this);

    public void Start()
    {
        _byVerb.Clear();
        _enabled = true;
    }

    public IReadOnlyDictionary<string, (int Commands, TimeSpan Duration)> Stop()
    {
        _enabled = false;
        return _byVerb.ToDictionary(p => p.Key, p => (p.Value.Commands, TimeSpan.FromTicks(p.Value.Ticks)), StringComparer.Ordinal);
    }

    public void OnNext(DiagnosticListener value)
    {
        if (value.Name == DbLoggerCategory.Name)
        {
            lock (_subscriptions)
            {
                _subscriptions.Add(value.Subscribe(this, name => name == RelationalEventId.CommandExecuted.Name));
            }
        }
    }

    public void OnNext(KeyValuePair<string, object?> value)
    {
        if (!_enabled || value.Value is not CommandExecutedEventData executed)
        {
            return;
        }

        var verb = Verb(executed.Command.CommandText);
        _byVerb.AddOrUpdate(verb, (1, executed.Duration.Ticks), (_, v) => (v.Commands + 1, v.Ticks + executed.Duration.Ticks));
    }

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }

    public void Dispose()
    {
        _allListeners.Dispose();
        lock (_subscriptions)
        {
            _subscriptions.ForEach(s => s.Dispose());
        }
    }

    // EF prefixes some batches with a PRAGMA or a comment; the first statement keyword names the command well enough.
    private static string Verb(string sql)
    {
        var text = sql.AsSpan().TrimStart();
        var end = text.IndexOfAny(' ', '\n', '\r');
        var word = (end < 0 ? text : text[..end]).ToString().ToUpperInvariant();
        return word switch
        {
            "SELECT" or "INSERT" or "UPDATE" or "DELETE" or "WITH" or "PRAGMA" => word,
            _ => "other",
        };
    }
}
