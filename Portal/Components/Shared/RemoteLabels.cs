using Portal.Api;
using Portal.Core.Gateway;

namespace Portal.Components.Shared;

/// <summary>How gateway remotes read in Settings and on the Gateway page, and the address people give pip.</summary>
public static class RemoteLabels
{
    /// <summary>
    /// The address under this portal that people give pip for a PyPI remote (its Simple API index, /simple/), or the
    /// base to append file paths to for any other remote.
    /// </summary>
    public static string Address(string portalBaseUri, Remote remote)
    {
        ArgumentNullException.ThrowIfNull(portalBaseUri);
        ArgumentNullException.ThrowIfNull(remote);
        return portalBaseUri.TrimEnd('/') + ContentEndpoints.Prefix + remote.Name + "/" + (remote.Kind == RemoteKind.PyPi ? "simple/" : "");
    }

    public static string Kind(RemoteKind kind) => kind == RemoteKind.PyPi ? "PyPI" : "Generic";

    public static string Policy(RemotePolicy policy) => policy switch
    {
        RemotePolicy.OnDemand => "On demand",
        RemotePolicy.Streamed => "Streamed",
        _ => "Immediate",
    };

    /// <summary>What the policy means for someone choosing it.</summary>
    public static string PolicyHelp(RemotePolicy policy) => policy switch
    {
        RemotePolicy.OnDemand => "fetched and scanned on first request, then kept",
        RemotePolicy.Streamed => "fetched and scanned on every request, never kept",
        _ => "fetched and scanned ahead of use by a sync, and kept",
    };

    public static string Access(RemoteReadAccess access) => access == RemoteReadAccess.ApiKey ? "API key" : "Anyone";
}
