using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Portal.Features.Lifecycle;
using Portal.Security;

namespace Portal.Tests.TestInfrastructure;

/// <summary>
/// A bUnit context with MudBlazor and the portal's real authorization policies, signed in as the given person,
/// so components decide visibility exactly as they do in the running portal.
/// </summary>
public abstract class PortalComponentContext : BunitContext
{
    protected PortalComponentContext()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        // bUnit registers throwing placeholders for authorization; swap them for the real services and policies.
        Services.RemoveAll<IAuthorizationService>();
        Services.RemoveAll<IAuthorizationPolicyProvider>();
        Services.RemoveAll<AuthenticationStateProvider>();
        Services.AddPortalPolicies();
        Services.AddCascadingAuthenticationState();
    }

    /// <summary>What the image page, My workloads and the Holds page read for EOL dates and extension requests.</summary>
    protected void AddLifecycleServices()
    {
        Services.AddSingleton<LifecyclePolicies>();
        Services.AddSingleton<ImageLifecycles>();
        Services.AddSingleton<ManualEols>();
        Services.AddSingleton<Extensions>();
        Services.AddSingleton<LifecyclePlanner>();
        Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(new Portal.Features.Notifications.NotificationOptions()));
        Services.AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(Microsoft.Extensions.Logging.Abstractions.NullLogger<>));
        Services.AddSingleton<Portal.Features.Notifications.NotificationTemplates>();
        Services.AddSingleton<Portal.Features.Notifications.AdminAlerts>();
        Services.AddSingleton<Portal.Features.Migrations.MigrationPaths>();
        Services.AddSingleton<Portal.Features.Migrations.MigrationChoices>();
    }

    protected void SignInAs(TestUser user)
    {
        var principal = user.SignInName is null
            ? new ClaimsPrincipal(new ClaimsIdentity())
            : TestPrincipals.Create(user.SignInName, user.Roles);
        Services.AddSingleton<AuthenticationStateProvider>(new FixedAuthenticationStateProvider(principal));
    }

    private sealed class FixedAuthenticationStateProvider(ClaimsPrincipal principal) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new AuthenticationState(principal));
    }
}
