using Microsoft.Playwright;
using Portal.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E;

/// <summary>Signing in through the identity provider, and the menu and app bar each role gets.</summary>
public sealed class NavigationTests(StackFixture stack, ITestOutputHelper output) : PortalTest(stack, output)
{
    private static readonly string[] Everyone = ["Dashboard", "My workloads", "My notifications"];
    private static readonly string[] Governance = ["Images", "Workloads", "Findings", "Plan", "Holds", "Migrations", "Admission", "Jobs", "Audit"];
    private static readonly string[] AdminOnly = ["Gateway", "Delivery log", "Settings"];

    private static readonly Dictionary<string, string[]> ExpectedMenu = new()
    {
        ["admin"] = [.. Everyone, .. Governance, .. AdminOnly],
        ["approver"] = [.. Everyone, .. Governance],
        ["alice"] = Everyone,
        ["bob"] = Everyone,
    };

    [Theory]
    [InlineData("admin")]
    [InlineData("approver")]
    [InlineData("alice")]
    [InlineData("bob")]
    public async Task SeededUserSignsInAndSeesTheirNameRolesAndExactlyTheMenuEntriesOfTheirRole(string userKey)
    {
        var user = TestUser.Get(userKey);
        var expected = ExpectedMenu[userKey];

        await Page.SignInAsync(Stack, user);

        await Expect(Page.GetByRole(AriaRole.Heading, new PageGetByRoleOptions { Name = "Dashboard", Level = 1 })).ToBeVisibleAsync();

        // The app bar: name and one chip per role, straight from the provider's ID token.
        await Expect(Page.CurrentUser()).ToContainTextAsync(user.DisplayName);
        var roleChips = Page.CurrentUser().Locator(".mud-chip");
        if (user.Roles.Count == 0)
        {
            await Expect(roleChips).ToHaveCountAsync(0);
        }
        else
        {
            await Expect(roleChips).ToHaveTextAsync([.. user.Roles]);
        }

        await Expect(Page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Sign out" })).ToBeVisibleAsync();

        // The menu: exactly the entries of the role, no more, no fewer.
        var links = Page.MainNavigation().GetByRole(AriaRole.Link);
        await Expect(links).ToHaveCountAsync(expected.Length);
        foreach (var title in expected)
        {
            await Expect(Page.MainNavigation().GetByRole(AriaRole.Link, new LocatorGetByRoleOptions { Name = title, Exact = true }))
                .ToBeVisibleAsync();
        }

        var shown = (await links.AllInnerTextsAsync()).Select(t => t.Trim()).ToList();
        shown.ShouldBe(expected, ignoreOrder: true, $"menu of {user}");
        Output.WriteLine($"{user} sees: {string.Join(", ", shown)}");
    }
}
