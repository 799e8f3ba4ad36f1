using System.Security.Claims;

namespace Portal.Security;

/// <summary>The parts of a signed-in principal the portal uses, read the way Entra ID issues them.</summary>
public sealed record PortalUser(string Id, string SignInName, string DisplayName, string? Email, IReadOnlyList<string> Roles)
{
    private const string ObjectIdClaim = "http://schemas.microsoft.com/identity/claims/objectidentifier";

    public bool IsAdmin => Roles.Contains(PortalRoles.Admin);
    public bool IsApprover => Roles.Contains(PortalRoles.Approver);

    public static PortalUser? From(ClaimsPrincipal? principal)
    {
        if (principal?.Identity?.IsAuthenticated != true)
        {
            return null;
        }

        var signInName = principal.FindFirstValue("preferred_username") ?? principal.Identity.Name ?? "unknown";
        var id = principal.FindFirstValue(ObjectIdClaim) ?? principal.FindFirstValue("oid")
            ?? principal.FindFirstValue(ClaimTypes.NameIdentifier) ?? signInName;
        var email = principal.FindFirstValue(ClaimTypes.Email) ?? principal.FindFirstValue("email")
            ?? (signInName.Contains('@', StringComparison.Ordinal) ? signInName : null);
        var displayName = principal.FindFirstValue("name") ?? signInName;
        var roleClaimType = (principal.Identity as ClaimsIdentity)?.RoleClaimType ?? ClaimTypes.Role;
        var roles = principal.Claims
            .Where(c => c.Type == roleClaimType || c.Type == ClaimTypes.Role || c.Type == "roles")
            .Select(c => c.Value)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        return new PortalUser(id, signInName, displayName, email, roles);
    }
}
