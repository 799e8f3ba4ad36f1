using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Notifications;
using Portal.Data;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Integration.Notifications;

/// <summary>The delivery log over HTTP: admins filter every message, each person reads only their own emails, bad filters are problem+json.</summary>
public sealed class NotificationApiTests(PortalAppFactory factory) : PortalAppTest(factory), IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        using var scope = Factory.Services.CreateScope();
        var contexts = scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using var db = await contexts.CreateDbContextAsync(Ct);
        if (await db.OutgoingMessages.AnyAsync(m => m.Key.StartsWith("api-test:"), Ct))
        {
            return;
        }

        var now = new DateTimeOffset(2026, 11, 23, 7, 0, 0, TimeSpan.Zero);
        var sent = Queue("api-test:alice:1", NotificationChannel.Email, "alice@example.org", "For Alice", now);
        sent.Delivered(now);
        var failed = Queue("api-test:hook:1", NotificationChannel.Webhook, "chat", "Alert", now.AddMinutes(1));
        failed.GaveUp("The webhook answered 404 Not Found.", now.AddMinutes(1));
        db.OutgoingMessages.AddRange(sent, failed, Queue("api-test:bob:1", NotificationChannel.Email, "bob@example.org", "For Bob", now.AddMinutes(2)),
            Queue("api-test:eve:1", NotificationChannel.Email, "eve@example.org", "=HYPERLINK(\"https://evil.example\")", now.AddMinutes(3)));
        await db.SaveChangesAsync(Ct);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task AdminsFilterTheLogByStatusAndRecipient()
    {
        var failed = await GetPageAsync("/api/v1/notifications?status=failed", TestUser.Admin);
        failed.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("key").GetString()).ShouldBe(["api-test:hook:1"]);
        failed.GetProperty("items")[0].GetProperty("lastError").GetString().ShouldBe("The webhook answered 404 Not Found.");
        failed.GetProperty("items")[0].GetProperty("status").GetString().ShouldBe("Failed");

        var bob = await GetPageAsync("/api/v1/notifications?recipient=BOB", TestUser.Admin);
        bob.GetProperty("totalCount").GetInt32().ShouldBe(1);
        bob.GetProperty("items")[0].GetProperty("subject").GetString().ShouldBe("For Bob");
    }

    [Fact]
    public async Task EachPersonReadsOnlyTheirOwnEmails()
    {
        var mine = await GetPageAsync("/api/v1/me/notifications", TestUser.NotebookUser);

        mine.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("subject").GetString()).ShouldBe(["For Alice"]);
        var id = mine.GetProperty("items")[0].GetProperty("id").GetInt64();
        using var own = await SendAsync("GET", $"/api/v1/me/notifications/{id}", TestUser.NotebookUser);
        own.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await own.Content.ReadAsStringAsync(Ct)).ShouldContain("<p>For Alice</p>");

        var bobs = (await GetPageAsync("/api/v1/notifications?recipient=bob@example.org", TestUser.Admin)).GetProperty("items")[0].GetProperty("id").GetInt64();
        using var other = await SendAsync("GET", $"/api/v1/me/notifications/{bobs}", TestUser.NotebookUser);
        other.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        other.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task AdminsExportTheFilteredLogAsCsvThatNoSpreadsheetRuns()
    {
        using var failed = await SendAsync("GET", "/api/v1/notifications/export?status=failed", TestUser.Admin);
        using var eve = await SendAsync("GET", "/api/v1/notifications/export?recipient=eve", TestUser.Admin);
        using var byUser = await SendAsync("GET", "/api/v1/notifications/export", TestUser.Approver);

        failed.StatusCode.ShouldBe(HttpStatusCode.OK);
        failed.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        failed.Content.Headers.ContentDisposition!.FileName!.ShouldStartWith("delivery-log-");
        var lines = (await failed.Content.ReadAsStringAsync(Ct)).TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        lines.ShouldBe([
            "Created,Kind,Channel,Recipient,Subject,Status,Attempts,NextAttempt,Sent,LastError",
            "2026-11-23T07:01:00.0000000+00:00,OwnerDigest,Webhook,chat,Alert,Failed,1,,,The webhook answered 404 Not Found.",
        ]);
        (await eve.Content.ReadAsStringAsync(Ct)).ShouldContain("'=HYPERLINK(");
        byUser.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData("/api/v1/notifications/export?kind=Postcard", "kind", "'Postcard' is not a kind. Use one of: OwnerDigest, AdminSummary, AdminAlert, Test.")]
    [InlineData("/api/v1/notifications?status=Lost", "status", "'Lost' is not a status. Use one of: Pending, Sent, Failed, Rejected.")]
    [InlineData("/api/v1/notifications?status=2", "status", "'2' is not a status. Use one of: Pending, Sent, Failed, Rejected.")]
    [InlineData("/api/v1/notifications?channel=sms", "channel", "'sms' is not a channel. Use one of: Email, Webhook.")]
    [InlineData("/api/v1/notifications?take=0", "take", "take must be between 1 and 500.")]
    [InlineData("/api/v1/me/notifications?skip=-1", "skip", "skip must be zero or more.")]
    public async Task BadFiltersAreProblemsNamingTheField(string path, string field, string error)
    {
        using var response = await SendAsync("GET", path, TestUser.Admin);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        problem.GetProperty("errors").GetProperty(field)[0].GetString().ShouldBe(error);
    }

    private async Task<JsonElement> GetPageAsync(string path, TestUser user)
    {
        using var response = await SendAsync("GET", path, user);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    private static OutgoingMessage Queue(string key, NotificationChannel channel, string recipient, string subject, DateTimeOffset at) =>
        OutgoingMessage.Queue(key, NotificationKind.OwnerDigest, channel, recipient, subject, $"<p>{subject}</p>", subject, at);
}
