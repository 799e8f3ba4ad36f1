using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using OpenIddict.Server.AspNetCore;

namespace DevIdentityProvider;

public static class LogoutEndpoint
{
    // The cast keeps the IResult: a method taking only HttpContext would bind as a RequestDelegate and drop it.
    public static void MapLogoutEndpoint(this IEndpointRouteBuilder app, ProviderOptions provider) =>
        app.MapMethods(provider.LogoutPath, [HttpMethods.Get, HttpMethods.Post], (Delegate)LogoutAsync);

    private static async Task<IResult> LogoutAsync(HttpContext context)
    {
        // Dropping the provider session is what makes the next sign-in show the form again.
        await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);

        // OpenIddict redirects to the validated post_logout_redirect_uri (with state);
        // RedirectUri is only used when the client sent none.
        return Results.SignOut(
            new AuthenticationProperties { RedirectUri = "/" },
            [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
    }
}
