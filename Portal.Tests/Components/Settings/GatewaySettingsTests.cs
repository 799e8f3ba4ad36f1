using System.Net;
using AngleSharp.Dom;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Components.Pages.Settings;
using Portal.Core.Auditing;
using Portal.Core.Gateway;
using Portal.Features.Gateway;
using Portal.Tests.Components.Gateway;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Components.Settings;

/// <summary>Settings → Gateway: admins list, add, change, test and delete the remotes the content gateway fetches from.</summary>
public sealed class GatewaySettingsTests : SettingsComponentContext
{
    private const string Admin = "admin@example.org";

    public GatewaySettingsTests(PostgresServer postgres)
        : base(postgres)
    {
        Services.AddSingleton<GatewayRemotes>();
        Services.AddSingleton<RemoteHealth>();
        // The upstreams answer from here: pypi.org is up, downloads.example.org refuses connections.
        Services.AddHttpClient(ContentGateway.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => new Upstreams());
    }

    private GatewayRemotes Remotes => Services.GetRequiredService<GatewayRemotes>();

    [Fact]
    public async Task ListsEveryRemoteWithTheAddressPeopleGivePip()
    {
        await Remotes.AddAsync(GatewaySeed.ToolsDefinition, Admin, Ct);
        await Remotes.AddAsync(GatewaySeed.PypiDefinition, Admin, Ct);

        var tab = RenderTab<GatewaySettings>(p => p.Add(t => t.Actor, Admin));

        tab.WaitForAssertion(() => tab.FindAll("[data-testid=remotes-table] tbody tr").Count.ShouldBe(2));
        var (pypi, tools) = (Row(tab, "pypi"), Row(tab, "tools"));
        tab.FindAll("[data-testid=remote-name]").Select(c => c.TextContent).ShouldBe(["pypi", "tools"]);
        (Text(pypi, "remote-kind"), Text(pypi, "remote-policy"), Text(pypi, "remote-access")).ShouldBe(("PyPI", "On demand", "Anyone"));
        (Text(tools, "remote-kind"), Text(tools, "remote-policy"), Text(tools, "remote-access")).ShouldBe(("Generic", "Streamed", "API key"));
        Text(pypi, "remote-upstream").ShouldBe("https://pypi.org/");
        Text(pypi, "remote-files").ShouldBe("https://files.pythonhosted.org/");
        tools.QuerySelector("[data-testid=remote-files]").ShouldBeNull();
        (Text(pypi, "remote-limit"), Text(tools, "remote-limit")).ShouldBe(("512 MiB", "100 MiB"));
        (Text(pypi, "remote-patterns"), Text(tools, "remote-patterns")).ShouldBe(("every path", "releases/**"));
        Text(pypi, "remote-address").ShouldBe("http://localhost/content/pypi/simple/");
        Text(tools, "remote-address").ShouldBe("http://localhost/content/tools/");
        tools.TextContent.ShouldContain("with an API key (gateway:read) as the password");
        pypi.TextContent.ShouldNotContain("as the password");
    }

