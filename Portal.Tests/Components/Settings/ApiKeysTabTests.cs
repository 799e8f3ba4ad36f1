using AngleSharp.Dom;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Components.Pages.Settings;
using Portal.Core.ApiKeys;
using Portal.Core.Auditing;
using Portal.Features.ApiKeys;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Components.Settings;

/// <summary>Settings → API keys: admins create, scope and revoke keys; a new key is shown once, then only its prefix.</summary>
public sealed class ApiKeysTabTests(PostgresServer postgres) : SettingsComponentContext(postgres)
{
    private const string Admin = "admin@example.org";

    [Fact]
    public async Task CreatingAKeyShowsItOnceThenOnlyItsPrefix()
    {
        var tab = RenderTab<ApiKeysTab>(p => p.Add(t => t.Actor, Admin));

        tab.Find("[data-testid=api-key-name-input]").Change("trivy pipeline");
        tab.Find("[data-testid=api-key-scope-scan-reports-write]").Change(true);
        tab.Find("[data-testid=api-key-create]").Click();

        tab.WaitForAssertion(() => tab.Find("[data-testid=new-api-key]").TextContent.ShouldContain("will not be shown again"));
        var plain = tab.Find("[data-testid=new-api-key-value]").TextContent;
        plain.ShouldStartWith(ApiKey.KeyPrefix);
        plain.Length.ShouldBeGreaterThan(40);
        var row = tab.Find("[data-testid=api-keys-table] tbody tr");
        row.QuerySelector("[data-testid=api-key-name]")!.TextContent.ShouldBe("trivy pipeline");
        row.QuerySelector("[data-testid=api-key-prefix]")!.TextContent.ShouldBe(plain[..ApiKey.VisiblePrefixLength] + "…");
        row.QuerySelectorAll("[data-testid=api-key-scope]").Select(c => c.TextContent.Trim()).ShouldBe([ApiKeyScopes.ScanReportsWrite]);
        Text(row, "api-key-status").ShouldBe("Active");
        row.TextContent.ShouldContain($"2026-11-22 12:00 UTC by {Admin}");
        tab.Find("[data-testid=api-key-name-input]").GetAttribute("value").ShouldBeNullOrEmpty("the form is cleared for the next key");

        tab.Find("[data-testid=new-api-key-dismiss]").Click();

        tab.FindAll("[data-testid=new-api-key]").ShouldBeEmpty();
        tab.Markup.ShouldNotContain(plain);
        tab.Markup.ShouldContain(plain[..ApiKey.VisiblePrefixLength]);

        // Coming back to the tab (a new component, as after leaving the page) shows the key only by its prefix.
        var again = RenderTab<ApiKeysTab>(p => p.Add(t => t.Actor, Admin));
        again.WaitForAssertion(() => again.FindAll("[data-testid=api-keys-table] tbody tr").Count.ShouldBe(1));
        again.Markup.ShouldNotContain(plain);
        again.FindAll("[data-testid=new-api-key]").ShouldBeEmpty();

        // The key works for its scope: what was shown is the real key, and only its hash was stored.
        var keys = Services.GetRequiredService<ApiKeyManagement>();
        (await keys.CheckAsync(plain, ApiKeyScopes.ScanReportsWrite, Ct)).Check.ShouldBe(ApiKeyCheck.Accepted);
        await using var db = Database.CreateDbContext();
        (await db.ApiKeys.SingleAsync(Ct)).Hash.ShouldNotContain(plain[ApiKey.VisiblePrefixLength..]);
    }

    [Fact]
    public async Task ShowsWhatIsWrongWhenTheNameOrScopesAreMissing()
    {
        var tab = RenderTab<ApiKeysTab>(p => p.Add(t => t.Actor, Admin));

        tab.Find("[data-testid=api-key-create]").Click();

        tab.WaitForAssertion(() => tab.FindAll("[data-testid=api-key-error]").Select(e => e.TextContent.Trim()).ShouldBe(
            ["A name is required, so the key can be recognised later.", "Choose at least one scope."]));
        tab.FindAll("[data-testid=new-api-key]").ShouldBeEmpty();
        tab.Find("[data-testid=api-keys-table]").TextContent.ShouldContain("No API keys yet.");
        await using var db = Database.CreateDbContext();
        (await db.ApiKeys.CountAsync(Ct)).ShouldBe(0);

        // Fixing the form clears the errors.
        tab.Find("[data-testid=api-key-name-input]").Change("gateway reader");
        tab.Find("[data-testid=api-key-scope-gateway-read]").Change(true);
        tab.Find("[data-testid=api-key-create]").Click();
        tab.WaitForAssertion(() => tab.FindAll("[data-testid=new-api-key]").Count.ShouldBe(1));
        tab.FindAll("[data-testid=api-key-error]").ShouldBeEmpty();
    }

