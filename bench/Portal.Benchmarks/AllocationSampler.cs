using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Portal.Benchmarks;

/// <summary>
/// The runtime's own allocation sampling (GCAllocationTick: one event per ~100 KB allocated, naming the type that
/// crossed the line), summed by type while switched on: a cheap, in-process view of what a sync allocates.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const string RuntimeSource = "Microsoft-Windows-DotNETRuntime";
    private const EventKeywords GcKeyword = (EventKeywords)0x1;

    // Base-class construction can deliver events before field initializers of this class have run.
    private ConcurrentDictionary<string, long>? _bytesByType;
    private volatile bool _enabled;

    public void Start()
    {
        _bytesByType = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        _enabled = true;
    }

    public IReadOnlyList<(string Type, long Bytes)> Stop()
    {
        _enabled = false;
        return _bytesByType is null ? [] : [.. _bytesByType.Select(p => (p.Key, p.Value)).OrderByDescending(p => p.Value)];
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == RuntimeSource)
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!_enabled || _bytesByType is not { } bytes || eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true
            || eventData.PayloadNames is not { } names || eventData.Payload is not { } payload)
        {
            return;
        }

        var typeIndex = names.IndexOf("TypeName");
        var amountIndex = names.IndexOf("AllocationAmount64");
        if (typeIndex < 0 || amountIndex < 0)
        {
            return;
        }

        var type = payload[typeIndex] as string ?? "?";
        var amount = Convert.ToInt64(payload[amountIndex], System.Globalization.CultureInfo.InvariantCulture);
        bytes.AddOrUpdate(type, amount, (_, total) => total + amount);
    }
}
