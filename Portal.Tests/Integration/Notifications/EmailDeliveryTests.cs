using Microsoft.EntityFrameworkCore;
using MimeKit;
using Portal.Core.Auditing;
using Portal.Core.Notifications;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Integration.Notifications;

/// <summary>
/// The outbox delivered by email to a real SMTP server (Debian's aiosmtpd writing a Maildir): what arrives, what happens
/// while the server is down and after it is back, and what a refused address does.
/// </summary>
public sealed class EmailDeliveryTests(PostgresServer postgres) : IAsyncLifetime
{
    private SmtpSink _sink = null!;
    private DeliveryHarness _harness = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _sink = await SmtpSink.StartAsync(Ct);
        _harness = await DeliveryHarness.CreateAsync(postgres, _sink.Port);
    }

    public async ValueTask DisposeAsync()
    {
        await _harness.DisposeAsync();
        await _sink.DisposeAsync();
    }

    [Fact]
    public async Task QueuedEmailArrivesWithSenderRecipientSubjectAndBothParts()
    {
        var queued = await _harness.QueueEmailAsync("owner-digest:alice@example.org:2026-11-23", "Alice@Example.org");

        var summary = await _harness.RunAsync();

        summary.Describe().ShouldBe("Sent 1, retrying 0, failed 0, rejected 0.");
        var message = await _harness.ReloadAsync(queued.Id);
        message.Status.ShouldBe(DeliveryStatus.Sent);
        message.Attempts.ShouldBe(1);
        message.SentAt.ShouldBe(DeliveryHarness.Start);
        message.LastError.ShouldBeNull();

        var mail = _sink.Messages().ShouldHaveSingleItem();
        var from = mail.From.Mailboxes.ShouldHaveSingleItem();
        from.Address.ShouldBe("image-governance@example.org");
        from.Name.ShouldBe("Image governance");
        mail.To.Mailboxes.ShouldHaveSingleItem().Address.ShouldBe("alice@example.org");
        mail.Subject.ShouldBe("Your images this week");
        mail.HtmlBody.ShouldNotBeNull().ShouldContain("<b>two images</b> reach their end of life.");
        mail.TextBody.ShouldNotBeNull().ShouldContain("Hello alice@example.org, two images reach their end of life.");
        mail.Body.ShouldNotBeNull().ContentType.MimeType.ShouldBe("multipart/alternative");
        mail.MessageId.ShouldBe(OutgoingMessage.MessageIdFor(queued.Key, "example.org"));
    }

    [Fact]
    public async Task ServerDownKeepsMessagesPendingAndAfterTheBackoffEachArrivesExactlyOnce()
    {
        _sink.Stop();
        var first = await _harness.QueueEmailAsync("owner-digest:alice@example.org:2026-11-23", "alice@example.org");
        _harness.Clock.Advance(TimeSpan.FromSeconds(1));
        var second = await _harness.QueueEmailAsync("owner-digest:bob@example.org:2026-11-23", "bob@example.org");

        var down = await _harness.RunAsync();

        down.Retrying.ShouldBe(1);
        down.Sent.ShouldBe(0);
        down.Describe().ShouldContain("Email could not be reached: the rest of its messages wait for the next run.");
        var waiting = await _harness.ReloadAsync(first.Id);
        waiting.Status.ShouldBe(DeliveryStatus.Pending);
        waiting.Attempts.ShouldBe(1);
        waiting.LastError.ShouldNotBeNull().ShouldContain($"The mail server 127.0.0.1:{_sink.Port} could not be used");
        waiting.NextAttemptAt.ShouldBe(_harness.Clock.GetUtcNow() + OutgoingMessage.Backoff(1));
        // Once the server is known to be down, the others are not tried (each would wait for the same timeout).
        var untouched = await _harness.ReloadAsync(second.Id);
        untouched.Attempts.ShouldBe(0);
        untouched.Status.ShouldBe(DeliveryStatus.Pending);

        await _sink.StartAgainAsync(Ct);
        var early = await _harness.RunAsync();
        early.Sent.ShouldBe(1, "only the message that was never tried is due before the backoff has passed");
        (await _harness.ReloadAsync(first.Id)).Status.ShouldBe(DeliveryStatus.Pending);

        _harness.Clock.Advance(OutgoingMessage.Backoff(1));
        var after = await _harness.RunAsync();
        after.Sent.ShouldBe(1);
        var sent = await _harness.ReloadAsync(first.Id);
        sent.Status.ShouldBe(DeliveryStatus.Sent);
        sent.Attempts.ShouldBe(2);
        sent.LastError.ShouldBeNull();

        _harness.Clock.Advance(TimeSpan.FromHours(2));
        var nothing = await _harness.RunAsync();
        nothing.Describe().ShouldBe("Sent 0, retrying 0, failed 0, rejected 0.");
        _sink.Messages().Select(m => m.To.Mailboxes.Single().Address).Order().ShouldBe(["alice@example.org", "bob@example.org"]);
    }

    [Fact]
    public async Task RefusedRecipientIsRecordedAndLaterMessagesToItAreNotSentUntilCleared()
    {
        var bounced = await _harness.QueueEmailAsync("owner-digest:bounce.carol@example.org:2026-11-23", "bounce.carol@example.org");
        var fine = await _harness.QueueEmailAsync("owner-digest:alice@example.org:2026-11-23", "alice@example.org");

        var run = await _harness.RunAsync();

        run.Sent.ShouldBe(1);
        run.Rejected.ShouldBe(1);
        var rejected = await _harness.ReloadAsync(bounced.Id);
        rejected.Status.ShouldBe(DeliveryStatus.Rejected);
        rejected.LastError.ShouldNotBeNull().ShouldStartWith("550 ");
        rejected.LastError.ShouldContain("mailbox unavailable");
        (await _harness.ReloadAsync(fine.Id)).Status.ShouldBe(DeliveryStatus.Sent);
        var recorded = (await _harness.RejectedAsync()).ShouldHaveSingleItem();
        recorded.Address.ShouldBe("bounce.carol@example.org");
        recorded.Reason.ShouldContain("550");
        recorded.FirstRejectedAt.ShouldBe(DeliveryHarness.Start);

        // With the server stopped, an attempt would leave the message Pending: Rejected proves nobody asked the server.
        _sink.Stop();
        var next = await _harness.QueueEmailAsync("owner-digest:bounce.carol@example.org:2026-11-24", "Bounce.Carol@example.org");
        var suppressed = await _harness.RunAsync();
        suppressed.Rejected.ShouldBe(1);
        var kept = await _harness.ReloadAsync(next.Id);
        kept.Status.ShouldBe(DeliveryStatus.Rejected);
        kept.Attempts.ShouldBe(0);
        kept.LastError.ShouldNotBeNull().ShouldStartWith("Not sent: the mail server refused bounce.carol@example.org");

        (await _harness.Administration.ClearRejectedAddressAsync(recorded.Id, "admin@example.org", Ct)).ShouldBeTrue();
        (await _harness.RejectedAsync()).ShouldBeEmpty();
        await using (var db = _harness.Database.CreateDbContext())
        {
            var audit = await db.AuditEntries.SingleAsync(e => e.Action == AuditActions.RejectedAddressCleared, Ct);
            audit.Actor.ShouldBe("admin@example.org");
            audit.Subject.ShouldBe("bounce.carol@example.org");
        }

        await _sink.StartAgainAsync(Ct);
        var third = await _harness.QueueEmailAsync("owner-digest:bounce.carol@example.org:2026-11-25", "bounce.carol@example.org");
        (await _harness.RunAsync()).Rejected.ShouldBe(1);
        var asked = await _harness.ReloadAsync(third.Id);
        asked.Attempts.ShouldBe(1, "after clearing, the server is asked again");
        asked.LastError.ShouldNotBeNull().ShouldStartWith("550 ");
        _sink.Messages().ShouldHaveSingleItem().To.Mailboxes.Single().Address.ShouldBe("alice@example.org");
    }

    [Fact]
    public async Task EmailStaysPendingAndTheRunSaysSoWhenNoMailServerIsConfigured()
    {
        await using var off = await DeliveryHarness.CreateAsync(postgres, smtpPort: null);
        var queued = await off.QueueEmailAsync("admin-summary:admin@example.org:2026-11-23", "admin@example.org");

        var run = await off.RunAsync();

        run.Describe().ShouldBe("Sent 0, retrying 0, failed 0, rejected 0. Email is off: 1 message waits until it is configured.");
        var message = await off.ReloadAsync(queued.Id);
        message.Status.ShouldBe(DeliveryStatus.Pending);
        message.Attempts.ShouldBe(0);
    }

    [Fact]
    public async Task TestEmailIsQueuedDeliveredAtOnceAndAudited()
    {
        var result = await _harness.Administration.SendTestEmailAsync("Admin@Example.org", "admin@example.org", Ct);

        result.Error.ShouldBeNull();
        result.Delivered.ShouldBeTrue();
        result.Message.ShouldNotBeNull().Kind.ShouldBe(NotificationKind.Test);
        var mail = _sink.Messages().ShouldHaveSingleItem();
        mail.To.Mailboxes.Single().Address.ShouldBe("admin@example.org");
        mail.Subject.ShouldBe("Test message from the image governance portal");
        mail.TextBody.ShouldNotBeNull().ShouldContain("https://images.example.org");
        await using var db = _harness.Database.CreateDbContext();
        var audit = await db.AuditEntries.SingleAsync(e => e.Action == AuditActions.NotificationTestSent, Ct);
        audit.Subject.ShouldBe("Email admin@example.org");
        audit.After.ShouldBe("Sent");
    }

    [Fact]
    public async Task TestEmailToSomethingThatIsNotAnAddressIsRefusedWithAReason()
    {
        var result = await _harness.Administration.SendTestEmailAsync("not an address", "admin@example.org", Ct);

        result.Message.ShouldBeNull();
        result.Error.ShouldBe("'not an address' is not an email address.");
        _sink.Messages().ShouldBeEmpty();
    }

    [Fact]
    public async Task MessageIdStaysTheSameForEveryAttemptOfAMessage()
    {
        var build = (OutgoingMessage m) => Portal.Integrations.Email.SmtpEmailSender.Build(m, _harness.Smtp, DeliveryHarness.Start);
        var queued = await _harness.QueueEmailAsync("owner-digest:alice@example.org:2026-11-23", "alice@example.org");
        var other = await _harness.QueueEmailAsync("owner-digest:alice@example.org:2026-11-24", "alice@example.org");

        using var one = build(queued);
        using var again = build(await _harness.ReloadAsync(queued.Id));
        using var different = build(other);

        one.MessageId.ShouldBe(again.MessageId);
        one.MessageId.ShouldNotBe(different.MessageId);
        one.MessageId.ShouldEndWith("@example.org");
        await Task.CompletedTask;
    }
}
