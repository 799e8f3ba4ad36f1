using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Identity.Web;
using Microsoft.IdentityModel.Tokens;
using Portal.Core.Auditing;
using Portal.Features.Audit;

namespace Portal.Security;

public static class AuthenticationSetup
{
    private const string ChallengeScheme = "PortalChallenge";

    /// <summary>
    /// Entra ID sign-in through Microsoft.Identity.Web, role policies, and answers for API callers that suit an API
    /// (401/403 rather than a redirect to a sign-in page).
    /// </summary>
    public static IHostApplicationBuilder AddPortalAuthentication(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var local = builder.Configuration.GetSection(LocalProviderOptions.SectionName).Get<LocalProviderOptions>()
            ?? new LocalProviderOptions();

        services.AddOptions<LocalProviderOptions>().BindConfiguration(LocalProviderOptions.SectionName);
        services.AddOptions<EntraOptions>()
            .BindConfiguration(EntraOptions.SectionName)
            .Configure(o => o.AllowInsecureLocalProvider = local.AllowInsecureLocalProvider)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddAuthentication(OpenIdConnectDefaults.AuthenticationScheme)
            .AddMicrosoftIdentityWebApp(builder.Configuration.GetSection(EntraOptions.SectionName));

        // API callers get a plain 401 from the cookie handler; people in a browser go to the identity provider.
        // Choosing per request also means an API call never waits on the provider's metadata.
        services.AddAuthentication()
            .AddPolicyScheme(ChallengeScheme, "Sign-in challenge", options => options.ForwardDefaultSelector = context =>
                IsApiRequest(context.Request) ? CookieAuthenticationDefaults.AuthenticationScheme : OpenIdConnectDefaults.AuthenticationScheme);
        services.Configure<AuthenticationOptions>(options => options.DefaultChallengeScheme = ChallengeScheme);

        // Registered after AddMicrosoftIdentityWebApp so these run after its own configuration.
        services.Configure<OpenIdConnectOptions>(OpenIdConnectDefaults.AuthenticationScheme, options =>
        {
            if (local.AllowInsecureLocalProvider)
            {
                RelaxForLocalProvider(options, builder.Configuration);
            }

            var tokenValidated = options.Events.OnTokenValidated;
            options.Events.OnTokenValidated = async context =>
            {
                await tokenValidated(context);
                var user = PortalUser.From(context.Principal);
                if (user is not null)
                {
                    var audit = context.HttpContext.RequestServices.GetRequiredService<AuditLog>();
                    await audit.RecordAsync(AuditActorKind.Person, user.SignInName, AuditActions.SignIn,
                        subject: user.DisplayName, after: string.Join(',', user.Roles),
                        cancellationToken: context.HttpContext.RequestAborted);
                }
            };
        });

        services.Configure<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme, options =>
        {
            options.AccessDeniedPath = "/access-denied";
            options.Cookie.Name = "portal.auth";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.Events.OnRedirectToLogin = context =>
            {
                if (IsApiRequest(context.Request))
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    return Task.CompletedTask;
                }

                context.Response.Redirect(context.RedirectUri);
                return Task.CompletedTask;
            };
            options.Events.OnRedirectToAccessDenied = context =>
            {
                if (IsApiRequest(context.Request))
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    return Task.CompletedTask;
                }

                context.Response.Redirect(context.RedirectUri);
                return Task.CompletedTask;
            };
        });

        services.AddPortalPolicies();
        services.AddCascadingAuthenticationState();
        return builder;
    }

    /// <summary>Every endpoint needs a signed-in user unless it says otherwise; roles map to the named policies.</summary>
    public static AuthorizationBuilder AddPortalPolicies(this IServiceCollection services) =>
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(PortalPolicies.Admin, p => p.RequireAuthenticatedUser().RequireRole(PortalRoles.Admin))
            .AddPolicy(PortalPolicies.Approver, p => p.RequireAuthenticatedUser().RequireRole(PortalRoles.Approver))
            .AddPolicy(PortalPolicies.Governance, p => p.RequireAuthenticatedUser().RequireRole(PortalRoles.Admin, PortalRoles.Approver));

    internal static bool IsApiRequest(HttpRequest request) =>
        request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
        || request.Path.StartsWithSegments("/openapi", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// A local provider speaks plain http. Identity.Web ignores AzureAd:RequireHttpsMetadata and its issuer
    /// validator insists on downloading https metadata, so both are relaxed here, and only here.
    /// </summary>
    private static void RelaxForLocalProvider(OpenIdConnectOptions options, IConfiguration configuration)
    {
        var entra = configuration.GetSection(EntraOptions.SectionName).Get<EntraOptions>();
        if (entra?.Instance is null || !Uri.TryCreate(entra.Instance, UriKind.Absolute, out var instance) || !instance.IsLoopback)
        {
            // Never relax for a provider off this machine, whatever the flag says.
            return;
        }

        options.RequireHttpsMetadata = false;
        var expectedIssuer = $"{entra.Instance.TrimEnd('/')}/{entra.TenantId}/v2.0";
        options.TokenValidationParameters.ValidIssuer = expectedIssuer;
        options.TokenValidationParameters.IssuerValidator = (issuer, _, _) =>
            string.Equals(issuer, expectedIssuer, StringComparison.Ordinal)
                ? issuer
                : throw new SecurityTokenInvalidIssuerException($"Issuer '{issuer}' is not the local provider '{expectedIssuer}'.");
    }
}
