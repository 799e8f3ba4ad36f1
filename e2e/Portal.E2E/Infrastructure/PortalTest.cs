using Microsoft.Playwright;

namespace Portal.E2E.Infrastructure;

/// <summary>
/// Base for browser tests: a fresh browser context and page per test (no portal or provider session carries over),
/// and, when a test fails, a screenshot of each page and what the servers (portal, provider, registry) logged during
/// the test, written to the test's output so the failure explains itself. Set <c>E2E_TRACE=1</c> to also keep a
/// Playwright trace of failed tests (it slows every test down, so it is off by default).
/// </summary>
public abstract class PortalTest(StackFixture stack, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly bool TraceEnabled = Environment.GetEnvironmentVariable("E2E_TRACE") == "1";

    private readonly List<IBrowserContext> _contexts = [];
    private int _portalLogStart;
    private int _providerLogStart;
    private int _registryLogStart;

    protected StackFixture Stack => stack;

    protected ITestOutputHelper Output => output;

    /// <summary>The test's first page, in its own browser context.</summary>
    protected IPage Page { get; private set; } = null!;

    protected static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    public virtual async ValueTask InitializeAsync()
    {
        _portalLogStart = stack.Portal.LineCount;
        _providerLogStart = stack.Provider.LineCount;
        _registryLogStart = stack.Registry.LineCount;
        Page = await NewPageAsync();
    }

    /// <summary>A page in another fresh browser context, e.g. for a second person in the same test.</summary>
    protected async Task<IPage> NewPageAsync()
    {
        var context = await stack.NewContextAsync();
        _contexts.Add(context);
        if (TraceEnabled)
        {
            await context.Tracing.StartAsync(new TracingStartOptions
            {
                Title = TestContext.Current.Test?.TestDisplayName,
                Screenshots = true,
                Snapshots = true,
            });
        }

        return await context.NewPageAsync();
    }

    public virtual async ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        var failed = TestContext.Current.TestState?.Result == TestResult.Failed;
        if (failed)
        {
            await SaveFailureArtifactsAsync();
        }

        foreach (var context in _contexts)
        {
            await context.CloseAsync();
        }
    }

    private async Task SaveFailureArtifactsAsync()
    {
        Directory.CreateDirectory(stack.ArtifactsDirectory);
        var name = ArtifactName();
        for (var i = 0; i < _contexts.Count; i++)
        {
            var context = _contexts[i];
            var prefix = _contexts.Count == 1 ? name : $"{name}-context{i + 1}";
            foreach (var (page, index) in context.Pages.Select((p, n) => (p, n)))
            {
                var screenshot = Path.Combine(stack.ArtifactsDirectory, $"{prefix}-page{index + 1}.png");
                try
                {
                    await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
                    output.WriteLine($"Screenshot of {page.Url}: {screenshot}");
                }
                catch (PlaywrightException ex)
                {
                    output.WriteLine($"No screenshot of {page.Url}: {ex.Message}");
                }
            }

            if (TraceEnabled)
            {
                var trace = Path.Combine(stack.ArtifactsDirectory, $"{prefix}-trace.zip");
                await context.Tracing.StopAsync(new TracingStopOptions { Path = trace });
                output.WriteLine($"Playwright trace (pwsh bin/Debug/net10.0/playwright.ps1 show-trace FILE): {trace}");
            }
        }

        stack.KeepWorkDirectory();
        output.WriteLine($"The database and full logs stay in {stack.WorkDirectory} after the run.");
        output.WriteLine(stack.Portal.DescribeLinesSince(_portalLogStart));
        output.WriteLine(stack.Provider.DescribeLinesSince(_providerLogStart));
        output.WriteLine(stack.Registry.DescribeLinesSince(_registryLogStart));
    }

    private static string ArtifactName()
    {
        var test = TestContext.Current.Test;
        var raw = test is null ? "test" : $"{test.TestCase.TestClassName}.{test.TestCase.TestMethodName}-{test.UniqueID[..8]}";
        return string.Concat(raw.Select(c => char.IsLetterOrDigit(c) || c is '.' or '-' ? c : '_'));
    }
}
