using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Portal.Core.Notifications;
using Portal.Data;
using Portal.Features.Audit;
using Portal.Features.Notifications;
using Portal.Integrations.Email;
using Portal.Integrations.Webhook;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Integration.Notifications;

/// <summary>
/// The real delivery services over a real, migrated SQLite database, the real MailKit and webhook senders, and a clock
/// the test moves (for backoff).
/// </summary>
internal sealed class DeliveryHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 23, 7, 0, 0, TimeSpan.Zero);

    private readonly ServiceProvider _http;

    private DeliveryHarness(TestDatabase database, SmtpOptions smtp, NotificationOptions notifications)
    {
        Database = database;
        Smtp = smtp;
        _http = new ServiceCollection().AddHttpClient().BuildServiceProvider();
        var email = new SmtpEmailSender(Options.Create(smtp), Clock, NullLogger<SmtpEmailSender>.Instance);
        var webhook = new WebhookSender(
            _http.GetRequiredService<IHttpClientFactory>(), Options.Create(notifications), Clock, NullLogger<WebhookSender>.Instance);
        Delivery = new NotificationDelivery(database, [email, webhook], Clock, NullLogger<NotificationDelivery>.Instance);
        Administration = new NotificationAdministration(database, Delivery, Options.Create(notifications), new AuditLog(database, Clock), Clock);
        Log = new NotificationLog(database);
    }

    public FakeTimeProvider Clock { get; } = new(Start);

    public TestDatabase Database { get; }

    public SmtpOptions Smtp { get; }

    public NotificationDelivery Delivery { get; }

    public NotificationAdministration Administration { get; }

    public NotificationLog Log { get; }

    public static async Task<DeliveryHarness> CreateAsync(
        PostgresServer postgres, int? smtpPort, string? webhookUrl = null, string webhookSecret = "s3cret")
    {
        var smtp = new SmtpOptions
        {
            Host = smtpPort is null ? null : "127.0.0.1",
            Port = smtpPort ?? 25,
            From = "image-governance@example.org",
            FromName = "Image governance",
            TimeoutSeconds = 5,
        };
        var notifications = new NotificationOptions
        {
            PortalUrl = "https://images.example.org",
            Webhook = new WebhookOptions { Url = webhookUrl, Secret = webhookSecret, Name = "chat" },
        };
        return new DeliveryHarness(await TestDatabase.CreateAsync(DatabaseKind.Sqlite, postgres), smtp, notifications);
    }

    public async Task<OutgoingMessage> QueueEmailAsync(string key, string to, string subject = "Your images this week")
    {
        var message = OutgoingMessage.Queue(
            key, NotificationKind.OwnerDigest, NotificationChannel.Email, to, subject,
            $"<p>Hello {to}, <b>two images</b> reach their end of life.</p>", $"Hello {to}, two images reach their end of life.", Clock.GetUtcNow());
        return await AddAsync(message);
    }

    public async Task<OutgoingMessage> QueueWebhookAsync(string key, string json)
    {
        var message = OutgoingMessage.Queue(key, NotificationKind.AdminAlert, NotificationChannel.Webhook, "chat", "Path revoked", json, null, Clock.GetUtcNow());
        return await AddAsync(message);
    }

    public async Task<OutgoingMessage> ReloadAsync(long id)
    {
        await using var db = Database.CreateDbContext();
        return await db.OutgoingMessages.AsNoTracking().SingleAsync(m => m.Id == id, TestContext.Current.CancellationToken);
    }

    public async Task<List<RejectedAddress>> RejectedAsync()
    {
        await using var db = Database.CreateDbContext();
        return await db.RejectedAddresses.AsNoTracking().ToListAsync(TestContext.Current.CancellationToken);
    }

    public Task<DeliveryRunSummary> RunAsync() => Delivery.DeliverDueAsync(null, TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _http.DisposeAsync();
        await Database.DisposeAsync();
    }

    private async Task<OutgoingMessage> AddAsync(OutgoingMessage message)
    {
        await using var db = Database.CreateDbContext();
        db.OutgoingMessages.Add(message);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return message;
    }
}
