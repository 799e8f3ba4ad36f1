using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Playwright;
using Portal.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E;

/// <summary>
/// Workloads end to end, against the Kubernetes API emulator the fixture seeded from e2e/stack/kubernetes: an admin
/// runs the workload sync from the Jobs page and finds every workload on the Workloads page; each notebook user then
/// signs in and sees exactly the notebooks of the namespaces they own or contribute to, each image with its status.
/// </summary>
public sealed class WorkloadTests(StackFixture stack, ITestOutputHelper output) : PortalTest(stack, output)
{
    private const string SyncJob = "workload-sync";

    /// <summary>Alice owns "alice" and contributes to Bob's "shared-analytics".</summary>
    private static readonly string[] AliceSees = ["alice-analysis", "alice-custom-env", "alice-old-experiment", "shared-analytics-team-dashboard"];

    private static readonly string[] BobSees = ["bob-bobs-lab", "bob-nightly-report-29391840-abcde", "shared-analytics-team-dashboard"];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    [Fact]
    public async Task NotebookUsersSeeExactlyTheirNotebooksAndEachImagesStatus()
    {
        await Page.SignInAsync(Stack, TestUser.Admin);
        await Page.OpenFromMenuAsync("Jobs", "Jobs");
        await Expect(Page.GetByTestId($"run-now-{SyncJob}")).ToBeEnabledAsync();
        var result = Page.GetByTestId($"job-result-{SyncJob}");
        await Page.GetByTestId($"run-now-{SyncJob}").ClickAsync();
        await Expect(result.Locator(".mud-chip")).ToHaveTextAsync("Succeeded", new LocatorAssertionsToHaveTextOptions { Timeout = 60_000 });
        await Expect(result).ToContainTextAsync("e2e: 7 workloads (7 new, 0 changed, 0 gone), 4 namespace members");

        await Page.OpenFromMenuAsync("Workloads", "Workloads");
        await Expect(Page.Locator("tbody tr")).ToHaveCountAsync(7);
        await Page.GotoAsync("/workloads?kind=Notebook");
        await Page.WaitForInteractiveAsync();
        await Expect(Page.Locator("tbody tr")).ToHaveCountAsync(5);
        await Page.GotoAsync("/workloads?search=nightly");
        await Page.WaitForInteractiveAsync();
        var job = Page.Locator("tbody tr");
        await Expect(job).ToHaveCountAsync(1);
        await Expect(job).ToContainTextAsync("Ephemeral");
        await Expect(job).ToContainTextAsync("bob@example.org");
        // busybox and python come from Docker Hub, not from the seeded registry.
        await Expect(job.GetByTestId("not-in-inventory")).ToHaveCountAsync(2);
        if (await Page.FindSeriousViolationsAsync("/workloads with a cluster snapshot", Output) is { } problem)
        {
            Assert.Fail(problem);
        }

        await ExpectMyWorkloadsAsync(TestUser.Alice, AliceSees);
        await ExpectMyWorkloadsAsync(TestUser.Bob, BobSees);
    }

    private async Task ExpectMyWorkloadsAsync(TestUser user, string[] expected)
    {
        var page = await NewPageAsync();
        await page.SignInAsync(Stack, user);
        await page.OpenFromMenuAsync("My workloads", "My workloads");
        await Expect(page.GetByTestId("my-email").First).ToHaveTextAsync(user.Email);

        var cards = page.Locator("[data-testid^='workload-']").Filter(new LocatorFilterOptions { Has = page.GetByTestId("workload-name") });
        await Expect(cards).ToHaveCountAsync(expected.Length);
        var shown = new List<string>();
        foreach (var card in await cards.AllAsync())
        {
            shown.Add((await card.GetAttributeAsync("data-testid"))!["workload-".Length..]);
        }

        shown.Order(StringComparer.Ordinal).ToArray().ShouldBe(expected, $"{user.Email} sees exactly the workloads of their namespaces");

        // Each image's status on the page is what the server knows about it: its class when the inventory holds it,
        // "Not in inventory" otherwise (whether the inventory was synced earlier in this run or not).
        var mine = await page.APIRequest.GetAsync("/api/v1/me/workloads?take=100");
        mine.Ok.ShouldBeTrue();
        var workloads = JsonSerializer.Deserialize<WorkloadPage>(await mine.TextAsync(), Json)!;
        workloads.Items.Select(w => $"{w.Namespace}-{w.Name}").Order(StringComparer.Ordinal).ToArray().ShouldBe(expected);
        foreach (var workload in workloads.Items)
        {
            var card = page.GetByTestId($"workload-{workload.Namespace}-{workload.Name}");
            var images = card.GetByTestId("workload-image");
            await Expect(images).ToHaveCountAsync(workload.Images.Count);
            for (var i = 0; i < workload.Images.Count; i++)
            {
                var image = workload.Images[i];
                var row = images.Nth(i);
                await Expect(row.GetByTestId("image-reference")).ToHaveTextAsync(image.Reference);
                var status = row.GetByTestId("image-status");
                if (image.Class is { } imageClass)
                {
                    await Expect(status).ToContainTextAsync(imageClass);
                }
                else
                {
                    await Expect(status.GetByTestId("not-in-inventory")).ToBeVisibleAsync();
                }
            }
        }

        if (await page.FindSeriousViolationsAsync($"/my-workloads as {user.Email}", Output) is { } problem)
        {
            Assert.Fail(problem);
        }
    }

    private sealed record WorkloadPage(IReadOnlyList<WorkloadRow> Items, int TotalCount);

    private sealed record WorkloadRow(string Namespace, string Name, IReadOnlyList<WorkloadImage> Images);

    private sealed record WorkloadImage(string Reference, string? Class);
}