    [Fact]
    public async Task RevokingAfterConfirmationMarksTheKeyRevokedAndAuditsIt()
    {
        var keys = Services.GetRequiredService<ApiKeyManagement>();
        var created = await keys.CreateAsync("old pipeline", [ApiKeyScopes.ScanReportsWrite], null, Admin, Ct);
        var tab = RenderTab<ApiKeysTab>(p => p.Add(t => t.Actor, Admin));
        tab.WaitForAssertion(() => Text(tab.Find("[data-testid=api-keys-table] tbody tr"), "api-key-status").ShouldBe("Active"));

        // The click's handler waits for the confirmation, so its task completes only after the dialog is answered.
        var revoking = tab.Find($"[data-testid=revoke-{created.Key!.Id}]").ClickAsync(new());
        DialogHost.WaitForAssertion(() => DialogHost.Markup.ShouldContain("Revoke API key?"));
        DialogHost.Markup.ShouldContain("old pipeline");
        DialogHost.FindAll("button").Single(b => b.TextContent.Trim() == "Revoke").Click();
        await revoking;

        tab.WaitForAssertion(() => Text(tab.Find("[data-testid=api-keys-table] tbody tr"), "api-key-status").ShouldBe("Revoked"));
        tab.FindAll($"[data-testid=revoke-{created.Key.Id}]").ShouldBeEmpty("a revoked key cannot be revoked again");
        (await keys.CheckAsync(created.PlainKey, ApiKeyScopes.ScanReportsWrite, Ct)).Check.ShouldBe(ApiKeyCheck.Invalid);
        await using var db = Database.CreateDbContext();
        var entry = await db.AuditEntries.SingleAsync(e => e.Action == AuditActions.ApiKeyRevoked, Ct);
        entry.Actor.ShouldBe(Admin);
        entry.Subject.ShouldBe("old pipeline");
        entry.After.ShouldBe("revoked");
    }

    [Fact]
    public async Task CancellingTheConfirmationLeavesTheKeyActive()
    {
        var keys = Services.GetRequiredService<ApiKeyManagement>();
        var created = await keys.CreateAsync("kept", [ApiKeyScopes.GatewayUpload], null, Admin, Ct);
        var tab = RenderTab<ApiKeysTab>(p => p.Add(t => t.Actor, Admin));
        tab.WaitForAssertion(() => tab.FindAll($"[data-testid=revoke-{created.Key!.Id}]").Count.ShouldBe(1));

        var revoking = tab.Find($"[data-testid=revoke-{created.Key!.Id}]").ClickAsync(new());
        DialogHost.WaitForAssertion(() => DialogHost.FindAll("button").Any(b => b.TextContent.Trim() == "Cancel").ShouldBeTrue());
        DialogHost.FindAll("button").Single(b => b.TextContent.Trim() == "Cancel").Click();
        await revoking;

        tab.WaitForAssertion(() => DialogHost.Markup.ShouldNotContain("Revoke API key?"));
        Text(tab.Find("[data-testid=api-keys-table] tbody tr"), "api-key-status").ShouldBe("Active");
        (await keys.CheckAsync(created.PlainKey, ApiKeyScopes.GatewayUpload, Ct)).Check.ShouldBe(ApiKeyCheck.Accepted);
    }

    [Fact]
    public async Task AKeyPastItsExpiryIsShownAsExpired()
    {
        var keys = Services.GetRequiredService<ApiKeyManagement>();
        await keys.CreateAsync("short-lived", [ApiKeyScopes.GatewayRead], Now.AddDays(1), Admin, Ct);
        Clock.Advance(TimeSpan.FromDays(2));

        var tab = RenderTab<ApiKeysTab>(p => p.Add(t => t.Actor, Admin));

        tab.WaitForAssertion(() => Text(tab.Find("[data-testid=api-keys-table] tbody tr"), "api-key-status").ShouldBe("Expired"));
        tab.Find("[data-testid=api-keys-table] tbody tr").TextContent.ShouldContain("2026-11-23 12:00 UTC");
    }

    private static string Text(IElement row, string testId) => row.QuerySelector($"[data-testid={testId}]")!.TextContent.Trim();
}
