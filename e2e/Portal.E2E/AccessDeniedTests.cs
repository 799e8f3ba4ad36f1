using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Portal.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E;

/// <summary>A notebook user (signed in, no portal role) is kept out of governance and admin pages.</summary>
public sealed class AccessDeniedTests(StackFixture stack, ITestOutputHelper output) : PortalTest(stack, output)
{
    private static readonly (string Path, string Heading, string Content)[] RestrictedPages =
    [
        ("settings", "Settings", "settings-table"),
        ("jobs", "Jobs", "jobs-table"),
    ];

    [Fact]
    public async Task NotebookUserOpeningSettingsOrJobsIsSentToAccessDeniedAndHasNoMenuEntryForThem()
    {
        await Page.SignInAsync(Stack, TestUser.Alice);

        var menu = Page.MainNavigation();
        await Expect(menu.GetByRole(AriaRole.Link, new LocatorGetByRoleOptions { Name = "Dashboard", Exact = true })).ToBeVisibleAsync();
        await Expect(menu.GetByRole(AriaRole.Link, new LocatorGetByRoleOptions { Name = "Settings", Exact = true })).ToHaveCountAsync(0);
        await Expect(menu.GetByRole(AriaRole.Link, new LocatorGetByRoleOptions { Name = "Jobs", Exact = true })).ToHaveCountAsync(0);

        foreach (var (path, heading, content) in RestrictedPages)
        {
            // A full page load: the server refuses and redirects.
            await Page.GotoAsync("/" + path);

            await Expect(Page).ToHaveURLAsync(new Regex("/access-denied"));
            await Expect(Page.GetByRole(AriaRole.Heading, new PageGetByRoleOptions { Name = "Access denied", Level = 1 })).ToBeVisibleAsync();
            await Expect(Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("does not have a role that may open this page");
            await Expect(Page.GetByRole(AriaRole.Heading, new PageGetByRoleOptions { Name = heading, Level = 1 })).ToHaveCountAsync(0);
            await Expect(Page.GetByTestId(content)).ToHaveCountAsync(0);
            // Still signed in: a refusal, not a sign-out.
            await Expect(Page.CurrentUser()).ToContainTextAsync(TestUser.Alice.DisplayName);
        }
    }

    [Fact]
    public async Task NotebookUserNavigatingToSettingsOrJobsInsideTheLiveCircuitSeesAccessDenied()
    {
        await Page.SignInAsync(Stack, TestUser.Alice);
        await Page.EvaluateAsync("() => window.__e2eSamePage = true");

        foreach (var (path, heading, content) in RestrictedPages)
        {
            // A client-side navigation, as a link inside the app would make: the router refuses, not the server.
            await Page.EvaluateAsync("path => Blazor.navigateTo(path)", path);

            await Expect(Page).ToHaveURLAsync(new Regex("/" + path + "$"));
            await Expect(Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Access denied");
            await Expect(Page.GetByRole(AriaRole.Heading, new PageGetByRoleOptions { Name = heading, Level = 1 })).ToHaveCountAsync(0);
            await Expect(Page.GetByTestId(content)).ToHaveCountAsync(0);
        }

        (await Page.EvaluateAsync<bool>("() => window.__e2eSamePage === true")).ShouldBeTrue("the navigations stayed inside the circuit");
    }
}
