using System.Globalization;
using Microsoft.Playwright;
using Portal.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E;

/// <summary>The audit trail as governance users see it.</summary>
public sealed class AuditTests(StackFixture stack, ITestOutputHelper output) : PortalTest(stack, output)
{
    [Fact]
    public async Task AdminSeesTheirOwnSignInInTheAuditGrid()
    {
        // The grid shows whole seconds; the servers run on this machine, so the clocks agree.
        var now = DateTimeOffset.UtcNow;
        var signedInFrom = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond)).AddSeconds(-1);
        await Page.SignInAsync(Stack, TestUser.Admin);

        await Page.OpenFromMenuAsync("Audit", "Audit");

        // Newest first: the first matching row is this test's sign-in, not one of an earlier test.
        var row = AuditRow(Page, "auth.sign-in", TestUser.Admin.Email, TestUser.Admin.DisplayName, "Portal.Admin").First;
        await Expect(row).ToBeVisibleAsync();
        var time = DateTimeOffset.ParseExact(
            await row.Locator("td").First.InnerTextAsync(), "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        time.ShouldBeGreaterThanOrEqualTo(signedInFrom, "the entry is this sign-in's");
    }

    [Fact]
    public async Task ExportCsvDownloadsTheEntriesIncludingTheAdminsSignIn()
    {
        await Page.SignInAsync(Stack, TestUser.Admin, "/audit");
        await Expect(Page.GetByTestId("audit-grid")).ToBeVisibleAsync();

        var download = await Page.RunAndWaitForDownloadAsync(() => Page.GetByTestId("export-csv").ClickAsync());

        var path = await download.PathAsync();
        var csv = await File.ReadAllTextAsync(path, CancellationToken);
        download.SuggestedFilename.ShouldEndWith(".csv");
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBeGreaterThan(1, "a header and at least one entry");
        lines.ShouldContain(line => line.Contains("auth.sign-in", StringComparison.Ordinal)
            && line.Contains(TestUser.Admin.Email, StringComparison.Ordinal));
    }

    /// <summary>Rows of the audit grid that contain every one of <paramref name="texts"/>.</summary>
    internal static ILocator AuditRow(IPage page, params string[] texts)
    {
        var rows = page.GetByTestId("audit-grid").Locator("tbody tr");
        foreach (var text in texts)
        {
            rows = rows.Filter(new LocatorFilterOptions { HasText = text });
        }

        return rows;
    }
}
