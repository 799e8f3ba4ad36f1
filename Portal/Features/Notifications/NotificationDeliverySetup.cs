using Microsoft.Extensions.Options;
using MimeKit;
using Portal.Core.Notifications;
using Portal.Integrations.Email;
using Portal.Integrations.Webhook;

namespace Portal.Features.Notifications;

public static class NotificationDeliverySetup
{
    /// <summary>
    /// The mail server and webhook settings (checked at start), the two senders, and the services that deliver the
    /// outbox and show its log.
    /// </summary>
    public static IServiceCollection AddNotificationDelivery(this IServiceCollection services)
    {
        services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SmtpOptions>, SmtpOptionsValidator>();
        services.AddOptions<NotificationOptions>().BindConfiguration(NotificationOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<NotificationOptions>, NotificationOptionsValidator>();

        // No retry handler: a failed POST is retried by the delivery job with its own backoff, recorded in the log.
        services.AddHttpClient(WebhookSender.ClientName, client => client.Timeout = WebhookSender.Timeout + TimeSpan.FromSeconds(5));
        services.AddSingleton<SmtpEmailSender>();
        services.AddSingleton<INotificationSender>(provider => provider.GetRequiredService<SmtpEmailSender>());
        services.AddSingleton<WebhookSender>();
        services.AddSingleton<INotificationSender>(provider => provider.GetRequiredService<WebhookSender>());

        services.AddSingleton<NotificationDelivery>();
        services.AddSingleton<NotificationLog>();
        services.AddSingleton<NotificationAdministration>();
        return services;
    }
}

/// <summary>Refuses mail settings that could only fail later, with messages that name the setting.</summary>
public sealed class SmtpOptionsValidator : IValidateOptions<SmtpOptions>
{
    public ValidateOptionsResult Validate(string? name, SmtpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        const string section = SmtpOptions.SectionName;
        if (!string.IsNullOrWhiteSpace(options.Host) && Uri.CheckHostName(options.Host.Trim()) == UriHostNameType.Unknown)
        {
            errors.Add($"{section}:Host '{options.Host}' is not a host name or address (put the port in {section}:Port, not in the host).");
        }

        if (options.Port is < 1 or > 65_535)
        {
            errors.Add($"{section}:Port {options.Port} must be between 1 and 65535.");
        }

        if (!Enum.IsDefined(options.Security))
        {
            errors.Add($"{section}:Security must be None, StartTls or Tls.");
        }

        if (!NotificationOptionsValidator.IsAddress(options.From))
        {
            errors.Add($"{section}:From '{options.From}' is not an email address (e.g. image-governance@example.com).");
        }

        if (!string.IsNullOrEmpty(options.Username) && string.IsNullOrEmpty(options.Password))
        {
            errors.Add($"{section}:Password is required when {section}:Username is set.");
        }

        if (options.TimeoutSeconds is < 1 or > 600)
        {
            errors.Add($"{section}:TimeoutSeconds {options.TimeoutSeconds} must be between 1 and 600.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

public sealed class NotificationOptionsValidator : IValidateOptions<NotificationOptions>
{
    public ValidateOptionsResult Validate(string? name, NotificationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        const string section = NotificationOptions.SectionName;
        if (!IsHttpUrl(options.PortalUrl))
        {
            errors.Add($"{section}:PortalUrl '{options.PortalUrl}' must be an absolute http or https address (links in emails point there).");
        }

        for (var i = 0; i < options.AdminRecipients.Count; i++)
        {
            if (!IsAddress(options.AdminRecipients[i]))
            {
                errors.Add($"{section}:AdminRecipients:{i} '{options.AdminRecipients[i]}' is not an email address.");
            }
        }

        if (options.DigestHourUtc is < 0 or > 23)
        {
            errors.Add($"{section}:DigestHourUtc {options.DigestHourUtc} must be an hour from 0 to 23.");
        }

        var webhook = options.Webhook;
        if (!string.IsNullOrWhiteSpace(webhook.Url))
        {
            if (!IsHttpUrl(webhook.Url))
            {
                errors.Add($"{section}:Webhook:Url '{webhook.Url}' must be an absolute http or https address.");
            }

            if (string.IsNullOrEmpty(webhook.Secret))
            {
                errors.Add($"{section}:Webhook:Secret is required when {section}:Webhook:Url is set: every delivery is signed with it.");
            }

            if (string.IsNullOrWhiteSpace(webhook.Name))
            {
                errors.Add($"{section}:Webhook:Name must not be empty.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static bool IsAddress(string? value) =>
        !string.IsNullOrWhiteSpace(value) && MailboxAddress.TryParse(value.Trim(), out var address)
        && address.Address.IndexOf('@', StringComparison.Ordinal) is > 0 and var at && at < address.Address.Length - 1
        && address.Name is null or "" && address.Address == value.Trim();

    private static bool IsHttpUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
