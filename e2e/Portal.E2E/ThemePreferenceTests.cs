using Portal.E2E.Infrastructure;

namespace Portal.E2E;

/// <summary>The dark theme is each person's own preference, kept by the portal (not by the browser).</summary>
public sealed class ThemePreferenceTests(StackFixture stack, ITestOutputHelper output) : PortalTest(stack, output)
{
    [Fact]
    public async Task ThemeToggledByAdminPersistsForThemAcrossReloadsAndBrowsersButNotForTheApprover()
    {
        await Page.SignInAsync(Stack, TestUser.Admin);
        // Whatever an earlier test left: start from light.
        await Page.UseThemeAsync(dark: false);

        await Page.ThemeToggle().ClickAsync();

        await Page.ExpectThemeAsync(dark: true);
        await Page.ReloadInteractiveAsync();
        await Page.ExpectThemeAsync(dark: true);

        // Another browser (no shared cookies or storage): the preference follows the person.
        var elsewhere = await NewPageAsync();
        await elsewhere.SignInAsync(Stack, TestUser.Admin, "/jobs");
        await elsewhere.ExpectThemeAsync(dark: true);

        var approver = await NewPageAsync();
        await approver.SignInAsync(Stack, TestUser.Approver);
        await approver.ExpectThemeAsync(dark: false);

        // And back: light persists the same way.
        await Page.ThemeToggle().ClickAsync();
        await Page.ExpectThemeAsync(dark: false);
        await Page.ReloadInteractiveAsync();
        await Page.ExpectThemeAsync(dark: false);
    }
}