    [Fact]
    public async Task AddingARemoteWithABadUrlSaysWhyAndStoresNothingThenAGoodOneIsAddedAndAudited()
    {
        var tab = RenderTab<GatewaySettings>(p => p.Add(t => t.Actor, Admin));
        tab.WaitForAssertion(() => tab.Find("[data-testid=remotes-table]").TextContent.ShouldContain("No remotes yet."));

        tab.Find("[data-testid=remote-add]").Click();
        DialogHost.WaitForAssertion(() => DialogHost.Find("[data-testid=remote-save]"));
        DialogHost.Find("[data-testid=remote-name-input]").Change("Internal PyPI");
        DialogHost.Find("[data-testid=remote-upstream-input]").Change("ftp://mirror.example.org/pypi/");
        DialogHost.Find("[data-testid=remote-save]").Click();

        DialogHost.WaitForAssertion(() => DialogHost.FindAll("[data-testid=remote-error]").Select(e => e.TextContent.Trim()).ShouldBe([
            "The name must be 1-40 lower-case letters, digits or dashes, starting with a letter or digit (it is part of the address: /content/NAME/).",
            "Upstream URL: 'ftp://mirror.example.org/pypi/' is not an absolute http or https URL.",
        ]));
        await using (var db = Database.CreateDbContext())
        {
            (await db.Remotes.AnyAsync(Ct)).ShouldBeFalse();
            (await db.AuditEntries.AnyAsync(e => e.Action == AuditActions.RemoteAdded, Ct)).ShouldBeFalse();
        }

        DialogHost.Find("[data-testid=remote-name-input]").Change("internal");
        DialogHost.Find("[data-testid=remote-upstream-input]").Change("https://mirror.example.org/pypi");
        DialogHost.Find("[data-testid=remote-limit-input]").Change("64");
        DialogHost.Find("[data-testid=remote-patterns-input]").Change("packages/**\n\n  **/*.whl  \n");
        DialogHost.Find("[data-testid=remote-save]").Click();

        DialogHost.WaitForAssertion(() => DialogHost.FindAll("[data-testid=remote-dialog]").ShouldBeEmpty());
        tab.WaitForAssertion(() => tab.FindAll("[data-testid=remote-name]").Select(c => c.TextContent).ShouldBe(["internal"]));
        var row = Row(tab, "internal");
        Text(row, "remote-upstream").ShouldBe("https://mirror.example.org/pypi/");
        Text(row, "remote-address").ShouldBe("http://localhost/content/internal/simple/");
        Text(row, "remote-limit").ShouldBe("64 MiB");
        await using var check = Database.CreateDbContext();
        var remote = await check.Remotes.SingleAsync(Ct);
        (remote.Kind, remote.Policy, remote.ReadAccess, remote.MaxFileBytes).ShouldBe((RemoteKind.PyPi, RemotePolicy.OnDemand, RemoteReadAccess.Anonymous, 64L * 1024 * 1024));
        remote.AllowedPathPatterns.ShouldBe(["packages/**", "**/*.whl"]);
        var entry = await check.AuditEntries.SingleAsync(e => e.Action == AuditActions.RemoteAdded, Ct);
        (entry.Actor, entry.Subject).ShouldBe((Admin, "internal"));
    }

    [Fact]
    public async Task ChangingARemoteStartsFromItsValuesRefusesATakenNameAndAuditsTheChange()
    {
        await Remotes.AddAsync(GatewaySeed.PypiDefinition, Admin, Ct);
        await Remotes.AddAsync(GatewaySeed.ToolsDefinition, Admin, Ct);
        var tab = RenderTab<GatewaySettings>(p => p.Add(t => t.Actor, Admin));
        tab.WaitForAssertion(() => tab.FindAll("[data-testid=remotes-table] tbody tr").Count.ShouldBe(2));

        tab.Find("[data-testid=edit-tools]").Click();
        DialogHost.WaitForAssertion(() => DialogHost.Find("[data-testid=remote-name-input]").GetAttribute("value").ShouldBe("tools"));
        DialogHost.Find("[data-testid=remote-upstream-input]").GetAttribute("value").ShouldBe("https://downloads.example.org/tools/");
        DialogHost.Find("[data-testid=remote-limit-input]").GetAttribute("value").ShouldBe("100");
        DialogHost.Find("[data-testid=remote-patterns-input]").TextContent.ShouldBe("releases/**");
        DialogHost.Find("[data-testid=remote-name-input]").Change("pypi");
        DialogHost.Find("[data-testid=remote-save]").Click();

        DialogHost.WaitForAssertion(() => DialogHost.FindAll("[data-testid=remote-error]").Select(e => e.TextContent.Trim())
            .ShouldBe(["A remote named 'pypi' already exists."]));

        DialogHost.Find("[data-testid=remote-name-input]").Change("tools");
        DialogHost.Find("[data-testid=remote-upstream-input]").Change("https://downloads.example.org/tools-v2/");
        DialogHost.Find("[data-testid=remote-save]").Click();

        tab.WaitForAssertion(() => Text(Row(tab, "tools"), "remote-upstream").ShouldBe("https://downloads.example.org/tools-v2/"));
        await using var db = Database.CreateDbContext();
        var entry = await db.AuditEntries.SingleAsync(e => e.Action == AuditActions.RemoteChanged, Ct);
        (entry.Actor, entry.Subject).ShouldBe((Admin, "tools"));
        entry.Before!.ShouldContain("https://downloads.example.org/tools/");
        entry.After!.ShouldContain("https://downloads.example.org/tools-v2/");
    }

