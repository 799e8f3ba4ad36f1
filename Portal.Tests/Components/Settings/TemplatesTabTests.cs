using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Components.Pages.Settings;
using Portal.Core.Auditing;
using Portal.Core.Notifications;
using Portal.Features.Notifications;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Components.Settings;

/// <summary>Settings → Templates: a live preview against sample data, errors with their position, no save while broken, audited saves.</summary>
public sealed class TemplatesTabTests(PostgresServer postgres) : SettingsComponentContext(postgres)
{
    private const string Admin = "admin@example.org";

    private IRenderedComponent<TemplatesTab> RenderTemplates()
    {
        Services.AddSingleton(Options.Create(new NotificationOptions { PortalUrl = "https://images.example.com" }));
        Services.AddSingleton<NotificationTemplates>();
        var tab = RenderTab<TemplatesTab>(p => p.Add(t => t.Actor, Admin));
        tab.WaitForAssertion(() => tab.FindAll("[data-testid=template-preview-subject]").Count.ShouldBe(1));
        return tab;
    }

    private static string PreviewSubject(IRenderedComponent<TemplatesTab> tab) => tab.Find("[data-testid=template-preview-subject]").TextContent.Trim();

    [Fact]
    public async Task ThePreviewFollowsTheEditAndABrokenTemplateShowsWhereAndCannotBeSaved()
    {
        var tab = RenderTemplates();
        PreviewSubject(tab).ShouldBe("A pod in your namespaces was refused by admission control; 2 of your workloads run images with an end-of-life date (earliest 2026-11-30)");
        tab.Find("[data-testid=template-preview-html]").GetAttribute("srcdoc")!.ShouldContain("alice/alice-notebook");
        tab.Find("[data-testid=template-preview-html]").GetAttribute("sandbox").ShouldBe("");
        tab.Find("[data-testid=template-preview-text]").TextContent.ShouldContain("Recommended replacement: aaw/jupyterlab-cpu:v3@sha256:9f8e7d6c5b4a");
        tab.Find("[data-testid=template-save]").HasAttribute("disabled").ShouldBeTrue("nothing changed yet");

        tab.Find("[data-testid=template-subject]").Input("Images reaching EOL for {{ owner | upcase }}");

        tab.WaitForAssertion(() => PreviewSubject(tab).ShouldBe("Images reaching EOL for ALICE@EXAMPLE.ORG"));
        tab.Find("[data-testid=template-save]").HasAttribute("disabled").ShouldBeFalse();

        tab.Find("[data-testid=template-html]").Input("<p>Hello {{ owner }}</p>\n<ul>{% for w in workloads %}<li>{{ w.display }}</li>\n");

        tab.WaitForAssertion(() => tab.FindAll("[data-testid=template-error]").Select(e => e.TextContent.Trim())
            .ShouldBe(["HTML body: '{% for %}' is not closed with '{% endfor %}' (line 2, position 5)"]));
        tab.FindAll("[data-testid=template-preview-subject]").ShouldBeEmpty();
        tab.Find("[data-testid=template-save]").HasAttribute("disabled").ShouldBeTrue();
        await using (var db = Database.CreateDbContext())
        {
            (await db.NotificationTemplates.AnyAsync(Ct)).ShouldBeFalse();
        }

        tab.Find("[data-testid=template-html]").Input("<p>Hello {{ owner }}</p>\n<ul>{% for w in workloads %}<li>{{ w.display }}</li>{% endfor %}</ul>");
        tab.WaitForAssertion(() => tab.FindAll("[data-testid=template-error]").ShouldBeEmpty());
        tab.Find("[data-testid=template-preview-html]").GetAttribute("srcdoc")
            .ShouldBe("<p>Hello alice@example.org</p>\n<ul><li>alice/alice-notebook</li><li>team-shared/shared-notebook</li></ul>");
        tab.Find("[data-testid=template-save]").Click();

        tab.WaitForAssertion(() => tab.Find("[data-testid=template-version]").TextContent.ShouldContain($"Version 1, saved 2026-11-22 12:00 UTC by {Admin}"));
        tab.Find("[data-testid=template-history]").TextContent.ShouldContain(Admin);
        await using var after = Database.CreateDbContext();
        var saved = await after.NotificationTemplates.SingleAsync(Ct);
        (saved.Kind, saved.Version, saved.Subject, saved.SavedBy).ShouldBe(
            (NotificationKind.OwnerDigest, 1, "Images reaching EOL for {{ owner | upcase }}", Admin));
        var audit = await after.AuditEntries.SingleAsync(e => e.Action == AuditActions.TemplateChanged, Ct);
        (audit.Actor, audit.Subject).ShouldBe((Admin, "template OwnerDigest version 1"));
    }

    [Fact]
    public async Task EachKindHasItsOwnTemplateAndResetGoesBackToTheDefaultAsANewVersion()
    {
        var tab = RenderTemplates();

        tab.Find("[data-testid=template-kind-AdminAlert]").Click();
        tab.WaitForAssertion(() => PreviewSubject(tab).ShouldBe("Image governance alert: Migration path revoked: aaw/jupyterlab-cpu:v3 turned vulnerable"));
        tab.Find("[data-testid=template-reset]").HasAttribute("disabled").ShouldBeTrue("the default is what is shown");
        tab.Find("[data-testid=template-subject]").Input("ALERT: {{ title }}");
        tab.WaitForAssertion(() => PreviewSubject(tab).ShouldStartWith("ALERT: Migration path revoked"));
        tab.Find("[data-testid=template-save]").Click();
        tab.WaitForAssertion(() => tab.Find("[data-testid=template-version]").TextContent.ShouldContain("Version 1"));

        tab.Find("[data-testid=template-reset]").Click();

        tab.WaitForAssertion(() => tab.Find("[data-testid=template-version]").TextContent.ShouldContain("Version 2 (the default)"));
        PreviewSubject(tab).ShouldStartWith("Image governance alert:");
        await using var db = Database.CreateDbContext();
        (await db.AuditEntries.Where(e => e.Action == AuditActions.TemplateChanged).OrderBy(e => e.Id).Select(e => e.Subject).ToListAsync(Ct))
            .ShouldBe(["template AdminAlert version 1", "template AdminAlert version 2 (reset to default)"]);
    }
}
