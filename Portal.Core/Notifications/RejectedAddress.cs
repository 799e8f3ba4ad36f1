namespace Portal.Core.Notifications;

/// <summary>
/// An email address a mail server refused (a 5xx answer to RCPT TO). Messages to it are marked Rejected without
/// asking the server again, until an admin clears the address (after the mailbox is fixed, or to retry a typo's
/// correction): repeating a refused RCPT harms the sender's reputation and tells nobody anything.
/// </summary>
public sealed class RejectedAddress
{
    public const int MaxAddressLength = 320;
    public const int MaxReasonLength = 1_000;

    private RejectedAddress()
    {
        Address = string.Empty;
        Reason = string.Empty;
    }

    public long Id { get; private set; }

    /// <summary>Lower case, as outgoing messages store their recipients.</summary>
    public string Address { get; private set; }

    /// <summary>The server's answer, e.g. "550 5.1.1 no such user".</summary>
    public string Reason { get; private set; }

    public DateTimeOffset FirstRejectedAt { get; private set; }
    public DateTimeOffset LastRejectedAt { get; private set; }

    /// <summary>How often the server refused it (more than once only when messages raced the recording).</summary>
    public int Rejections { get; private set; }

    public static RejectedAddress Record(string address, string reason, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        return new RejectedAddress
        {
            Address = Normalize(address),
            Reason = Clip(reason),
            FirstRejectedAt = now,
            LastRejectedAt = now,
            Rejections = 1,
        };
    }

    public void RejectedAgain(string reason, DateTimeOffset now)
    {
        Reason = Clip(reason);
        LastRejectedAt = now;
        Rejections++;
    }

    public static string Normalize(string address) => address.Trim().ToLowerInvariant();

    private static string Clip(string reason) => reason.Length > MaxReasonLength ? reason[..MaxReasonLength] : reason;
}
