using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Portal.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E;

/// <summary>Signing out ends the portal session and the identity provider's session.</summary>
public sealed class SignOutTests(StackFixture stack, ITestOutputHelper output) : PortalTest(stack, output)
{
    [Fact]
    public async Task SigningOutEndsThePortalAndProviderSessions()
    {
        await Page.SignInAsync(Stack, TestUser.Bob);

        await Page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Sign out" }).ClickAsync();

        await Expect(Page.GetByRole(AriaRole.Heading, new PageGetByRoleOptions { Name = "You are signed out", Level = 1 })).ToBeVisibleAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("^" + Regex.Escape(Stack.PortalUrl.ToString()) + "signed-out"));
        await Expect(Page.CurrentUser()).ToHaveCountAsync(0);
        var cookies = (await Page.Context.CookiesAsync()).Select(c => c.Name).ToList();
        cookies.ShouldNotContain(name => name.StartsWith("portal.auth", StringComparison.Ordinal), "no portal session cookie is left");
        cookies.ShouldNotContain("devidp.session", "no identity provider session cookie is left");

        // Had the provider's session survived, this would sign in again silently instead of showing the form.
        await Page.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = "Sign in again" }).ClickAsync();
        await Page.ExpectProviderSignInFormAsync(Stack);

        // And the portal itself sends the visitor to the provider: its own session is gone too.
        await Page.GotoAsync("/");
        await Page.ExpectProviderSignInFormAsync(Stack);

        // The sign-out is in the audit trail.
        var admin = await NewPageAsync();
        await admin.SignInAsync(Stack, TestUser.Admin, "/audit");
        await Expect(AuditTests.AuditRow(admin, "auth.sign-out", TestUser.Bob.Email, TestUser.Bob.DisplayName).First).ToBeVisibleAsync();
    }
}
