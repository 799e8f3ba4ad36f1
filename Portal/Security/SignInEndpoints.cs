using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Portal.Core.Auditing;
using Portal.Features.Audit;

namespace Portal.Security;

/// <summary>
/// Our own sign-in and sign-out endpoints (Microsoft.Identity.Web.UI provides these for MVC, but is not used here).
/// </summary>
public static class SignInEndpoints
{
    public static IEndpointRouteBuilder MapSignInEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/signin", (string? returnUrl) =>
                TypedResults.Challenge(
                    new AuthenticationProperties { RedirectUri = LocalOrRoot(returnUrl) },
                    [OpenIdConnectDefaults.AuthenticationScheme]))
            .AllowAnonymous()
            .ExcludeFromDescription();

        endpoints.MapPost("/signout", async Task<IResult> (HttpContext context, AuditLog audit) =>
            {
                // The antiforgery middleware only records its verdict; a handler that binds no form must act on it.
                if (context.Features.Get<IAntiforgeryValidationFeature>() is not { IsValid: true })
                {
                    return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Sign-out needs the form's antiforgery token",
                        detail: "Use the Sign out button in the portal.");
                }

                var user = PortalUser.From(context.User);
                if (user is not null)
                {
                    await audit.RecordAsync(AuditActorKind.Person, user.SignInName, AuditActions.SignOut,
                        subject: user.DisplayName, cancellationToken: context.RequestAborted);
                }

                return TypedResults.SignOut(
                    new AuthenticationProperties { RedirectUri = "/signed-out" },
                    [CookieAuthenticationDefaults.AuthenticationScheme, OpenIdConnectDefaults.AuthenticationScheme]);
            })
            .WithMetadata(new RequireAntiforgeryTokenAttribute())
            .ExcludeFromDescription();

        return endpoints;
    }

    /// <summary>Only paths on this site are followed after sign-in; anything else would be an open redirect.</summary>
    internal static string LocalOrRoot(string? returnUrl) =>
        returnUrl is { Length: > 0 }
        && returnUrl[0] == '/'
        && (returnUrl.Length == 1 || (returnUrl[1] != '/' && returnUrl[1] != '\\'))
        && !returnUrl.Contains("://", StringComparison.Ordinal)
            ? returnUrl
            : "/";
}
