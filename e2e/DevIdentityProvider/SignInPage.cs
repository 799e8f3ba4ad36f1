using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace DevIdentityProvider;

public static class SignInPage
{
    public const string Path = "/account/login";

    private static readonly HtmlEncoder Html = HtmlEncoder.Default;

    public static void MapSignInPage(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, ShowForm);
        app.MapPost(Path, SignInAsync);
        app.MapGet("/", Home);
    }

    private static IResult ShowForm(HttpContext context, IAntiforgery antiforgery, ProviderOptions provider, string? returnUrl) =>
        Page(context, antiforgery, provider, returnUrl, userName: "", error: null);

    private static async Task<IResult> SignInAsync(HttpContext context, IAntiforgery antiforgery, ProviderOptions provider)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Results.BadRequest("The form has expired. Go back and try again.");
        }

        var form = await context.Request.ReadFormAsync();
        var userName = form["username"].ToString().Trim();
        var returnUrl = form["returnUrl"].ToString();

        var user = provider.FindUser(userName);
        if (user is null || !string.Equals(user.Password, form["password"].ToString(), StringComparison.Ordinal))
        {
            return Page(context, antiforgery, provider, returnUrl, userName, "Wrong email or password.");
        }

        var identity = new ClaimsIdentity(CookieAuthenticationDefaults.AuthenticationScheme, Claims.Name, null);
        identity.AddClaim(new Claim(Claims.Subject, user.ObjectId));
        identity.AddClaim(new Claim(Claims.Name, user.UserName));
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));

        return Results.Redirect(IsLocal(returnUrl) ? returnUrl : "/");
    }

    private static IResult Home(HttpContext context, ProviderOptions provider)
    {
        var signedIn = context.User.Identity?.IsAuthenticated == true
            ? $"<p>Signed in as {Html.Encode(context.User.Identity.Name ?? "")}.</p>"
            : "<p>Not signed in.</p>";
        var discovery = Html.Encode($"{provider.BaseUrl}/{provider.ConfigurationPath}");
        return Results.Content(
            Layout("Development identity provider", $"""
                <h1>Development identity provider</h1>
                {signedIn}
                <p>OpenID Connect discovery: <a href="{discovery}">{discovery}</a></p>
                """),
            "text/html; charset=utf-8");
    }

    // No browser-side validation (type=email, required): every bad attempt reaches the server and
    // gets the same answer, which keeps the page predictable for tests.
    private static IResult Page(HttpContext context, IAntiforgery antiforgery, ProviderOptions provider, string? returnUrl, string userName, string? error)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        var errorHtml = error is null
            ? ""
            : $"""<p id="error" class="error" role="alert">{Html.Encode(error)}</p>""";
        var describedBy = error is null ? "" : """ aria-describedby="error" aria-invalid="true" """;

        var body = $"""
            <h1>Sign in</h1>
            <p>Development identity provider. Never use it outside local development and tests.</p>
            {errorHtml}
            <form method="post" action="{Path}">
              <input type="hidden" name="{Html.Encode(tokens.FormFieldName)}" value="{Html.Encode(tokens.RequestToken ?? "")}">
              <input type="hidden" name="returnUrl" value="{Html.Encode(returnUrl ?? "")}">
              <p>
                <label for="username">Email</label>
                <input id="username" name="username" type="text" inputmode="email" autocomplete="username" autocapitalize="none" spellcheck="false" autofocus value="{Html.Encode(userName)}"{describedBy}>
              </p>
              <p>
                <label for="password">Password</label>
                <input id="password" name="password" type="password" autocomplete="current-password"{describedBy}>
              </p>
              <p><button type="submit">Sign in</button></p>
            </form>
            <section aria-labelledby="seeded-users">
              <h2 id="seeded-users">Seeded users</h2>
              <p>Their passwords are in the provider's configuration and README.</p>
              <table>
                <thead><tr><th scope="col">Email</th><th scope="col">Name</th><th scope="col">Roles</th></tr></thead>
                <tbody>
            {UserRows(provider)}
                </tbody>
              </table>
            </section>
            """;

        return Results.Content(Layout("Sign in - Development identity provider", body), "text/html; charset=utf-8");
    }

    private static string UserRows(ProviderOptions provider) =>
        string.Concat(provider.Users.Select(user =>
        {
            var roles = user.Roles.Count == 0 ? "(no roles)" : string.Join(", ", user.Roles);
            return $"      <tr><td>{Html.Encode(user.UserName)}</td><td>{Html.Encode(user.DisplayName)}</td><td>{Html.Encode(roles)}</td></tr>\n";
        }));

    private static string Layout(string title, string body) => $$"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <meta name="viewport" content="width=device-width, initial-scale=1">
          <title>{{Html.Encode(title)}}</title>
          <style>
            body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; color: #1b1b1b; }
            label { display: block; font-weight: 600; margin-bottom: .25rem; }
            input { font: inherit; padding: .4rem; width: 100%; max-width: 24rem; box-sizing: border-box; }
            button { font: inherit; padding: .5rem 1.5rem; }
            .error { color: #a4262c; font-weight: 600; }
            table { border-collapse: collapse; }
            th, td { text-align: left; padding: .25rem .75rem .25rem 0; }
          </style>
        </head>
        <body>
        <main>
        {{body}}
        </main>
        </body>
        </html>
        """;

    // Only same-site paths: an open redirect here would let any link bounce users elsewhere.
    private static bool IsLocal(string url) =>
        url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal);
}
