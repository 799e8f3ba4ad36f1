using System.Text.Json;
using System.Text.Json.Serialization;

namespace Portal.Core.Lifecycle;

/// <summary>
/// One saved version of the lifecycle policy: the whole policy as a JSON document, who saved it and when. Versions are
/// never changed, so every plan and every action can say exactly which rules it followed.
/// </summary>
public sealed class LifecyclePolicyVersion
{
    private static readonly JsonSerializerOptions Json = new()
    {
        Converters = { new JsonStringEnumConverter() },
        WriteIndented = false,
    };

    private LifecyclePolicyVersion()
    {
        Document = string.Empty;
        SavedBy = string.Empty;
    }

    public int Version { get; private set; }
    public string Document { get; private set; }
    public string SavedBy { get; private set; }
    public DateTimeOffset SavedAt { get; private set; }

    public static LifecyclePolicyVersion Save(LifecyclePolicy policy, string savedBy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new LifecyclePolicyVersion
        {
            Version = policy.Version,
            Document = JsonSerializer.Serialize(policy, Json),
            SavedBy = savedBy,
            SavedAt = now,
        };
    }

    public LifecyclePolicy Policy() =>
        (JsonSerializer.Deserialize<LifecyclePolicy>(Document, Json) ?? new LifecyclePolicy()) with { Version = Version };
}
