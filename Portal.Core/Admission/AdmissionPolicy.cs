using System.Text.Json;
using System.Text.Json.Serialization;
using Portal.Core.Inventory;

namespace Portal.Core.Admission;

/// <summary>How the admission webhook treats the images of one class.</summary>
public enum AdmissionMode
{
    /// <summary>Not looked at: every pod is let through and nothing is recorded.</summary>
    Off,

    /// <summary>Let through with a warning the user sees (kubectl prints it); recorded, so admins see what Enforce would refuse.</summary>
    Warn,

    /// <summary>Refused when the image is expired or infected, unless a hold lets it through.</summary>
    Enforce,
}

/// <summary>What to do with an image the portal cannot judge (not in the inventory, or never scanned).</summary>
public enum AdmissionAction
{
    Allow,
    Warn,
    Refuse,
}

/// <summary>
/// The admission policy: a mode per image class, what to do with images the inventory does not know and with known
/// images that were never scanned, and the namespaces the webhook never judges. A fresh install only warns, so
/// admins see the impact (the "would have refused" report) before anything is refused; Platform images are exempt
/// because refusing the cluster's own controllers can take the cluster down.
/// </summary>
public sealed record AdmissionPolicy
{
    public const int MaxNamespaces = 200;

    private static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    public int Version { get; init; }

    private static readonly Dictionary<ImageClass, AdmissionMode> DefaultModes = new()
    {
        [ImageClass.Curated] = AdmissionMode.Warn,
        [ImageClass.User] = AdmissionMode.Warn,
        [ImageClass.Unclassified] = AdmissionMode.Warn,
        [ImageClass.Platform] = AdmissionMode.Off,
    };

    public IReadOnlyDictionary<ImageClass, AdmissionMode> Modes { get; init; } = new Dictionary<ImageClass, AdmissionMode>(DefaultModes);

    public AdmissionAction UnknownImages { get; init; } = AdmissionAction.Warn;

    public AdmissionAction UnscannedImages { get; init; } = AdmissionAction.Warn;

    public IReadOnlyList<string> ExemptNamespaces { get; init; } = ["kube-system"];

    /// <summary>A class the policy does not name keeps its default (Platform stays exempt).</summary>
    public AdmissionMode ModeOf(ImageClass imageClass) =>
        Modes.TryGetValue(imageClass, out var mode) ? mode : DefaultModes.GetValueOrDefault(imageClass, AdmissionMode.Warn);

    public bool IsExempt(string? ns) => ns is not null && ExemptNamespaces.Contains(ns, StringComparer.Ordinal);

    /// <summary>Every problem, each naming the setting; empty when the policy can be saved.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        foreach (var (imageClass, mode) in Modes)
        {
            if (!Enum.IsDefined(imageClass) || !Enum.IsDefined(mode))
            {
                errors.Add($"The mode for {imageClass} is not Off, Warn or Enforce.");
            }
        }

        if (!Enum.IsDefined(UnknownImages) || !Enum.IsDefined(UnscannedImages))
        {
            errors.Add("Unknown and never-scanned images are allowed, warned about or refused.");
        }

        if (ExemptNamespaces.Count > MaxNamespaces)
        {
            errors.Add($"At most {MaxNamespaces} exempt namespaces.");
        }

        // Kubernetes names namespaces as RFC 1123 labels; anything else could never match and is a typing mistake.
        foreach (var ns in ExemptNamespaces.Where(n => !IsNamespaceName(n)))
        {
            errors.Add($"Exempt namespace '{ns}' is not a Kubernetes namespace name (lowercase letters, digits and '-', at most 63).");
        }

        return errors;
    }

    public string ToJson() => JsonSerializer.Serialize(this with { Version = 0 }, Json);

    public static AdmissionPolicy FromJson(string json, int version) =>
        (JsonSerializer.Deserialize<AdmissionPolicy>(json, Json) ?? new AdmissionPolicy()) with { Version = version };

    public static bool IsNamespaceName(string? name) =>
        name is { Length: > 0 and <= 63 }
        && (char.IsAsciiLetterLower(name[0]) || char.IsAsciiDigit(name[0]))
        && (char.IsAsciiLetterLower(name[^1]) || char.IsAsciiDigit(name[^1]))
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');
}

/// <summary>One saved version of the admission policy, never changed afterwards, so a recorded decision can name it.</summary>
public sealed class AdmissionPolicyVersion
{
    private AdmissionPolicyVersion()
    {
        Document = string.Empty;
        SavedBy = string.Empty;
    }

    public int Version { get; private set; }
    public string Document { get; private set; }
    public string SavedBy { get; private set; }
    public DateTimeOffset SavedAt { get; private set; }

    public static AdmissionPolicyVersion Save(AdmissionPolicy policy, string savedBy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new AdmissionPolicyVersion { Version = policy.Version, Document = policy.ToJson(), SavedBy = savedBy, SavedAt = now };
    }

    public AdmissionPolicy Policy() => AdmissionPolicy.FromJson(Document, Version);
}
