using Portal.Core.Notifications;

namespace Portal.Tests.Core.Notifications;

/// <summary>The outbox entry's delivery rules that the delivery job relies on.</summary>
public sealed class OutgoingMessageDeliveryTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 7, 0, 0, TimeSpan.Zero);

    [Fact]
    public void GivingUpFailsAtOnceAndCountsTheAttempt()
    {
        var message = Queue();

        message.GaveUp("The webhook answered 404 Not Found.", Now);

        message.Status.ShouldBe(DeliveryStatus.Failed);
        message.Attempts.ShouldBe(1);
        message.IsDue(Now.AddDays(1)).ShouldBeFalse();
    }

    [Fact]
    public void SuppressingForARefusedAddressIsRejectedWithoutAnAttempt()
    {
        var message = Queue();

        message.Suppressed("Not sent: refused before.", Now);

        message.Status.ShouldBe(DeliveryStatus.Rejected);
        message.Attempts.ShouldBe(0);
        message.LastError.ShouldBe("Not sent: refused before.");
    }

    [Fact]
    public void MessageIdDependsOnTheKeyAlone()
    {
        var id = OutgoingMessage.MessageIdFor("owner-digest:alice@example.org:2026-11-23", "example.org");

        id.ShouldBe(OutgoingMessage.MessageIdFor("owner-digest:alice@example.org:2026-11-23", "example.org"));
        id.ShouldNotBe(OutgoingMessage.MessageIdFor("owner-digest:alice@example.org:2026-11-24", "example.org"));
        id.ShouldMatch(@"^portal\.[0-9a-f]{40}@example\.org$");
    }

    private static OutgoingMessage Queue() =>
        OutgoingMessage.Queue("k", NotificationKind.AdminAlert, NotificationChannel.Webhook, "chat", "s", "{}", null, Now);
}
