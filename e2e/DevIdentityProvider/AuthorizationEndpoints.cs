using System.Collections.Immutable;
using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace DevIdentityProvider;

public static class AuthorizationEndpoints
{
    public static void MapAuthorizationEndpoints(this IEndpointRouteBuilder app, ProviderOptions provider)
    {
        app.MapMethods(provider.AuthorizePath, [HttpMethods.Get, HttpMethods.Post], AuthorizeAsync);
        app.MapPost(provider.TokenPath, ExchangeAsync);
    }

    private static async Task<IResult> AuthorizeAsync(HttpContext context, ProviderOptions provider)
    {
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenID Connect request cannot be retrieved.");

        var session = await context.AuthenticateAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        var objectId = session.Principal?.FindFirstValue(Claims.Subject);
        var user = objectId is null ? null : provider.FindUserByObjectId(objectId);

        // Like Entra, an existing session signs in silently unless the client asks to pick or re-enter an account.
        if (user is null || request.HasPromptValue(PromptValues.Login) || request.HasPromptValue(PromptValues.SelectAccount))
        {
            if (request.HasPromptValue(PromptValues.None))
            {
                return Error(Errors.LoginRequired, "The user is not signed in.");
            }

            // Come back without the prompt, otherwise the form would be shown again after every sign-in.
            return Results.Challenge(
                new AuthenticationProperties { RedirectUri = ReturnUrlWithoutPrompt(context) },
                [CookieAuthenticationDefaults.AuthenticationScheme]);
        }

        var principal = CreatePrincipal(user, provider, request.GetScopes());
        return Results.SignIn(principal, authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static async Task<IResult> ExchangeAsync(HttpContext context, ProviderOptions provider)
    {
        // OpenIddict has already validated the code (with PKCE and the client secret) or the refresh token.
        var result = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        var objectId = result.Principal?.GetClaim(Claims.Subject);
        var user = objectId is null ? null : provider.FindUserByObjectId(objectId);
        if (result.Principal is null || user is null)
        {
            return Error(Errors.InvalidGrant, "The user is no longer known to this provider.");
        }

        // Rebuilt from configuration so a refresh picks up the current display name and roles.
        var principal = CreatePrincipal(user, provider, result.Principal.GetScopes());
        return Results.SignIn(principal, authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    // The claims an Entra v2 ID token carries and Microsoft.Identity.Web reads: oid and tid identify
    // the account, preferred_username becomes User.Identity.Name and each "roles" claim an app role.
    private static ClaimsPrincipal CreatePrincipal(UserOptions user, ProviderOptions provider, ImmutableArray<string> scopes)
    {
        var identity = new ClaimsIdentity(
            OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.PreferredUsername, "roles");

        identity.SetClaim(Claims.Subject, user.ObjectId)
            .SetClaim("oid", user.ObjectId)
            .SetClaim("tid", provider.TenantId)
            .SetClaim(Claims.Name, user.DisplayName)
            .SetClaim(Claims.PreferredUsername, user.UserName)
            .SetClaim(Claims.Email, user.UserName)
            // Entra always writes an array; OpenIddict writes a lone role as a plain string.
            // Token handlers turn either form into one "roles" claim per role.
            .SetClaims("roles", [.. user.Roles]);

        identity.SetScopes(scopes);
        identity.SetDestinations(static _ => [Destinations.IdentityToken, Destinations.AccessToken]);
        return new ClaimsPrincipal(identity);
    }

    private static string ReturnUrlWithoutPrompt(HttpContext context)
    {
        var parameters = context.Request.HasFormContentType
            ? context.Request.Form.AsEnumerable()
            : context.Request.Query.AsEnumerable();

        var query = QueryString.Create(parameters.Where(p => !string.Equals(p.Key, Parameters.Prompt, StringComparison.Ordinal)));
        return context.Request.PathBase + context.Request.Path + query;
    }

    private static IResult Error(string error, string description) =>
        Results.Forbid(
            new AuthenticationProperties(new Dictionary<string, string?>
            {
                [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
                [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
            }),
            [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
}
