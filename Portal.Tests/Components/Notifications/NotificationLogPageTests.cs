using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Portal.Components.Pages.Notifications;
using Portal.Core.Notifications;
using Portal.Features.Notifications;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Components.Notifications;

/// <summary>The delivery log: every message with its outcome, filtered on the server, and a message's body on request.</summary>
public sealed class NotificationLogPageTests(PostgresServer postgres) : NotificationComponentContext(postgres)
{
    protected override Task SeedAsync(Portal.Data.PortalDbContext db)
    {
        SignInAs(TestUser.Admin);
        var sent = OutgoingMessage.Queue("digest:alice", NotificationKind.OwnerDigest, NotificationChannel.Email, "alice@example.org",
            "Alice's digest", "<p>Alice</p>", "Alice", Now);
        sent.Delivered(Now);
        var waiting = OutgoingMessage.Queue("digest:bob", NotificationKind.OwnerDigest, NotificationChannel.Email, "bob@example.org",
            "Bob's digest", "<p>Bob</p>", "Bob", Now.AddMinutes(1));
        waiting.FailedToDeliver("The mail server smtp.example.org:25 could not be used: Connection refused", Now.AddMinutes(1));
        var failed = OutgoingMessage.Queue("alert:1", NotificationKind.AdminAlert, NotificationChannel.Webhook, "chat",
            "Path revoked", """{"text":"path revoked"}""", null, Now.AddMinutes(2));
        failed.GaveUp("The webhook answered 404 Not Found.", Now.AddMinutes(2));
        db.OutgoingMessages.AddRange(sent, waiting, failed);
        return Task.CompletedTask;
    }

    [Fact]
    public void ListsEveryMessageNewestFirstWithItsOutcome()
    {
        Render<MudPopoverProvider>();
        var page = Render<NotificationLogPage>();

        page.WaitForAssertion(() => page.FindAll("[data-testid=delivery-status]").Select(c => c.TextContent).ShouldBe(["Failed", "Pending", "Sent"]));
        page.FindAll("[data-testid=delivery-error]").Select(c => c.TextContent).ShouldBe([
            "The webhook answered 404 Not Found.", "The mail server smtp.example.org:25 could not be used: Connection refused", "",
        ]);
        page.Find("[data-testid=delivery-log]").TextContent.ShouldContain("2026-11-23 07:02 UTC", customMessage: "Bob's next attempt, a minute after the failure");
    }

    [Fact]
    public void StatusFromTheAddressFiltersOnTheServer()
    {
        Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().NavigateTo("notifications/log?status=pending");
        Render<MudPopoverProvider>();
        var page = Render<NotificationLogPage>();

        page.WaitForAssertion(() => page.FindAll("[data-testid=delivery-status]").Select(c => c.TextContent).ShouldBe(["Pending"]));
        page.Find("[data-testid=delivery-log]").TextContent.ShouldContain("bob@example.org");
        page.Find("[data-testid=export-csv]").GetAttribute("href").ShouldBe("api/v1/notifications/export?status=Pending", "the export follows the filter");
    }

    [Fact]
    public void ViewingAWebhookMessageShowsItsJson()
    {
        Render<MudPopoverProvider>();
        var page = Render<NotificationLogPage>();
        page.WaitForAssertion(() => page.FindAll("[data-testid=delivery-status]").Count.ShouldBe(3));

        page.FindAll("button").First(b => b.GetAttribute("data-testid")?.StartsWith("view-", StringComparison.Ordinal) == true).Click();

        page.WaitForAssertion(() => page.Find("[data-testid=message-json]").TextContent.ShouldBe("""{"text":"path revoked"}"""));
        page.Find("[data-testid=message-subject]").TextContent.ShouldBe("Path revoked");
    }
}
