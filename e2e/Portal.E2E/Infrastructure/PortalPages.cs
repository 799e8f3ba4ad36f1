using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Infrastructure;

/// <summary>What the tests do on the portal's and the provider's pages, with Playwright's auto-waiting assertions.</summary>
public static class PortalPages
{
    /// <summary>The app bar's user area: display name and one chip per role.</summary>
    public static ILocator CurrentUser(this IPage page) => page.GetByTestId("current-user");

    /// <summary>The navigation drawer's menu.</summary>
    public static ILocator MainNavigation(this IPage page) => page.Locator("[aria-label='Main navigation']");

    public static ILocator ThemeToggle(this IPage page) => page.GetByTestId("theme-toggle");

    /// <summary>The provider's sign-in form (e2e/DevIdentityProvider/SignInPage.cs).</summary>
    public static ILocator ProviderSignInButton(this IPage page) =>
        page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Sign in", Exact = true });

    /// <summary>
    /// Opens <paramref name="path"/> on the portal, which sends a visitor without a session to the provider's form;
    /// signs in there as <paramref name="user"/> and waits until the portal shows them in the app bar.
    /// </summary>
    public static async Task SignInAsync(this IPage page, StackFixture stack, TestUser user, string path = "/")
    {
        await page.GotoAsync(path);
        await page.ExpectProviderSignInFormAsync(stack);
        await page.Locator("#username").FillAsync(user.Email);
        await page.Locator("#password").FillAsync(TestUser.Password);
        await page.ProviderSignInButton().ClickAsync();

        // Not the address: Blazor may change it before the redirects have finished. The name comes from the ID token.
        await Expect(page.CurrentUser()).ToContainTextAsync(user.DisplayName);
        await page.WaitForInteractiveAsync();
    }

    /// <summary>Asserts the page shows the provider's sign-in form, served by the provider and not the portal.</summary>
    public static async Task ExpectProviderSignInFormAsync(this IPage page, StackFixture stack)
    {
        await Expect(page.GetByRole(AriaRole.Heading, new PageGetByRoleOptions { Name = "Sign in", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator("#username")).ToBeVisibleAsync();
        await Expect(page.Locator("#password")).ToBeVisibleAsync();
        await Expect(page.ProviderSignInButton()).ToBeVisibleAsync();
        await Expect(page).ToHaveURLAsync(new Regex("^" + Regex.Escape(stack.ProviderUrl.GetLeftPart(UriPartial.Authority)) + "/account/login"));
    }

    /// <summary>
    /// Waits until the page's Blazor circuit is live, so clicks reach the server. The portal prerenders its pages:
    /// before the circuit has attached, buttons are visible but do nothing. Blazor removes the prerendered roots'
    /// markers (<c>&lt;!--bl-root--&gt;</c> comments) once it has attached the interactive components. On a page
    /// rendered statically (signed out, access denied) there are no markers and this returns at once.
    /// </summary>
    public static async Task WaitForInteractiveAsync(this IPage page)
    {
        await page.WaitForFunctionAsync(
            """
            () => {
              const walker = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_COMMENT);
              let prerendered = false;
              for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                if (node.data.startsWith('bl-root') || node.data.startsWith('Blazor:{')) prerendered = true;
              }
              return !prerendered;
            }
            """,
            null,
            new PageWaitForFunctionOptions { Timeout = 15_000 });
    }

    /// <summary>Follows a link in the navigation drawer, inside the live circuit (no page load).</summary>
    public static async Task OpenFromMenuAsync(this IPage page, string title, string heading)
    {
        await page.MainNavigation().GetByRole(AriaRole.Link, new LocatorGetByRoleOptions { Name = title, Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new PageGetByRoleOptions { Name = heading, Level = 1 })).ToBeVisibleAsync();
    }

    /// <summary>Asserts the theme the page shows: the toggle's label and the page background's lightness.</summary>
    public static async Task ExpectThemeAsync(this IPage page, bool dark)
    {
        await Expect(page.ThemeToggle()).ToHaveAttributeAsync("aria-label", dark ? "Switch to light theme" : "Switch to dark theme");
        await page.WaitForFunctionAsync(
            """
            dark => {
              const channels = getComputedStyle(document.body).backgroundColor.match(/[\d.]+/g);
              if (!channels || channels.length < 3) return false;
              const [r, g, b] = channels.map(Number);
              const lightness = (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
              return dark ? lightness < 0.35 : lightness > 0.65;
            }
            """,
            dark,
            new PageWaitForFunctionOptions { Timeout = 15_000 });
    }

    /// <summary>Puts the signed-in user's theme into the wanted state, whatever an earlier test left it in.</summary>
    public static async Task UseThemeAsync(this IPage page, bool dark)
    {
        var label = await page.ThemeToggle().GetAttributeAsync("aria-label");
        if (label == (dark ? "Switch to dark theme" : "Switch to light theme"))
        {
            await page.ThemeToggle().ClickAsync();
        }

        await page.ExpectThemeAsync(dark);
    }

    /// <summary>Reloads the page and waits until its circuit is live again.</summary>
    public static async Task ReloadInteractiveAsync(this IPage page)
    {
        await page.ReloadAsync();
        await Expect(page.CurrentUser()).ToBeVisibleAsync();
        await page.WaitForInteractiveAsync();
    }
}
