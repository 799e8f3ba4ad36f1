using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Features.Notifications;

namespace Portal.Tests.App;

/// <summary>Mail and webhook settings that could only fail later stop the portal at start, naming the setting.</summary>
public sealed class NotificationOptionsValidationTests
{
    [Fact]
    public void DefaultsAreValidAndMeanEmailAndWebhookAreOff()
    {
        new SmtpOptionsValidator().Validate(null, new SmtpOptions()).Succeeded.ShouldBeTrue();
        new NotificationOptionsValidator().Validate(null, new NotificationOptions()).Succeeded.ShouldBeTrue();
    }

    [Theory]
    [InlineData("smtp.example.org", 70000, "image-governance@example.org", "Smtp:Port 70000 must be between 1 and 65535.")]
    [InlineData("smtp.example.org:587", 25, "image-governance@example.org", "Smtp:Host 'smtp.example.org:587' is not a host name or address (put the port in Smtp:Port, not in the host).")]
    [InlineData("smtp.example.org", 25, "image governance", "Smtp:From 'image governance' is not an email address (e.g. image-governance@example.com).")]
    [InlineData("smtp.example.org", 25, "Images <images@example.org>", "Smtp:From 'Images <images@example.org>' is not an email address (e.g. image-governance@example.com).")]
    public void BadMailSettingsAreRefusedWithAMessageNamingTheSetting(string host, int port, string from, string error)
    {
        var result = new SmtpOptionsValidator().Validate(null, new SmtpOptions { Host = host, Port = port, From = from });

        result.Failures.ShouldNotBeNull().ShouldHaveSingleItem().ShouldBe(error);
    }

    [Fact]
    public void AUsernameNeedsAPassword()
    {
        var result = new SmtpOptionsValidator().Validate(null, new SmtpOptions { Host = "smtp.example.org", Username = "portal" });

        result.Failures.ShouldNotBeNull().ShouldHaveSingleItem().ShouldBe("Smtp:Password is required when Smtp:Username is set.");
    }

    [Fact]
    public void AWebhookNeedsAnAbsoluteUrlAndASecret()
    {
        var options = new NotificationOptions { Webhook = new WebhookOptions { Url = "chat/hook" } };

        var failures = new NotificationOptionsValidator().Validate(null, options).Failures.ShouldNotBeNull();

        failures.ShouldBe([
            "Notifications:Webhook:Url 'chat/hook' must be an absolute http or https address.",
            "Notifications:Webhook:Secret is required when Notifications:Webhook:Url is set: every delivery is signed with it.",
        ]);
    }

    [Fact]
    public void AdminRecipientsPortalUrlAndDigestHourAreChecked()
    {
        var options = new NotificationOptions { PortalUrl = "images.example.org", AdminRecipients = ["ops@example.org", "ops"], DigestHourUtc = 24 };

        var failures = new NotificationOptionsValidator().Validate(null, options).Failures.ShouldNotBeNull();

        failures.ShouldBe([
            "Notifications:PortalUrl 'images.example.org' must be an absolute http or https address (links in emails point there).",
            "Notifications:AdminRecipients:1 'ops' is not an email address.",
            "Notifications:DigestHourUtc 24 must be an hour from 0 to 23.",
        ]);
    }

    [Fact]
    public void TheSetupBindsBothSectionsAndRefusesWrongSettingsAtStart()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Smtp:Host"] = "smtp.example.org",
            ["Smtp:Port"] = "0",
            ["Notifications:Webhook:Url"] = "https://chat.example.org/hook",
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddNotificationDelivery();
        using var provider = services.BuildServiceProvider();

        // Both sections fail, so the start-up check reports them together.
        var error = Should.Throw<AggregateException>(() => provider.GetRequiredService<IStartupValidator>().Validate()).Message;

        error.ShouldContain("Smtp:Port 0 must be between 1 and 65535.");
        error.ShouldContain("Notifications:Webhook:Secret is required");
    }
}
