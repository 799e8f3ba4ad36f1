using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.Options;
using Portal.Core.Notifications;
using Portal.Features.Notifications;

namespace Portal.Integrations.Webhook;

/// <summary>
/// Posts webhook messages (their JSON body as is) to Notifications:Webhook:Url, signed as <see cref="WebhookSignature"/>
/// describes. 2xx is delivered; 408, 429, 5xx and network errors are tried again later; any other 4xx means the
/// receiver will never take this message, so it fails at once with the status.
/// </summary>
public sealed class WebhookSender(
    IHttpClientFactory clients, IOptions<NotificationOptions> options, TimeProvider clock, ILogger<WebhookSender> logger) : INotificationSender
{
    public const string ClientName = "notifications-webhook";
    public const string MessageIdHeader = "X-Portal-Message-Id";

    /// <summary>How long one POST may take; a relay that answers later is treated as down.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public NotificationChannel Channel => NotificationChannel.Webhook;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(options.Value.Webhook.Url);

    public string Describe() => IsConfigured ? options.Value.Webhook.Url! : "off (Notifications:Webhook:Url is empty)";

    public async Task<DeliveryResult> SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var webhook = options.Value.Webhook;
        if (!IsConfigured)
        {
            return new DeliveryResult(DeliveryOutcome.ChannelUnavailable, "The webhook is off: Notifications:Webhook:Url is not set.");
        }

        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url)
        {
            Content = new StringContent(message.Body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(webhook.Secret!, timestamp, message.Body));
        // The same on every attempt, so a receiver can drop a repeat whose first answer was lost.
        request.Headers.Add(MessageIdHeader, OutgoingMessage.MessageIdFor(message.Key, "portal"));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            using var response = await clients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return DeliveryResult.Sent;
            }

            var answer = $"The webhook answered {status} {response.ReasonPhrase}".TrimEnd() + ".";
            return response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || status >= 500
                ? new DeliveryResult(DeliveryOutcome.RetryLater, answer)
                : new DeliveryResult(DeliveryOutcome.Failed, answer);
        }
        catch (HttpRequestException e)
        {
            logger.LogWarning(e, "The webhook {Url} could not be reached", webhook.Url);
            return new DeliveryResult(DeliveryOutcome.ChannelUnavailable, $"The webhook {webhook.Url} could not be reached: {e.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new DeliveryResult(DeliveryOutcome.ChannelUnavailable, $"The webhook {webhook.Url} did not answer within {Timeout.TotalSeconds:0} s.");
        }
    }
}
