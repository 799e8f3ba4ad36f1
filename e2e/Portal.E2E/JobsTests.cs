using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Portal.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E;

/// <summary>Running the audit retention job from the Jobs page, watching it live, and finding it in the audit trail.</summary>
public sealed partial class JobsTests(StackFixture stack, ITestOutputHelper output) : PortalTest(stack, output)
{
    private const string Job = "audit-retention";

    // Records every distinct text of the job's progress line and result chip as Blazor patches the DOM, so the
    // test can tell what the page showed while the job ran, not only where it ended.
    private const string RecordJobRow =
        """
        () => {
          window.__e2eSamePage = true;
          const progress = [], status = [];
          window.__e2eJobProgress = progress;
          window.__e2eJobStatus = status;
          const text = selector => {
            const element = document.querySelector(selector);
            return element ? element.textContent.replace(/\s+/g, ' ').trim() : null;
          };
          const record = () => {
            const p = text('[data-testid="job-progress-audit-retention"]');
            if (p !== null && progress[progress.length - 1] !== p) progress.push(p);
            const s = text('[data-testid="job-result-audit-retention"] .mud-chip');
            if (s !== null && status[status.length - 1] !== s) status.push(s);
          };
          record();
          new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
        }
        """;

    [Fact]
    public async Task AdminRunsRetentionNowAndWatchesItPurgeOldEntriesLive()
    {
        var total = StackFixture.SeededOldAuditEntries;
        (await Stack.CountAuditEntriesOlderThanAsync(StackFixture.RetentionDays, CancellationToken))
            .ShouldBe(total, "the seeded old entries, untouched before this test (the job runs once per stack)");

        await Page.SignInAsync(Stack, TestUser.Admin);
        await Page.OpenFromMenuAsync("Jobs", "Jobs");
        await Expect(Page.GetByTestId("jobs-table")).ToBeVisibleAsync();
        var runNow = Page.GetByTestId($"run-now-{Job}");
        var result = Page.GetByTestId($"job-result-{Job}");
        var progress = Page.GetByTestId($"job-progress-{Job}");
        await Expect(runNow).ToBeEnabledAsync();
        await Page.EvaluateAsync(RecordJobRow);

        await runNow.ClickAsync();

        await Expect(result.Locator(".mud-chip")).ToHaveTextAsync("Succeeded", new LocatorAssertionsToHaveTextOptions { Timeout = 60_000 });
        await Expect(result).ToContainTextAsync($"Purged {total} audit entries older than {StackFixture.RetentionDays} days.");
        await Expect(progress).ToHaveTextAsync($"{total} of {total}");
        await Expect(runNow).ToBeEnabledAsync();

        var seenProgress = await Page.EvaluateAsync<string[]>("() => window.__e2eJobProgress");
        var seenStatus = await Page.EvaluateAsync<string[]>("() => window.__e2eJobStatus");
        var seen = string.Join(" | ", seenProgress);
        Output.WriteLine($"Progress seen: {seen}");
        Output.WriteLine($"Status seen: {string.Join(" | ", seenStatus)}");
        (await Page.EvaluateAsync<bool>("() => window.__e2eSamePage === true")).ShouldBeTrue("the page was never reloaded");

        seenStatus.ShouldBe(["Running", "Succeeded"], "the result chip, as the server pushed it while the job ran");
        seenProgress.Length.ShouldBeGreaterThanOrEqualTo(2, $"the progress text changed while the page was watched (seen: {seen})");
        seenProgress[^1].ShouldBe($"{total} of {total}");
        var counts = seenProgress.Select(text => ProgressText().Match(text)).ToList();
        counts.ShouldAllBe(m => m.Success, $"every progress text reads 'N of M' (seen: {seen})");
        counts.Select(m => long.Parse(m.Groups["current"].Value, CultureInfo.InvariantCulture))
            .ShouldBeInOrder(SortDirection.Ascending, $"progress never goes back (seen: {seen})");
        counts.SkipWhile(m => m.Groups["total"].Value == "?")
            .ShouldAllBe(m => m.Groups["total"].Value == total.ToString(CultureInfo.InvariantCulture),
                $"once known, the total is the number of old entries (seen: {seen})");
        Output.WriteLine($"Intermediate values seen: {seenProgress.Count(text => !text.StartsWith("0 of", StringComparison.Ordinal) && text != $"{total} of {total}")}");

        (await Stack.CountAuditEntriesOlderThanAsync(StackFixture.RetentionDays, CancellationToken)).ShouldBe(0);

        await Page.OpenFromMenuAsync("Audit", "Audit");
        await Expect(AuditTests.AuditRow(Page, "job.triggered", TestUser.Admin.Email, Job).First).ToBeVisibleAsync();
        await Expect(AuditTests.AuditRow(Page, "audit.purged", "job:audit-retention",
            $"{{\"purged\":{total},\"retentionDays\":{StackFixture.RetentionDays}}}").First).ToBeVisibleAsync();
    }

    [GeneratedRegex(@"^(?<current>\d+) of (?<total>\d+|\?)$")]
    private static partial Regex ProgressText();
}
