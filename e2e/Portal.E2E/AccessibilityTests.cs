using Microsoft.Playwright;
using Portal.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E;

/// <summary>
/// axe-core on the shell (the dashboard), the Jobs and Audit pages, and the Findings pages (the grid, the Exceptions tab
/// and a vulnerability's impacted artifacts), in the light and the dark theme. They may be empty or hold another test's
/// data, depending on the order tests run in; <see cref="FindingsTests"/> checks the findings pages with data on them.
/// </summary>
public sealed class AccessibilityTests(StackFixture stack, ITestOutputHelper output) : PortalTest(stack, output)
{
    private const string Vulnerability = "/findings/vulnerabilities/CVE-2019-18224";

    private static readonly string[] Pages = ["/", "/jobs", "/audit", "/findings", "/findings?tab=exceptions", Vulnerability];

    [Theory]
    [InlineData("light")]
    [InlineData("dark")]
    public async Task ShellJobsAuditAndFindingsPagesHaveNoSeriousOrCriticalAxeViolations(string theme)
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
            case "/findings":
                await Expect(Page.GetByTestId("findings-grid").Locator("[data-testid=finding-id], [data-testid=no-findings]").First).ToBeVisibleAsync();
                break;
            case "/findings?tab=exceptions":
                await Expect(Page.GetByTestId("exceptions-table").Locator("[data-testid=exception-status], [data-testid=no-exceptions]").First).ToBeVisibleAsync();
                break;
            case Vulnerability:
                await Expect(Page.GetByTestId("impacted-images")).ToBeVisibleAsync();
                await Expect(Page.GetByTestId("vulnerability-exceptions").GetByTestId("exceptions-table")).ToBeVisibleAsync();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(path), path, "No readiness check for this page.");
        }
    }
}
