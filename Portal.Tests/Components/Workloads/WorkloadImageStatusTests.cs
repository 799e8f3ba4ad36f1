using Bunit;
using Portal.Components.Pages.Workloads;
using Portal.Core.Inventory;
using Portal.Core.Workloads;
using Portal.Features.Workloads;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Components.Workloads;

/// <summary>An image's status says what the inventory knows of it, and plainly when it knows nothing.</summary>
public sealed class WorkloadImageStatusTests : PortalComponentContext
{
    private static readonly WorkloadImageView Linked = new(
        "main", ContainerType.Container, "127.0.0.1:5082/aaw/jupyterlab-cpu:v1", WorkloadSeed.V1Digest, 42, "aaw/jupyterlab-cpu",
        ImageClass.Curated, "jupyterlab-cpu", Channel.Prod);

    private static readonly WorkloadImageView Unknown = new(
        "main", ContainerType.Container, "docker.io/library/python:3.12", null, null, null, null, null, null);

    public WorkloadImageStatusTests() => SignInAs(TestUser.NotebookUser);

    [Fact]
    public void ShowsClassTrackAndChannelOfAnImageTheInventoryHolds()
    {
        var status = Render<WorkloadImageStatus>(p => p.Add(c => c.Image, Linked));

        status.Find("[data-testid=image-status]").GetAttribute("data-status").ShouldBe("in-inventory");
        status.Find("[data-testid=image-class]").TextContent.ShouldBe("Curated");
        status.Find("[data-testid=image-track]").TextContent.ShouldBe("jupyterlab-cpu · Prod");
        status.FindAll("[data-testid=not-in-inventory]").ShouldBeEmpty();
        status.FindAll("a").ShouldBeEmpty();
    }

    [Fact]
    public void SaysNotInInventoryForAnImageTheInventoryDoesNotHold()
    {
        var status = Render<WorkloadImageStatus>(p => p.Add(c => c.Image, Unknown).Add(c => c.Href, "images/1"));

        status.Find("[data-testid=image-status]").GetAttribute("data-status").ShouldBe("not-in-inventory");
        status.Find("[data-testid=not-in-inventory]").TextContent.Trim().ShouldBe("Not in inventory");
        status.FindAll("[data-testid=image-class]").ShouldBeEmpty();
        status.FindAll("a").ShouldBeEmpty("there is no inventory page to link to");
    }

    [Fact]
    public void LinksTheClassToTheImagePageWhenGivenALink()
    {
        var status = Render<WorkloadImageStatus>(p => p.Add(c => c.Image, Linked).Add(c => c.Href, "images/42"));

        var link = status.Find("[data-testid=image-link]");
        link.GetAttribute("href").ShouldBe("images/42");
        link.QuerySelector("[data-testid=image-class]")!.TextContent.ShouldBe("Curated");
    }

    [Fact]
    public void StatusChipNamesTheStatusInWordsAndWithAnIcon()
    {
        var chip = Render<WorkloadStatusChip>(p => p.Add(c => c.Status, WorkloadStatus.Failed));

        var element = chip.Find("[data-testid=workload-status]");
        element.TextContent.Trim().ShouldBe("Failed");
        element.QuerySelector("svg").ShouldNotBeNull("colour alone must not carry the status");
    }
}
