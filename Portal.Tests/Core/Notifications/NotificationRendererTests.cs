using Portal.Core.Notifications;

namespace Portal.Tests.Core.Notifications;

public sealed class NotificationRendererTests
{
    [Theory]
    [InlineData(NotificationKind.OwnerDigest)]
    [InlineData(NotificationKind.AdminSummary)]
    [InlineData(NotificationKind.AdminAlert)]
    public void EveryDefaultTemplateParsesAndRendersTheSampleData(NotificationKind kind)
    {
        var content = NotificationTemplateDefaults.For(kind);

        NotificationRenderer.Validate(content).ShouldBeEmpty();
        var (rendered, errors) = NotificationRenderer.TryRender(content, NotificationSamples.For(kind, "https://images.example.com/"));

        errors.ShouldBeEmpty();
        rendered!.Subject.ShouldNotBeNullOrWhiteSpace();
        rendered.Subject.ShouldNotContain("\n");
        rendered.Html.ShouldContain("<html");
        rendered.Text.ShouldNotContain("<");
    }

    [Fact]
    public void TheSampleDigestShowsBothWorkloadsTheirFindingsEolAndReplacement()
    {
        var rendered = NotificationRenderer.Render(NotificationTemplateDefaults.For(NotificationKind.OwnerDigest),
            NotificationSamples.For(NotificationKind.OwnerDigest, "https://images.example.com"));

        rendered.Subject.ShouldBe("A pod in your namespaces was refused by admission control; "
            + "2 of your workloads run images with an end-of-life date (earliest 2026-11-30)");
        rendered.Html.ShouldContain("These workloads of yours run images that reach their end of life.");
        rendered.Html.ShouldContain("alice/alice-notebook");
        rendered.Html.ShouldContain("team-shared/shared-notebook");
        rendered.Html.ShouldContain("<code>aaw/jupyterlab-cpu:v3@sha256:9f8e7d6c5b4a</code>");
        rendered.Html.ShouldContain("No approved replacement yet.");
        rendered.Html.ShouldContain("<td style=\"padding: 2px 8px;\">CVE-2026-0001</td>");
        rendered.Html.ShouldContain("href=\"https://images.example.com/my-workloads\"");
        rendered.Text.ShouldContain("""
            alice/alice-notebook (Notebook in prod)
              Image: aaw/jupyterlab-cpu:v1@sha256:1a2b3c4d5e6f
              End of life: 2026-12-07 (14 days left)
            """.ReplaceLineEndings("\n"));
        rendered.Text.ShouldContain("  - CVE-2026-1234 (High) in libxml2 2.9.14, fixed in no fix yet\n");
    }

    [Fact]
    public void ADigestWithWorkloadsAndNoRefusalsHasNoRefusalSection()
    {
        var sample = NotificationSamples.OwnerDigest("https://images.example.com") with { Refused = [], RefusedMore = 0 };

        var rendered = NotificationRenderer.Render(NotificationTemplateDefaults.For(NotificationKind.OwnerDigest), sample.ToLiquid());

        rendered.Subject.ShouldBe("2 of your workloads run images with an end-of-life date (earliest 2026-11-30)");
        rendered.Html.ShouldNotContain("refused", Case.Insensitive);
        rendered.Text.ShouldNotContain("refused", Case.Insensitive);
        rendered.Text.ShouldStartWith("Hello alice@example.org,\n\nThese workloads of yours run images that reach their end of life.");
    }

    [Fact]
    public void ADigestOfRefusalsAloneListsThemWithHowManyMoreAndNoWorkloadSection()
    {
        var sample = NotificationSamples.OwnerDigest("https://images.example.com") with
        {
            Workloads = [],
            Refused =
            [
                new DigestRefusal("alice", "Deployment web", "registry.example.org/web:1.0", "Image registry.example.org/web:1.0 is refused: expired on 2026-11-01.",
                    "2026-11-23 06:12 UTC"),
                new DigestRefusal("alice", "Pod debug", "<b>busybox</b>", "Image busybox is refused: the portal does not know it.", "2026-11-22 21:40 UTC"),
            ],
            RefusedMore = 3,
        };

        var rendered = NotificationRenderer.Render(NotificationTemplateDefaults.For(NotificationKind.OwnerDigest), sample.ToLiquid());

        rendered.Subject.ShouldBe("5 pods in your namespaces were refused by admission control");
        rendered.Html.ShouldContain("Pods refused by admission control</h2>");
        rendered.Html.ShouldContain("alice/Deployment web</td>");
        rendered.Html.ShouldContain("<code>&lt;b&gt;busybox&lt;/b&gt;</code>");
        rendered.Html.ShouldContain("<p>And 3 more.</p>");
        rendered.Html.ShouldNotContain("These workloads of yours");
        rendered.Html.ShouldNotContain("end of life");
        rendered.Text.ShouldContain("""
            alice/Deployment web, 2026-11-23 06:12 UTC
              Image: registry.example.org/web:1.0
              Why: Image registry.example.org/web:1.0 is refused: expired on 2026-11-01.

            alice/Pod debug, 2026-11-22 21:40 UTC
            """.ReplaceLineEndings("\n"));
        rendered.Text.ShouldStartWith("Hello alice@example.org,\n\nPods refused by admission control\n\n");
        rendered.Text.ShouldContain("And 3 more.\n\nOpen My workloads: https://images.example.com/my-workloads");
        rendered.Text.ShouldNotContain("These workloads of yours");
    }

    [Fact]
    public void AMaliciousRepositoryNameIsEncodedInHtmlAndKeptOffTheSubjectLine()
    {
        var sample = NotificationSamples.OwnerDigest("https://images.example.com");
        var evil = sample with
        {
            Workloads = [sample.Workloads[0] with { Name = "nb\r\nBcc: x@evil.example", Image = "<script>alert(1)</script>:v1@sha256:1a2b" }],
            Refused = [],
        };

        var rendered = NotificationRenderer.Render(NotificationTemplateDefaults.For(NotificationKind.OwnerDigest), evil.ToLiquid());

        rendered.Html.ShouldNotContain("<script>");
        rendered.Html.ShouldContain("&lt;script&gt;alert(1)&lt;/script&gt;:v1@sha256:1a2b");
        rendered.Subject.ShouldBe("Your workload alice/nb Bcc: x@evil.example runs an image with an end-of-life date (earliest 2026-12-07)");
    }

    [Fact]
    public void ParseErrorsNameThePartLineAndPosition()
    {
        var content = new TemplateContent("Hi {{ owner", "<p>\n{% for w in workloads %}</p>", "fine");

        var errors = NotificationRenderer.Validate(content);

        errors.Select(e => e.ToString()).ShouldBe([
            "Subject: '{{' is not closed with '}}' (line 1, position 4)",
            "HTML body: '{% for %}' is not closed with '{% endfor %}' (line 2, position 1)",
        ]);
    }

    [Fact]
    public void ARenderErrorAgainstTheSampleNamesThePart()
    {
        var content = NotificationTemplateDefaults.For(NotificationKind.AdminAlert) with { Text = "{{ title }}\n{{ secret_token }}" };

        var (rendered, errors) = NotificationRenderer.TryRender(content, NotificationSamples.For(NotificationKind.AdminAlert, "http://x"));

        rendered.ShouldBeNull();
        errors.Single().ToString().ShouldBe("Text body: Unknown name 'secret_token' (line 2, position 4)");
    }
}
