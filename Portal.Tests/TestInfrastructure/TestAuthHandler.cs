using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Portal.Tests.TestInfrastructure;

/// <summary>
/// Signs a request in as the person named in its headers, the way the portal sees a signed-in Entra user.
/// A request without the header stays anonymous, so the portal's real challenge and policies still apply.
/// </summary>
public sealed class TestAuthHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Test";
    public const string UserHeader = "X-Test-User";
    public const string RolesHeader = "X-Test-Roles";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(UserHeader, out var user) || string.IsNullOrEmpty(user))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var roles = Request.Headers[RolesHeader].ToString()
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var principal = TestPrincipals.Create(user!, roles, SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }
}

public static class TestPrincipals
{
    public static ClaimsPrincipal Create(string signInName, IEnumerable<string> roles, string authenticationType = "Test")
    {
        var claims = new List<Claim>
        {
            new("preferred_username", signInName),
            new("name", signInName.Split('@')[0]),
            new("oid", $"oid-{signInName}"),
            new(ClaimTypes.Email, signInName),
        };
        claims.AddRange(roles.Select(role => new Claim("roles", role)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType, "preferred_username", "roles"));
    }
}
