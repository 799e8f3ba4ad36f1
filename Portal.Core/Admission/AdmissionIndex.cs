using System.Collections.Frozen;
using Portal.Core.Inventory;
using Portal.Core.Lifecycle;
using Portal.Core.Registry;

namespace Portal.Core.Admission;

/// <summary>A hold as admission sees it: until when, by whom and why (termination holds only: they keep workloads running).</summary>
public sealed record AdmissionHold(DateTimeOffset Until, string By, string Reason);

/// <summary>
/// What admission knows of one inventory image: its class, whether any scanner ever reported on it, the EOL date
/// from the lifecycle and its cause, an open malware finding, the hold on it or its repository, and the approved
/// replacement. Dates are compared with the clock at review time, so an image expires on time without a rebuild.
/// </summary>
public sealed record AdmissionImage(
    long ImageId,
    string Name,
    ImageClass Class,
    bool Scanned,
    DateTimeOffset? Eol,
    string? EolCause,
    string? MalwareSignature,
    string? MalwarePath,
    AdmissionHold? Hold,
    string? Replacement);

/// <summary>
/// Everything a review needs, in memory: images by digest (platform children answer for their index) and by
/// "registry/repository:tag", the holds on workloads by namespace and name, and the policy. Immutable: a rebuild
/// makes a new one and swaps it in, so reviews never wait and never see half an update.
/// </summary>
public sealed class AdmissionIndex
{
    private readonly FrozenDictionary<string, AdmissionImage> _byDigest;
    private readonly FrozenDictionary<string, AdmissionImage> _byTag;
    private readonly FrozenDictionary<string, AdmissionHold> _workloadHolds;

    public AdmissionIndex(
        AdmissionPolicy policy,
        IEnumerable<KeyValuePair<string, AdmissionImage>> byDigest,
        IEnumerable<KeyValuePair<string, AdmissionImage>> byTag,
        IEnumerable<KeyValuePair<(string Namespace, string Name), AdmissionHold>> workloadHolds,
        DateTimeOffset builtAt)
    {
        Policy = policy;
        BuiltAt = builtAt;
        _byDigest = byDigest.ToFrozenDictionary(StringComparer.Ordinal);
        _byTag = byTag.ToFrozenDictionary(StringComparer.Ordinal);
        // The longest hold wins where a namespace has several under one name.
        _workloadHolds = workloadHolds.GroupBy(h => Key(h.Key.Namespace, h.Key.Name), StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.MaxBy(h => h.Value.Until).Value, StringComparer.Ordinal);
    }

    public static AdmissionIndex Empty(AdmissionPolicy policy, DateTimeOffset builtAt) => new(policy, [], [], [], builtAt);

    public AdmissionPolicy Policy { get; }
    public DateTimeOffset BuiltAt { get; }
    public int DigestCount => _byDigest.Count;
    public int TagCount => _byTag.Count;

    /// <summary>The key of a tag: the normalized reference without digest, "docker.io/library/nginx:latest".</summary>
    public static string TagKey(string registryHost, string repository, string tag) => $"{registryHost}/{repository}:{tag}";

    /// <summary>The image a reference points at: by digest when it has one (the content decides), otherwise by its tag.</summary>
    public AdmissionImage? Find(ImageReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (reference.Digest is { } digest)
        {
            return _byDigest.GetValueOrDefault(digest.ToString());
        }

        return _byTag.GetValueOrDefault(TagKey(reference.Registry, reference.Repository, reference.Tag ?? ImageReference.DefaultTag));
    }

    /// <summary>An active hold on any of the names the workload may go by in its namespace.</summary>
    public AdmissionHold? WorkloadHold(string? ns, IReadOnlyList<string> names, DateTimeOffset now)
    {
        if (ns is null)
        {
            return null;
        }

        foreach (var name in names)
        {
            if (_workloadHolds.TryGetValue(Key(ns, name), out var hold) && hold.Until > now)
            {
                return hold;
            }
        }

        return null;
    }

    private static string Key(string ns, string name) => ns + "/" + name;

    /// <summary>The termination hold that lasts longest among <paramref name="holds"/>, or null.</summary>
    public static AdmissionHold? LongestTerminationHold(IEnumerable<HoldFacts> holds, DateTimeOffset now) =>
        holds.Where(h => h.Pauses(HoldScope.Termination, now)).MaxBy(h => h.Until) is { } longest
            ? new AdmissionHold(longest.Until, longest.By, longest.Reason)
            : null;
}
