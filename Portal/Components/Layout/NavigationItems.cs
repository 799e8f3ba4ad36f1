using Microsoft.AspNetCore.Components.Routing;
using MudBlazor;
using Portal.Security;

namespace Portal.Components.Layout;

/// <summary>An entry in the navigation drawer; <see cref="Policy"/> null means every signed-in person.</summary>
public sealed record NavigationItem(string Title, string Href, string Icon, string? Policy, NavLinkMatch Match = NavLinkMatch.Prefix);

/// <summary>The drawer's entries in order, each with the policy its page enforces on the server.</summary>
public static class NavigationItems
{
    public static IReadOnlyList<NavigationItem> All { get; } =
    [
        new("Dashboard", "/", Icons.Material.Filled.Dashboard, null, NavLinkMatch.All),
        new("My workloads", "/my-workloads", Icons.Material.Filled.Person, null),
        new("My notifications", "/my/notifications", Icons.Material.Filled.MarkEmailRead, null),
        new("Images", "/images", Icons.Material.Filled.Layers, PortalPolicies.Governance),
        new("Workloads", "/workloads", Icons.Material.Filled.Apps, PortalPolicies.Governance),
        new("Findings", "/findings", Icons.Material.Filled.BugReport, PortalPolicies.Governance),
        new("Plan", "/plan", Icons.Material.Filled.EventNote, PortalPolicies.Governance),
        new("Holds", "/holds", Icons.Material.Filled.PauseCircle, PortalPolicies.Governance),
        new("Migrations", "/migrations", Icons.Material.Filled.MoveUp, PortalPolicies.Governance),
        new("Admission", "/admission", Icons.Material.Filled.GppMaybe, PortalPolicies.Governance),
        new("Gateway", "/gateway", Icons.Material.Filled.Shield, PortalPolicies.Admin),
        new("Jobs", "/jobs", Icons.Material.Filled.Schedule, PortalPolicies.Governance),
        new("Audit", "/audit", Icons.Material.Filled.History, PortalPolicies.Governance),
        new("Delivery log", "/notifications/log", Icons.Material.Filled.Outbox, PortalPolicies.Admin),
        new("Settings", "/settings", Icons.Material.Filled.Settings, PortalPolicies.Admin),
    ];
}
