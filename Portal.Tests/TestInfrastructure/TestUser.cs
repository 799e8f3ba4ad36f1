using Portal.Security;

namespace Portal.Tests.TestInfrastructure;

/// <summary>The kinds of caller the authorization tests walk every endpoint as.</summary>
public sealed record TestUser(string Name, string? SignInName, params string[] Roles)
{
    public static readonly TestUser Anonymous = new("anonymous", null);
    public static readonly TestUser NotebookUser = new("notebook user", "alice@example.org");
    public static readonly TestUser Approver = new("approver", "approver@example.org", PortalRoles.Approver);
    public static readonly TestUser Admin = new("admin", "admin@example.org", PortalRoles.Admin);

    public HttpRequestMessage Apply(HttpRequestMessage request)
    {
        if (SignInName is not null)
        {
            request.Headers.Add(TestAuthHandler.UserHeader, SignInName);
            request.Headers.Add(TestAuthHandler.RolesHeader, string.Join(',', Roles));
        }

        return request;
    }

    public override string ToString() => Name;
}
