using Portal.Core.Registry;

namespace Portal.Core.Inventory;

/// <summary>
/// A push or delete a registry reported to the portal, kept until a sync has read its repository again. While a
/// registry is known to send them, an incremental sync reads only the repositories these name.
/// </summary>
public sealed class RegistryChange
{
    private RegistryChange()
    {
        Repository = string.Empty;
    }

    public long Id { get; private set; }
    public int RegistryId { get; private set; }
    public RegistryEventAction Action { get; private set; }
    public string Repository { get; private set; }
    public string? Tag { get; private set; }
    public string? Digest { get; private set; }
    public DateTimeOffset ReceivedAt { get; private set; }

    public static RegistryChange Record(int registryId, RegistryEvent e, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new RegistryChange { RegistryId = registryId, Action = e.Action, Repository = e.Repository, Tag = e.Tag, Digest = e.Digest, ReceivedAt = now };
    }
}
