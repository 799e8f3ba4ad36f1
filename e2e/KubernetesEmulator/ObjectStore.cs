using System.Globalization;
using System.Text.Json.Nodes;

namespace KubernetesEmulator;

/// <summary>
/// The emulator's etcd: every object by resource and storage key (<c>namespace/name</c>, or <c>name</c> when
/// cluster-scoped, compared ordinally so lists come out in etcd key order), one global resource-version counter, and
/// the injected faults. One lock guards it all; every method that hands an object out hands out a copy.
/// </summary>
internal sealed class ObjectStore(TimeProvider timeProvider)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, SortedDictionary<string, JsonObject>> _objects = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _pageOfToken = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Pages, int StatusCode)> _listFaults = new(StringComparer.Ordinal);
    private long _resourceVersion = 1;
    private long _expiredAtOrBelow;

    public static string Key(ResourceType resource, string? @namespace, string name) =>
        resource.Namespaced ? $"{@namespace}/{name}" : name;

    public long ResourceVersion
    {
        get
        {
            lock (_gate)
            {
                return _resourceVersion;
            }
        }
    }

    /// <summary>Stores seed or test objects as they are, filling in what the server would have set. A new object keeps a
    /// resourceVersion it brings (real API output does); replacing a stored one always gets a fresh resourceVersion.</summary>
    public void Seed(IEnumerable<(ResourceType Resource, JsonObject Object)> objects)
    {
        lock (_gate)
        {
            foreach (var (resource, obj) in objects)
            {
                var metadata = Metadata(obj);
                var bucket = Bucket(resource);
                var key = Key(resource, (string?)metadata["namespace"], (string)metadata["name"]!);
                if (bucket.TryGetValue(key, out var existing))
                {
                    // Replacing is a write like any other: same identity unless the caller gave one, a new resourceVersion.
                    var existingMetadata = Metadata(existing);
                    metadata["uid"] ??= existingMetadata["uid"]?.DeepClone();
                    metadata["creationTimestamp"] ??= existingMetadata["creationTimestamp"]?.DeepClone();
                    FillServerFields(metadata, keepResourceVersion: false);
                }
                else
                {
                    FillServerFields(metadata, keepResourceVersion: true);
                }

                bucket[key] = obj;
            }
        }
    }

    public JsonObject? Get(ResourceType resource, string? @namespace, string name)
    {
        lock (_gate)
        {
            return Bucket(resource).TryGetValue(Key(resource, @namespace, name), out var obj) ? (JsonObject)obj.DeepClone() : null;
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _objects.Clear();
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _objects.Values.Sum(b => b.Count);
            }
        }
    }

    /// <summary>Runs a read-modify-write on one object under the lock: <paramref name="change"/> gets a copy of the current
    /// object (null when missing) and returns what to store (null to delete, or the same reference to leave it be).</summary>
    public T Write<T>(ResourceType resource, string? @namespace, string name, bool dryRun, Func<JsonObject?, (JsonObject? Next, T Result)> change)
    {
        lock (_gate)
        {
            var bucket = Bucket(resource);
            var key = Key(resource, @namespace, name);
            var current = bucket.TryGetValue(key, out var existing) ? existing : null;
            var (next, result) = change(current is null ? null : (JsonObject)current.DeepClone());
            if (!dryRun)
            {
                if (next is null)
                {
                    bucket.Remove(key);
                }
                else
                {
                    bucket[key] = next;
                }
            }

            return result;
        }
    }

    /// <summary>Sets uid, creationTimestamp and generation if missing, and a fresh resourceVersion (unless seeding one).</summary>
    public void FillServerFields(JsonObject metadata, bool keepResourceVersion)
    {
        lock (_gate)
        {
            if (metadata["uid"] is null)
            {
                metadata["uid"] = Guid.NewGuid().ToString();
            }

            if (metadata["creationTimestamp"] is null)
            {
                metadata["creationTimestamp"] = Timestamp();
            }

            var given = (metadata["resourceVersion"] as JsonValue)?.ToString();
            if (keepResourceVersion && !string.IsNullOrEmpty(given))
            {
                // A seed keeps its resourceVersion; later writes must still get higher ones.
                if (long.TryParse(given, NumberStyles.None, CultureInfo.InvariantCulture, out var seeded) && seeded > _resourceVersion)
                {
                    _resourceVersion = seeded;
                }
            }
            else
            {
                metadata["resourceVersion"] = NextResourceVersion();
            }
        }
    }

    public string NextResourceVersion()
    {
        lock (_gate)
        {
            return (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
        }
    }

    public string Timestamp() => timeProvider.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// One page of a list, in key order, from after the continue token's start key. Unlike the real server, later pages
    /// show the data as it is now, not as of the first page's resourceVersion (no MVCC history is kept).
    /// </summary>
    public ListPage List(ResourceType resource, string? @namespace, ListQuery query, Action<ListPage, JsonObject>? eachItem = null)
    {
        lock (_gate)
        {
            var prefix = resource.Namespaced && @namespace is not null ? @namespace + "/" : "";
            var start = prefix;
            var page = 1;
            if (query.Continue is { Length: > 0 } continueValue)
            {
                var token = ContinueToken.Decode(continueValue);
                if (token.ResourceVersion <= _expiredAtOrBelow)
                {
                    var fresh = new ContinueToken(_resourceVersion, token.Start).Encode();
                    throw new KubernetesStatusException(410, "Expired",
                        "The provided continue parameter is too old to display a consistent list result. You can start a new list "
                        + "without the continue parameter, or use the continue token in this response to retrieve the remainder of "
                        + "the results. Continuing with the provided token results in an inconsistent list - objects that were "
                        + "created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
                        listMetadata: new JsonObject { ["continue"] = fresh });
                }

                start = prefix + token.Start;
                page = _pageOfToken.GetValueOrDefault(continueValue, 2);
            }

            if (_listFaults.TryGetValue(resource.Plural, out var fault) && page > fault.Pages)
            {
                throw new KubernetesStatusException(fault.StatusCode, KubernetesStatus.ReasonFor(fault.StatusCode),
                    fault.StatusCode == 500
                        ? $"Internal error occurred: injected fault: page {page} of the {resource.GroupResource} list"
                        : $"injected fault: page {page} of the {resource.GroupResource} list answers {fault.StatusCode}");
            }

            var result = new ListPage(_resourceVersion.ToString(CultureInfo.InvariantCulture));
            string? lastKey = null;
            var remaining = 0;
            foreach (var (key, obj) in Bucket(resource))
            {
                if (string.CompareOrdinal(key, start) < 0 || !key.StartsWith(prefix, StringComparison.Ordinal)
                    || query.Labels?.Matches(obj) == false || query.Fields?.Matches(obj) == false)
                {
                    continue;
                }

                if (query.Limit > 0 && result.Count >= query.Limit)
                {
                    remaining++;
                    continue;
                }

                result.Count++;
                lastKey = key;
                eachItem?.Invoke(result, obj);
            }

            if (remaining > 0 && lastKey is not null)
            {
                var token = new ContinueToken(_resourceVersion, lastKey[prefix.Length..] + "\0").Encode();
                _pageOfToken[token] = page + 1;
                result.Continue = token;
                if (query.Labels is null && query.Fields is null)
                {
                    result.RemainingItemCount = remaining;
                }
            }

            return result;
        }
    }

    /// <summary>Removes every matching object in one namespace (or all) and hands each out before it goes.</summary>
    public List<JsonObject> DeleteCollection(ResourceType resource, string? @namespace, ListQuery query, bool dryRun)
    {
        lock (_gate)
        {
            var prefix = resource.Namespaced && @namespace is not null ? @namespace + "/" : "";
            var bucket = Bucket(resource);
            var doomed = bucket
                .Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal)
                    && query.Labels?.Matches(e.Value) != false && query.Fields?.Matches(e.Value) != false)
                .ToList();
            if (!dryRun)
            {
                foreach (var (key, _) in doomed)
                {
                    bucket.Remove(key);
                }

                if (doomed.Count > 0)
                {
                    _resourceVersion++;
                }
            }

            return [.. doomed.Select(e => (JsonObject)e.Value.DeepClone())];
        }
    }

    public void FailListAfterPages(string plural, int pages, int statusCode)
    {
        lock (_gate)
        {
            _listFaults[plural] = (pages, statusCode);
        }
    }

    public void ExpireContinueTokens()
    {
        lock (_gate)
        {
            // Like a compaction: everything up to now is gone, and the revision moves on so new tokens stay valid.
            _expiredAtOrBelow = _resourceVersion;
            _resourceVersion++;
        }
    }

    public void ClearFaults()
    {
        lock (_gate)
        {
            _listFaults.Clear();
            _expiredAtOrBelow = 0;
        }
    }

    private SortedDictionary<string, JsonObject> Bucket(ResourceType resource)
    {
        if (!_objects.TryGetValue(resource.GroupResource, out var bucket))
        {
            bucket = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
            _objects[resource.GroupResource] = bucket;
        }

        return bucket;
    }

    private static JsonObject Metadata(JsonObject obj) =>
        obj["metadata"] as JsonObject ?? throw new ArgumentException("The object has no metadata.", nameof(obj));
}

/// <summary>The paging and filtering parameters of one list request.</summary>
internal sealed record ListQuery(int Limit, string? Continue, LabelSelector? Labels, FieldSelector? Fields)
{
    public static readonly ListQuery All = new(0, null, null, null);
}

/// <summary>What one list request produced, apart from the items (which are written out as they are met).</summary>
internal sealed class ListPage(string resourceVersion)
{
    public string ResourceVersion { get; } = resourceVersion;

    public int Count { get; set; }

    public string? Continue { get; set; }

    public int? RemainingItemCount { get; set; }
}
