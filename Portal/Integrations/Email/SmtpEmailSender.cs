using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using Portal.Core.Notifications;
using Portal.Features.Notifications;

namespace Portal.Integrations.Email;

/// <summary>
/// Sends outbox emails through the configured SMTP server with MailKit, one connection per message (the portal sends
/// digests and alerts, not bulk mail), and turns every failure into a <see cref="DeliveryResult"/> the delivery job
/// acts on: a refused recipient is final, anything that may pass (server down, 4xx) is tried again later.
/// </summary>
public sealed class SmtpEmailSender(IOptions<SmtpOptions> options, TimeProvider clock, ILogger<SmtpEmailSender> logger) : INotificationSender
{
    public NotificationChannel Channel => NotificationChannel.Email;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(options.Value.Host);

    public string Describe()
    {
        var smtp = options.Value;
        return IsConfigured ? $"{smtp.Host}:{smtp.Port} ({smtp.Security})" : "off (Smtp:Host is empty)";
    }

    public async Task<DeliveryResult> SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var smtp = options.Value;
        if (!IsConfigured)
        {
            return new DeliveryResult(DeliveryOutcome.ChannelUnavailable, "Email is off: Smtp:Host is not set.");
        }

        using var mime = Build(message, smtp, clock.GetUtcNow());
        using var client = new SmtpClient { Timeout = checked(smtp.TimeoutSeconds * 1000) };
        try
        {
            await client.ConnectAsync(smtp.Host!.Trim(), smtp.Port, SocketOptions(smtp.Security), cancellationToken);
            if (!string.IsNullOrEmpty(smtp.Username))
            {
                await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", cancellationToken);
            }

            await client.SendAsync(mime, cancellationToken);
            await client.DisconnectAsync(quit: true, cancellationToken);
            return DeliveryResult.Sent;
        }
        catch (SmtpCommandException e) when (e.ErrorCode == SmtpErrorCode.RecipientNotAccepted && (int)e.StatusCode >= 500)
        {
            return new DeliveryResult(DeliveryOutcome.RecipientRejected, $"{(int)e.StatusCode} {e.Message}".Trim());
        }
        catch (SmtpCommandException e) when (e.ErrorCode == SmtpErrorCode.MessageNotAccepted && (int)e.StatusCode >= 500)
        {
            // The server read this message and refused it for good (too large, content policy): sending it again would be refused again.
            return new DeliveryResult(DeliveryOutcome.Failed, $"The server refused the message: {(int)e.StatusCode} {e.Message}".Trim());
        }
        catch (SmtpCommandException e)
        {
            // 4xx answers are temporary by definition; a 5xx for the sender is a setting an admin can correct in time.
            return new DeliveryResult(DeliveryOutcome.RetryLater, $"The server answered {(int)e.StatusCode}: {e.Message}".Trim());
        }
        catch (AuthenticationException e)
        {
            return Unavailable(smtp, $"signing in as {smtp.Username} failed: {e.Message}", e);
        }
        catch (SslHandshakeException e)
        {
            return Unavailable(smtp, $"the TLS handshake failed: {e.Message}", e);
        }
        catch (NotSupportedException e)
        {
            // MailKit's answer when STARTTLS (or authentication) is required but the server does not offer it.
            return Unavailable(smtp, e.Message, e);
        }
        catch (Exception e) when (e is SocketException or IOException or TimeoutException or SmtpProtocolException or ServiceNotConnectedException
                                       or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return Unavailable(smtp, e is OperationCanceledException ? $"no answer within {smtp.TimeoutSeconds} s" : e.Message, e);
        }
    }

    /// <summary>The MIME message for an outbox row: HTML with a plain-text alternative, and a Message-Id stable across attempts.</summary>
    public static MimeMessage Build(OutgoingMessage message, SmtpOptions smtp, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(smtp);
        var from = MailboxAddress.Parse(smtp.From);
        from.Name = smtp.FromName;
        var mime = new MimeMessage();
        mime.From.Add(from);
        mime.To.Add(MailboxAddress.Parse(message.Recipient));
        mime.Subject = message.Subject;
        mime.Date = now;
        mime.MessageId = OutgoingMessage.MessageIdFor(message.Key, from.Domain);
        // Automated mail: auto-responders and out-of-office replies should stay quiet (RFC 3834).
        mime.Headers.Add("Auto-Submitted", "auto-generated");
        var body = new BodyBuilder { HtmlBody = message.Body };
        if (!string.IsNullOrEmpty(message.TextBody))
        {
            body.TextBody = message.TextBody;
        }

        mime.Body = body.ToMessageBody();
        return mime;
    }

    private DeliveryResult Unavailable(SmtpOptions smtp, string reason, Exception e)
    {
        logger.LogWarning(e, "The mail server {Host}:{Port} could not be used: {Reason}", smtp.Host, smtp.Port, reason);
        return new DeliveryResult(DeliveryOutcome.ChannelUnavailable, $"The mail server {smtp.Host}:{smtp.Port} could not be used: {reason}");
    }

    private static SecureSocketOptions SocketOptions(SmtpSecurity security) => security switch
    {
        SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
        SmtpSecurity.Tls => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.None,
    };
}
