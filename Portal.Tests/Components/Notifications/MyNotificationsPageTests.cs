using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Portal.Components.Pages.Notifications;
using Portal.Core.Notifications;
using Portal.Features.Notifications;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Components.Notifications;

/// <summary>My notifications: a person sees the emails sent to their own address, whatever its case, and nobody else's.</summary>
public sealed class MyNotificationsPageTests(PostgresServer postgres) : NotificationComponentContext(postgres)
{
    protected override Task SeedAsync(Portal.Data.PortalDbContext db)
    {
        var sent = Queue("owner-digest:alice@example.org:2026-11-22", NotificationChannel.Email, "ALICE@example.org", "Alice: two images reach EOL", Now.AddDays(-1));
        sent.Delivered(Now.AddDays(-1));
        db.OutgoingMessages.AddRange(
            sent,
            Queue("owner-digest:alice@example.org:2026-11-23", NotificationChannel.Email, "alice@example.org", "Alice: one image reaches EOL", Now),
            Queue("owner-digest:bob@example.org:2026-11-23", NotificationChannel.Email, "bob@example.org", "Bob: three images reach EOL", Now),
            Queue("admin-alert:alice@example.org:1", NotificationChannel.Webhook, "alice@example.org", "Webhook post naming alice", Now),
            Queue("owner-digest:malice@example.org:2026-11-23", NotificationChannel.Email, "malice@example.org", "Malice: not Alice's", Now));
        return Task.CompletedTask;
    }

    [Fact]
    public void ShowsOnlyTheSignedInPersonsOwnEmailsNewestFirst()
    {
        SignInAs(TestUser.NotebookUser);

        var page = Render<MyNotificationsPage>();

        page.WaitForAssertion(() => page.FindAll("[data-testid=my-notification-subject]").Select(c => c.TextContent).ShouldBe(
            ["Alice: one image reaches EOL", "Alice: two images reach EOL"]));
        page.Markup.ShouldNotContain("Bob:");
        page.Markup.ShouldNotContain("Malice");
        page.Markup.ShouldNotContain("Webhook post");
        page.FindAll("[data-testid=delivery-status]").Select(c => c.TextContent).ShouldBe(["Pending", "Sent"]);
    }

    [Fact]
    public void ReadingAMessageShowsItsHtmlInASandboxAndItsTextVersion()
    {
        SignInAs(TestUser.NotebookUser);
        var page = Render<MyNotificationsPage>();
        page.WaitForAssertion(() => page.FindAll("[data-testid=my-notification-subject]").Count.ShouldBe(2));

        page.FindAll("button").First(b => b.GetAttribute("aria-label") == "Read Alice: two images reach EOL").Click();

        page.WaitForAssertion(() => page.Find("[data-testid=message-subject]").TextContent.ShouldBe("Alice: two images reach EOL"));
        var frame = page.Find("[data-testid=message-html]");
        frame.GetAttribute("sandbox").ShouldBe("");
        frame.GetAttribute("srcdoc").ShouldBe("<p>Alice: two images reach EOL</p><script>alert(1)</script>");
        page.Find("[data-testid=message-text]").TextContent.ShouldBe("Alice: two images reach EOL (text)");
    }

    [Fact]
    public void SomeoneWithNoMessagesSeesThatNothingWasSent()
    {
        SignInAs(TestUser.Approver);

        var page = Render<MyNotificationsPage>();

        page.WaitForAssertion(() => page.Markup.ShouldContain("The portal has not sent you anything yet."));
        page.FindAll("[data-testid=my-notification-subject]").ShouldBeEmpty();
    }

    private static OutgoingMessage Queue(string key, NotificationChannel channel, string recipient, string subject, DateTimeOffset at) =>
        OutgoingMessage.Queue(key, NotificationKind.OwnerDigest, channel, recipient, subject,
            $"<p>{subject}</p><script>alert(1)</script>", $"{subject} (text)", at);
}