    [Fact]
    public async Task DeletingAsksFirstAndCancellingKeepsTheRemote()
    {
        await Remotes.AddAsync(GatewaySeed.PypiDefinition, Admin, Ct);
        await Remotes.AddAsync(GatewaySeed.ToolsDefinition, Admin, Ct);
        var tab = RenderTab<GatewaySettings>(p => p.Add(t => t.Actor, Admin));
        tab.WaitForAssertion(() => tab.FindAll("[data-testid=remotes-table] tbody tr").Count.ShouldBe(2));

        // The click's handler waits for the confirmation, so its task completes only after the dialog is answered.
        var cancelling = tab.Find("[data-testid=delete-tools]").ClickAsync(new());
        DialogHost.WaitForAssertion(() => DialogHost.Markup.ShouldContain("Delete remote?"));
        DialogHost.Markup.ShouldContain("http://localhost/content/tools/");
        DialogHost.FindAll("button").Single(b => b.TextContent.Trim() == "Cancel").Click();
        await cancelling;

        tab.FindAll("[data-testid=remote-name]").Select(c => c.TextContent).ShouldBe(["pypi", "tools"]);
        await using (var db = Database.CreateDbContext())
        {
            (await db.Remotes.CountAsync(Ct)).ShouldBe(2);
        }

        var deleting = tab.Find("[data-testid=delete-tools]").ClickAsync(new());
        DialogHost.WaitForAssertion(() => DialogHost.Markup.ShouldContain("Delete remote?"));
        DialogHost.FindAll("button").Single(b => b.TextContent.Trim() == "Delete").Click();
        await deleting;

        tab.WaitForAssertion(() => tab.FindAll("[data-testid=remote-name]").Select(c => c.TextContent).ShouldBe(["pypi"]));
        await using var check = Database.CreateDbContext();
        (await check.Remotes.Select(r => r.Name).ToListAsync(Ct)).ShouldBe(["pypi"]);
        var entry = await check.AuditEntries.SingleAsync(e => e.Action == AuditActions.RemoteDeleted, Ct);
        (entry.Actor, entry.Subject).ShouldBe((Admin, "tools"));
    }

    [Fact]
    public async Task TestingARemoteShowsWhatItsUpstreamAnsweredOrWhyItDidNot()
    {
        await Remotes.AddAsync(GatewaySeed.PypiDefinition, Admin, Ct);
        await Remotes.AddAsync(GatewaySeed.ToolsDefinition, Admin, Ct);
        var tab = RenderTab<GatewaySettings>(p => p.Add(t => t.Actor, Admin));
        tab.WaitForAssertion(() => tab.FindAll("[data-testid=remotes-table] tbody tr").Count.ShouldBe(2));
        tab.FindAll("[data-testid=remote-check]").ShouldBeEmpty("nothing is checked until asked");

        tab.Find("[data-testid=test-pypi]").Click();
        tab.WaitForAssertion(() => Text(Row(tab, "pypi"), "remote-check").ShouldBe("200 OK in 0 ms"));
        Row(tab, "tools").QuerySelector("[data-testid=remote-check]").ShouldBeNull();

        tab.Find("[data-testid=test-tools]").Click();
        tab.WaitForAssertion(() => Text(Row(tab, "tools"), "remote-check")
            .ShouldBe("No answer after 0 ms: Connection refused (downloads.example.org:443)"));
    }

    private static IElement Row(IRenderedComponent<GatewaySettings> tab, string name) =>
        tab.FindAll("[data-testid=remotes-table] tbody tr").Single(r => r.QuerySelector("[data-testid=remote-name]")?.TextContent == name);

    private static string Text(IElement row, string testId) => row.QuerySelector($"[data-testid={testId}]")!.TextContent.Trim();

    private sealed class Upstreams : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            request.RequestUri!.Host == "pypi.org"
                ? Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request })
                : throw new HttpRequestException($"Connection refused ({request.RequestUri.Host}:443)");
    }
}
