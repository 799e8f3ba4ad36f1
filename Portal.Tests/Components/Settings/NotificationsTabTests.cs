using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Components.Pages.Settings;
using Portal.Core.Auditing;
using Portal.Core.Notifications;
using Portal.Features.Notifications;
using Portal.Integrations.Email;
using Portal.Integrations.Webhook;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Components.Settings;

/// <summary>Settings → Notifications: the effective settings without secrets, test sends against a real SMTP server, refused addresses.</summary>
public sealed class NotificationsTabTests(PostgresServer postgres) : SettingsComponentContext(postgres)
{
    [Fact]
    public async Task ShowsTheEffectiveSettingsButNeverThePasswordOrTheSecret()
    {
        UseNotifications(new SmtpOptions
        {
            Host = "smtp.example.org", Port = 587, Security = SmtpSecurity.StartTls, Username = "portal", Password = "hunter2-password",
            From = "images@example.org", FromName = "Images",
        }, webhookUrl: "https://chat.example.org/hooks/abc", secret: "webhook-secret-value");

        var tab = RenderTab<NotificationsTab>(p => p.Add(t => t.Actor, "admin@example.org").Add(t => t.ActorEmail, "admin@example.org"));

        var settings = tab.Find("[data-testid=notification-settings]").TextContent;
        settings.ShouldContain("smtp.example.org");
        settings.ShouldContain("587");
        settings.ShouldContain("StartTls");
        settings.ShouldContain("Images <images@example.org>");
        settings.ShouldContain("https://chat.example.org/hooks/abc");
        settings.ShouldContain("ops@example.org, lead@example.org");
        settings.ShouldContain("https://images.example.org");
        tab.Find("[data-testid=smtp-password]").TextContent.ShouldBe("(set)");
        tab.Find("[data-testid=webhook-secret]").TextContent.ShouldBe("(set)");
        tab.Markup.ShouldNotContain("hunter2-password");
        tab.Markup.ShouldNotContain("webhook-secret-value");
        tab.Find("[data-testid=test-email-to]").GetAttribute("value").ShouldBe("admin@example.org");
        await Task.CompletedTask;
    }

    [Fact]
    public async Task TestEmailIsSentToTheAdminsOwnAddressAndTheOutcomeShown()
    {
        await using var sink = await SmtpSink.StartAsync(Ct);
        UseNotifications(new SmtpOptions { Host = "127.0.0.1", Port = sink.Port, From = "images@example.org", TimeoutSeconds = 5 });
        var tab = RenderTab<NotificationsTab>(p => p.Add(t => t.Actor, "admin@example.org").Add(t => t.ActorEmail, "admin@example.org"));

        tab.Find("[data-testid=test-email-send]").Click();

        tab.WaitForAssertion(() => tab.Find("[data-testid=test-outcome]").TextContent.ShouldBe("Sent the test message to admin@example.org."),
            TimeSpan.FromSeconds(15));
        sink.Messages().ShouldHaveSingleItem().To.Mailboxes.Single().Address.ShouldBe("admin@example.org");
        await using var db = Database.CreateDbContext();
        (await db.OutgoingMessages.SingleAsync(Ct)).Kind.ShouldBe(NotificationKind.Test);
    }

    [Fact]
    public async Task AMailServerThatIsDownIsExplainedAndTheMessageWaits()
    {
        await using var sink = await SmtpSink.StartAsync(Ct);
        sink.Stop();
        UseNotifications(new SmtpOptions { Host = "127.0.0.1", Port = sink.Port, From = "images@example.org", TimeoutSeconds = 5 });
        var tab = RenderTab<NotificationsTab>(p => p.Add(t => t.Actor, "admin@example.org").Add(t => t.ActorEmail, "admin@example.org"));

        tab.Find("[data-testid=test-email-send]").Click();

        tab.WaitForAssertion(() => tab.Find("[data-testid=test-outcome]").TextContent.ShouldStartWith(
            $"Not sent yet: The mail server 127.0.0.1:{sink.Port} could not be used"), TimeSpan.FromSeconds(15));
        tab.Find("[data-testid=test-outcome]").TextContent.ShouldContain("It is tried again at 2026-11-22 12:01 UTC.");
    }

    [Fact]
    public async Task ARefusedTestAddressIsListedAndClearingItIsAudited()
    {
        await using var sink = await SmtpSink.StartAsync(Ct);
        UseNotifications(new SmtpOptions { Host = "127.0.0.1", Port = sink.Port, From = "images@example.org", TimeoutSeconds = 5 });
        var tab = RenderTab<NotificationsTab>(p => p.Add(t => t.Actor, "admin@example.org").Add(t => t.ActorEmail, "admin@example.org"));
        tab.FindAll("[data-testid=rejected-address]").ShouldBeEmpty();
        tab.Find("[data-testid=test-email-to]").Change("bounce-me@example.org");

        tab.Find("[data-testid=test-email-send]").Click();

        tab.WaitForAssertion(() => tab.Find("[data-testid=test-outcome]").TextContent.ShouldStartWith("Rejected: 550"), TimeSpan.FromSeconds(15));
        tab.Find("[data-testid=rejected-address]").TextContent.ShouldBe("bounce-me@example.org");

        await using (var db = Database.CreateDbContext())
        {
            var id = (await db.RejectedAddresses.SingleAsync(Ct)).Id;
            tab.Find($"[data-testid=clear-{id}]").Click();
        }

        DialogHost.WaitForElement(".mud-message-box").QuerySelectorAll("button").Single(b => b.TextContent.Trim() == "Clear").Click();
        tab.WaitForAssertion(() => tab.FindAll("[data-testid=rejected-address]").ShouldBeEmpty());
        await using var check = Database.CreateDbContext();
        (await check.RejectedAddresses.CountAsync(Ct)).ShouldBe(0);
        (await check.AuditEntries.SingleAsync(e => e.Action == AuditActions.RejectedAddressCleared, Ct)).Subject.ShouldBe("bounce-me@example.org");
    }

    [Fact]
    public void TestWebhookWithoutAWebhookSaysItIsOff()
    {
        UseNotifications(new SmtpOptions());
        var tab = RenderTab<NotificationsTab>(p => p.Add(t => t.Actor, "admin@example.org"));

        tab.Find("[data-testid=test-webhook-send]").Click();

        tab.WaitForAssertion(() => tab.Find("[data-testid=test-outcome]").TextContent.ShouldBe(
            "The webhook is off: set Notifications:Webhook:Url and Secret and restart the portal."));
        tab.Find("[data-testid=smtp-host]").TextContent.ShouldBe("(empty: email is off)");
    }

    private void UseNotifications(SmtpOptions smtp, string? webhookUrl = null, string? secret = null)
    {
        var notifications = new NotificationOptions
        {
            PortalUrl = "https://images.example.org",
            AdminRecipients = ["ops@example.org", "lead@example.org"],
            Webhook = new WebhookOptions { Url = webhookUrl, Secret = secret, Name = "chat" },
        };
        Services.AddSingleton(Options.Create(smtp));
        Services.AddSingleton(Options.Create(notifications));
        Services.AddHttpClient();
        Services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        Services.AddSingleton<INotificationSender, SmtpEmailSender>();
        Services.AddSingleton<INotificationSender, WebhookSender>();
        Services.AddSingleton<NotificationDelivery>();
        Services.AddSingleton<NotificationAdministration>();
    }
}
