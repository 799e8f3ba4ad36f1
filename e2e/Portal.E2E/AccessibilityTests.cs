using Microsoft.Playwright;
using Portal.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E;

/// <summary>axe-core on the shell (the dashboard) and the Jobs and Audit pages, in the light and the dark theme.</summary>
public sealed class AccessibilityTests(StackFixture stack, ITestOutputHelper output) : PortalTest(stack, output)
{
    private static readonly string[] Pages = ["/", "/jobs", "/audit"];

    [Theory]
    [InlineData("light")]
    [InlineData("dark")]
    public async Task ShellJobsAndAuditPagesHaveNoSeriousOrCriticalAxeViolations(string theme)
    {
        var dark = theme == "dark";
        await Page.SignInAsync(Stack, TestUser.Admin);
        await Page.UseThemeAsync(dark);

        // Every page is checked before the test fails, so one run reports everything to fix.
        var problems = new List<string>();
        foreach (var path in Pages)
        {
            // A fresh load of each page in that theme, not one caught in the middle of switching.
            await Page.GotoAsync(path);
            await Page.WaitForInteractiveAsync();
            await Page.ExpectThemeAsync(dark);
            await WaitForContentAsync(path);

            if (await Page.FindSeriousViolationsAsync($"{path} in the {theme} theme", Output) is { } problem)
            {
                problems.Add(problem);
            }
        }

        if (problems.Count > 0)
        {
            Assert.Fail($"axe found serious or critical accessibility violations on {problems.Count} of {Pages.Length} pages "
                + $"in the {theme} theme:\n\n{string.Join("\n", problems)}");
        }
    }

    private async Task WaitForContentAsync(string path)
    {
        switch (path)
        {
            case "/":
                await Expect(Page.GetByRole(AriaRole.Heading, new PageGetByRoleOptions { Name = "Dashboard", Level = 1 })).ToBeVisibleAsync();
                await Expect(Page.GetByTestId("signins-day")).ToBeVisibleAsync();
                await Expect(Page.Locator(".mud-chart svg").First).ToBeVisibleAsync();
                break;
            case "/jobs":
                await Expect(Page.GetByTestId("jobs-table")).ToBeVisibleAsync();
                await Expect(Page.GetByTestId("run-now-audit-retention")).ToBeVisibleAsync();
                break;
            case "/audit":
                await Expect(AuditTests.AuditRow(Page, "auth.sign-in").First).ToBeVisibleAsync();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(path), path, "No readiness check for this page.");
        }
    }
}
