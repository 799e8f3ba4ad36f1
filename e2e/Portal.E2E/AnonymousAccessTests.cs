using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Portal.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E;

/// <summary>Nobody sees the portal without signing in.</summary>
public sealed class AnonymousAccessTests(StackFixture stack, ITestOutputHelper output) : PortalTest(stack, output)
{
    [Fact]
    public async Task AnonymousVisitorOpeningAuditIsSentToTheProviderSignInForm()
    {
        await Page.GotoAsync("/audit");

        await Page.ExpectProviderSignInFormAsync(Stack);
        await Expect(Page.GetByTestId("audit-grid")).ToHaveCountAsync(0);
        var cookies = await Page.Context.CookiesAsync();
        cookies.Select(c => c.Name).ShouldNotContain(name => name.StartsWith("portal.auth", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AfterSigningInTheVisitorLandsOnThePageTheyAskedFor()
    {
        await Page.SignInAsync(Stack, TestUser.Approver, "/audit");

        await Expect(Page.GetByRole(AriaRole.Heading, new PageGetByRoleOptions { Name = "Audit", Level = 1 })).ToBeVisibleAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("/audit$"));
    }

    [Fact]
    public async Task AnonymousApiCallGetsUnauthorizedRatherThanARedirect()
    {
        var response = await Page.APIRequest.GetAsync("/api/v1/audit/export", new APIRequestContextOptions { MaxRedirects = 0 });

        response.Status.ShouldBe(401);
    }
}
