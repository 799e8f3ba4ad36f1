using Bunit;
using Portal.Components.Pages.Dashboard;
using Portal.Core.Findings;
using Portal.Features.Findings;
using Portal.Tests.Components.Findings;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Components.Dashboard;

/// <summary>The dashboard's findings: open findings per day by severity, and the most vulnerable images in use, exceptions applied.</summary>
public sealed class DashboardPageFindingsTests(PostgresServer postgres) : FindingComponentContext(postgres)
{
    private static readonly string[] Columns = ["link", "critical", "high", "open", "workloads"];

    [Fact]
    public async Task GovernanceSeesOpenFindingsOverTimeAndTheMostVulnerableImagesInUseWithoutExceptedFindings()
    {
        var ids = await FindingSeed.SeedAsync(Database, Ct);
        await RecordAsync(new ExceptionInput("CVE-2023-0286", null, null, null, ExceptionState.RiskAccepted, "mitigated by policy", Now.AddDays(7)));
        SignInAs(TestUser.Approver);

        var page = RenderAt<DashboardPage>("");

        page.WaitForAssertion(() => page.Find("[data-testid=findings-trend] .mud-chart"));
        OpenNow(page, "Critical").ShouldBe("2");
        OpenNow(page, "High").ShouldBe("0", "every High is CVE-2023-0286, which is excepted");
        OpenNow(page, "Medium").ShouldBe("1");
        OpenNow(page, "Low").ShouldBe("1");
        page.FindAll("[data-testid=open-now-Unknown]").ShouldBeEmpty("no scanner left a severity out");

        var rows = page.FindAll("[data-testid=vulnerable-image]");
        rows.Select(r => string.Join(" ", Columns.Select(c => r.QuerySelector($"[data-testid=vulnerable-image-{c}]")!.TextContent.Trim())))
            .ShouldBe(["users/alice/custom-notebook 1 0 2 1", "aaw/jupyterlab-cpu 0 0 1 1"],
                "the controller has a Critical but no workload runs it");
        rows[0].QuerySelector("[data-testid=vulnerable-image-link]")!.GetAttribute("href").ShouldBe($"images/{ids.Custom}");
        rows[0].TextContent.ShouldContain("users/alice/custom-notebook:latest");
    }

    [Fact]
    public void SaysSoWhenNothingIsOpen()
    {
        SignInAs(TestUser.Admin);

        var page = RenderAt<DashboardPage>("");

        page.WaitForAssertion(() => page.Find("[data-testid=no-open-findings]"));
        page.Find("[data-testid=no-vulnerable-images]").TextContent.Trim().ShouldBe("No image a workload runs has an open finding.");
        page.FindAll("[data-testid=findings-trend] .mud-chart").ShouldBeEmpty();
        OpenNow(page, "Critical").ShouldBe("0");
    }

    [Fact]
    public async Task NotebookUsersDoNotSeeFindings()
    {
        await FindingSeed.SeedAsync(Database, Ct);
        SignInAs(TestUser.NotebookUser);

        var page = RenderAt<DashboardPage>("");

        page.WaitForAssertion(() => page.Find("[data-testid=images-in-use]"));
        page.FindAll("[data-testid=findings-trend]").ShouldBeEmpty();
        page.FindAll("[data-testid=vulnerable-images]").ShouldBeEmpty();
        page.Markup.ShouldNotContain("custom-notebook");
    }

    private static string OpenNow(IRenderedComponent<DashboardPage> page, string severity) =>
        page.Find($"[data-testid=open-now-{severity}]").TextContent.Trim();
}
