using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Infrastructure;

/// <summary>What several tests do through the portal's API or the registry around the pages they test.</summary>
internal static class PortalApi
{
    /// <summary>Creates an API key allowed to post scan reports in Settings → API keys, and returns it (it is shown once).</summary>
    public static async Task<string> CreateScanReportKeyAsync(IPage page)
    {
        await page.GotoAsync("/settings?tab=api-keys");
        await page.WaitForInteractiveAsync();
        var keyName = $"trivy pipeline {Guid.NewGuid():N}"[..24];
        await page.GetByTestId("api-key-name-input").FillAsync(keyName);
        await page.GetByTestId("api-key-scope-scan-reports-write").CheckAsync();
        await page.GetByTestId("api-key-create").ClickAsync();
        await Expect(page.GetByTestId("new-api-key")).ToContainTextAsync("will not be shown again");
        return (await page.GetByTestId("new-api-key-value").TextContentAsync())!.Trim();
    }

    /// <summary>
    /// Posts Trivy's fluentd golden report (two findings, the worst a Critical one in libidn2-0) as a report of
    /// <paramref name="repository"/>:<paramref name="tag"/> in the test registry: its name, tags and repository digest say
    /// which image it is, as Trivy writes them for an image pulled from a registry.
    /// </summary>
    public static async Task<HttpResponseMessage> PostTrivyReportAsync(
        StackFixture stack, HttpClient http, string key, string repository, string tag, string digest, CancellationToken cancellationToken)
    {
        var report = JsonNode.Parse(await File.ReadAllTextAsync(
            Path.Combine(stack.RepositoryRoot, "e2e", "Portal.E2E", "TestData", "trivy", "fluentd-gems.json"), cancellationToken))!;
        var host = new Uri(stack.RegistryUrl).Authority;
        report["ArtifactName"] = $"{host}/{repository}:{tag}";
        report["Metadata"]!["RepoTags"] = new JsonArray($"{host}/{repository}:{tag}");
        report["Metadata"]!["RepoDigests"] = new JsonArray($"{host}/{repository}@{digest}");
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/scan-reports")
        {
            Content = new StringContent(report.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return await http.SendAsync(request, cancellationToken);
    }

    /// <summary>The manifest digest the registry itself reports for a tag (Docker-Content-Digest of a HEAD request).</summary>
    public static async Task<string> RegistryDigestAsync(StackFixture stack, string repository, string tag, CancellationToken cancellationToken)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Head, $"{stack.RegistryUrl}/v2/{repository}/manifests/{tag}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.oci.image.manifest.v1+json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.docker.distribution.manifest.v2+json"));
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        return response.Headers.GetValues("Docker-Content-Digest").Single();
    }

    /// <summary>Starts a job through the API as the page's user and waits (bounded) for that run to end; returns it.</summary>
    public static async Task<JsonNode> RunJobAsync(IPage page, string job, TimeSpan timeout)
    {
        var before = LastRunId(await JobAsync(page, job));
        var started = await page.APIRequest.PostAsync($"/api/v1/jobs/{job}/run");
        started.Ok.ShouldBeTrue(await started.TextAsync());
        return await WaitForRunAfterAsync(page, job, before, timeout);
    }

    /// <summary>Waits for a run of <paramref name="job"/> other than <paramref name="previousRunId"/> to end; returns it.</summary>
    public static async Task<JsonNode> WaitForRunAfterAsync(IPage page, string job, string? previousRunId, TimeSpan timeout)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.Elapsed < timeout)
        {
            var run = (await JobAsync(page, job))["lastRun"];
            if (run is not null && LastRunId(run.Parent!) != previousRunId && run["status"]!.GetValue<string>() != "Running")
            {
                return run;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"The {job} job did not finish a new run within {timeout}.");
    }

    public static async Task<string?> LastRunIdAsync(IPage page, string job) => LastRunId(await JobAsync(page, job));

    private static string? LastRunId(JsonNode job) => job["lastRun"]?["id"]?.GetValue<string>();

    private static async Task<JsonNode> JobAsync(IPage page, string job)
    {
        var response = await page.APIRequest.GetAsync("/api/v1/jobs");
        response.Ok.ShouldBeTrue(await response.TextAsync());
        return JsonNode.Parse(await response.TextAsync())!.AsArray().Single(j => j!["name"]!.GetValue<string>() == job)!;
    }

    /// <summary>The registry in the portal and synced, and the cluster read: whatever earlier tests did or did not do.</summary>
    public static async Task EnsureInventoryAndWorkloadsAsync(IPage page, StackFixture stack, TimeSpan jobTimeout)
    {
        await page.GotoAsync("/settings");
        await page.WaitForInteractiveAsync();
        var registries = page.GetByTestId("registries-table");
        await Expect(registries).ToBeVisibleAsync();
        if (await registries.Locator("tbody tr", new LocatorLocatorOptions { HasText = stack.RegistryUrl }).CountAsync() == 0)
        {
            await page.GetByTestId("registry-name").FillAsync("e2e-lifecycle");
            await page.GetByTestId("registry-url").FillAsync(stack.RegistryUrl);
            await page.GetByTestId("registry-insecure").CheckAsync();
            await page.GetByTestId("registry-save").ClickAsync();
            await Expect(registries.Locator("tbody tr", new LocatorLocatorOptions { HasText = stack.RegistryUrl })).ToHaveCountAsync(1);
        }

        foreach (var job in new[] { "inventory-sync", "workload-sync" })
        {
            var run = await RunJobAsync(page, job, jobTimeout);
            run["status"]!.GetValue<string>().ShouldBe("Succeeded", run["message"]?.GetValue<string>());
        }
    }

    /// <summary>A Kubeflow notebook as the Kubernetes API emulator serves it; null when it does not exist.</summary>
    public static async Task<JsonNode?> NotebookAsync(StackFixture stack, string ns, string name, CancellationToken cancellationToken)
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync($"{stack.KubernetesUrl}/apis/kubeflow.org/v1/namespaces/{ns}/notebooks/{name}", cancellationToken);
        return response.IsSuccessStatusCode ? JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken)) : null;
    }
}
