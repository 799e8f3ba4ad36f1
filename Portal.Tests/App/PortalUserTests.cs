using System.Security.Claims;
using Portal.Security;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.App;

public sealed class PortalUserTests
{
    [Fact]
    public void ReadsTheClaimsEntraIssues()
    {
        var principal = new ClaimsPrincipal(new ClaimsIdentity(
        [
            new Claim("preferred_username", "admin@example.org"),
            new Claim("name", "Ada Admin"),
            new Claim("http://schemas.microsoft.com/identity/claims/objectidentifier", "0b7c"),
            new Claim(ClaimTypes.Role, PortalRoles.Admin),
        ], "oidc", "preferred_username", ClaimTypes.Role));

        var user = PortalUser.From(principal).ShouldNotBeNull();

        user.Id.ShouldBe("0b7c");
        user.SignInName.ShouldBe("admin@example.org");
        user.DisplayName.ShouldBe("Ada Admin");
        user.Email.ShouldBe("admin@example.org");
        user.Roles.ShouldBe([PortalRoles.Admin]);
        user.IsAdmin.ShouldBeTrue();
        user.IsApprover.ShouldBeFalse();
    }

    [Fact]
    public void IsNobodyForAnAnonymousPrincipal() =>
        PortalUser.From(new ClaimsPrincipal(new ClaimsIdentity())).ShouldBeNull();

    [Fact]
    public void CollectsRolesIssuedAsRolesClaims()
    {
        var user = PortalUser.From(TestPrincipals.Create("approver@example.org", [PortalRoles.Approver, PortalRoles.Admin]))!;

        user.Roles.ShouldBe([PortalRoles.Admin, PortalRoles.Approver]);
    }
}
