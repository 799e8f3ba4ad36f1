using Bunit;
using Portal.Components.Layout;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Components;

/// <summary>The drawer shows each person the entries their role may open, and nothing else.</summary>
public sealed class NavMenuTests : PortalComponentContext
{
    private static readonly string[] Everyone = ["Dashboard", "My workloads", "My notifications"];
    private static readonly string[] Governance = ["Images", "Workloads", "Findings", "Plan", "Holds", "Migrations", "Admission", "Jobs", "Audit"];
    private static readonly string[] AdminOnly = ["Gateway", "Delivery log", "Settings"];

    public static TheoryData<TestUser, string[]> Expectations => new()
    {
        { TestUser.NotebookUser, Everyone },
        { TestUser.Approver, [.. Everyone, .. Governance] },
        { TestUser.Admin, [.. Everyone, .. Governance, .. AdminOnly] },
    };

    [Theory]
    [MemberData(nameof(Expectations))]
    public void ShowsExactlyTheEntriesTheRoleMayOpen(TestUser user, string[] expected)
    {
        SignInAs(user);

        var menu = Render<NavMenu>();

        var titles = menu.FindAll("a").Select(a => a.TextContent.Trim()).ToList();
        titles.ShouldBe(expected, ignoreOrder: true);
    }

    [Fact]
    public void LinksPointAtThePagesInTheOrderOfTheDrawer()
    {
        SignInAs(TestUser.Admin);

        var menu = Render<NavMenu>();

        menu.FindAll("a").Select(a => a.GetAttribute("href")).ShouldBe(NavigationItems.All.Select(i => i.Href));
    }

    [Fact]
    public void ShowsOnlyEveryoneEntriesToAnAnonymousPrincipal()
    {
        // Anonymous people never reach the shell (the server redirects them), but the menu must not rely on that.
        SignInAs(TestUser.Anonymous);

        var menu = Render<NavMenu>();

        menu.FindAll("a").Select(a => a.TextContent.Trim()).ShouldBe(Everyone);
    }
}
