namespace Portal.Security;

/// <summary>Entra ID app roles the portal knows. Anyone signed in without a role is a notebook user.</summary>
public static class PortalRoles
{
    public const string Admin = "Portal.Admin";
    public const string Approver = "Portal.Approver";
}

/// <summary>Named authorization policies; pages, endpoints and the menu all use these names.</summary>
public static class PortalPolicies
{
    /// <summary>Platform operators: registries, rules, policies, jobs, gateway, settings.</summary>
    public const string Admin = "Admin";

    /// <summary>Security and operations leads: holds and second-person approvals.</summary>
    public const string Approver = "Approver";

    /// <summary>Read access to the governance pages (images, findings, plan, audit): admins and approvers.</summary>
    public const string Governance = "Governance";
}
