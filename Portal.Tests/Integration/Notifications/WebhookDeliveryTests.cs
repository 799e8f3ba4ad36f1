using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.Core.Notifications;
using Portal.Integrations.Webhook;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Integration.Notifications;

/// <summary>Webhook messages POSTed to a real HTTP endpoint (Kestrel on loopback), signed, and retried or failed by the answer.</summary>
public sealed class WebhookDeliveryTests(PostgresServer postgres) : IAsyncLifetime
{
    private const string Secret = "relay-shared-secret";
    private readonly ConcurrentQueue<Received> _received = new();
    private WebApplication _relay = null!;
    private int _answer = StatusCodes.Status204NoContent;
    private string _url = "";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        _relay = builder.Build();
        _relay.MapPost("/hooks/portal", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            _received.Enqueue(new Received(
                body,
                context.Request.ContentType,
                context.Request.Headers[WebhookSignature.TimestampHeader].ToString(),
                context.Request.Headers[WebhookSignature.SignatureHeader].ToString(),
                context.Request.Headers[WebhookSender.MessageIdHeader].ToString()));
            context.Response.StatusCode = _answer;
        });
        await _relay.StartAsync(Ct);
        var address = _relay.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _url = $"{address}/hooks/portal";
    }

    public async ValueTask DisposeAsync() => await _relay.DisposeAsync();

    [Fact]
    public async Task MessageIsPostedAsJsonWithASignatureTheHelperVerifies()
    {
        await using var harness = await DeliveryHarness.CreateAsync(postgres, smtpPort: null, _url, Secret);
        const string json = """{"kind":"admin-alert","text":"The path from jupyterlab v2 to v3 was revoked."}""";
        var queued = await harness.QueueWebhookAsync("admin-alert:path-revoked:12:chat", json);

        var run = await harness.RunAsync();

        run.Sent.ShouldBe(1);
        (await harness.ReloadAsync(queued.Id)).Status.ShouldBe(DeliveryStatus.Sent);
        var received = _received.ShouldHaveSingleItem();
        received.Body.ShouldBe(json);
        received.ContentType.ShouldBe("application/json; charset=utf-8");
        received.Timestamp.ShouldBe(DeliveryHarness.Start.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        received.Signature.ShouldStartWith("sha256=");
        received.MessageId.ShouldBe(OutgoingMessage.MessageIdFor(queued.Key, "portal"));

        WebhookSignature.Verify(Secret, received.Timestamp, received.Signature, received.Body, DeliveryHarness.Start).ShouldBeTrue();
        WebhookSignature.Verify("another-secret", received.Timestamp, received.Signature, received.Body, DeliveryHarness.Start).ShouldBeFalse();
        WebhookSignature.Verify(Secret, received.Timestamp, received.Signature, received.Body + " ", DeliveryHarness.Start).ShouldBeFalse();
        WebhookSignature.Verify(Secret, (long.Parse(received.Timestamp, System.Globalization.CultureInfo.InvariantCulture) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
            received.Signature, received.Body, DeliveryHarness.Start).ShouldBeFalse("the timestamp is signed too");
        WebhookSignature.Verify(Secret, received.Timestamp, received.Signature, received.Body, DeliveryHarness.Start.AddMinutes(10))
            .ShouldBeFalse("an old delivery replayed later is refused");
    }

    [Theory]
    [InlineData(StatusCodes.Status500InternalServerError)]
    [InlineData(StatusCodes.Status503ServiceUnavailable)]
    [InlineData(StatusCodes.Status408RequestTimeout)]
    [InlineData(StatusCodes.Status429TooManyRequests)]
    public async Task AnswersThatMayPassAreTriedAgainAfterTheBackoff(int status)
    {
        await using var harness = await DeliveryHarness.CreateAsync(postgres, smtpPort: null, _url, Secret);
        var queued = await harness.QueueWebhookAsync("admin-alert:test:1:chat", """{"text":"hello"}""");
        _answer = status;

        (await harness.RunAsync()).Retrying.ShouldBe(1);

        var waiting = await harness.ReloadAsync(queued.Id);
        waiting.Status.ShouldBe(DeliveryStatus.Pending);
        waiting.LastError.ShouldNotBeNull().ShouldStartWith($"The webhook answered {status}");
        waiting.NextAttemptAt.ShouldBe(DeliveryHarness.Start + OutgoingMessage.Backoff(1));

        _answer = StatusCodes.Status200OK;
        harness.Clock.Advance(OutgoingMessage.Backoff(1));
        (await harness.RunAsync()).Sent.ShouldBe(1);
        (await harness.ReloadAsync(queued.Id)).Attempts.ShouldBe(2);
        _received.Count.ShouldBe(2);
        _received.Select(r => r.MessageId).Distinct().ShouldHaveSingleItem("both attempts carry the same message id");
    }

    [Theory]
    [InlineData(StatusCodes.Status400BadRequest)]
    [InlineData(StatusCodes.Status401Unauthorized)]
    [InlineData(StatusCodes.Status404NotFound)]
    public async Task OtherClientErrorsFailTheMessageAtOnceWithTheStatus(int status)
    {
        await using var harness = await DeliveryHarness.CreateAsync(postgres, smtpPort: null, _url, Secret);
        var queued = await harness.QueueWebhookAsync("admin-alert:test:2:chat", """{"text":"hello"}""");
        _answer = status;

        (await harness.RunAsync()).Failed.ShouldBe(1);

        var failed = await harness.ReloadAsync(queued.Id);
        failed.Status.ShouldBe(DeliveryStatus.Failed);
        failed.Attempts.ShouldBe(1);
        failed.LastError.ShouldNotBeNull().ShouldStartWith($"The webhook answered {status}");
        harness.Clock.Advance(TimeSpan.FromHours(1));
        (await harness.RunAsync()).Describe().ShouldStartWith("Sent 0, retrying 0, failed 0, rejected 0.");
        _received.Count.ShouldBe(1);
    }

    [Fact]
    public async Task AnUnreachableWebhookLeavesTheMessagePendingWithTheError()
    {
        await _relay.StopAsync(Ct);
        await using var harness = await DeliveryHarness.CreateAsync(postgres, smtpPort: null, _url, Secret);
        var queued = await harness.QueueWebhookAsync("admin-alert:test:3:chat", """{"text":"hello"}""");

        var run = await harness.RunAsync();

        run.Retrying.ShouldBe(1);
        run.Describe().ShouldContain("The webhook could not be reached");
        var waiting = await harness.ReloadAsync(queued.Id);
        waiting.Status.ShouldBe(DeliveryStatus.Pending);
        waiting.LastError.ShouldNotBeNull().ShouldStartWith($"The webhook {_url} could not be reached");
        waiting.NextAttemptAt.ShouldBeGreaterThan(harness.Clock.GetUtcNow());
    }

    [Fact]
    public async Task TestWebhookIsDeliveredAtOnceAndSigned()
    {
        await using var harness = await DeliveryHarness.CreateAsync(postgres, smtpPort: null, _url, Secret);

        var result = await harness.Administration.SendTestWebhookAsync("admin@example.org", Ct);

        result.Delivered.ShouldBeTrue(result.Message?.LastError);
        result.Message.ShouldNotBeNull().Recipient.ShouldBe("chat");
        var received = _received.ShouldHaveSingleItem();
        received.Body.ShouldContain("\"kind\":\"test\"");
        received.Body.ShouldContain("admin@example.org");
        WebhookSignature.Verify(Secret, received.Timestamp, received.Signature, received.Body, harness.Clock.GetUtcNow()).ShouldBeTrue();
    }

    private sealed record Received(string Body, string? ContentType, string Timestamp, string Signature, string MessageId);
}
