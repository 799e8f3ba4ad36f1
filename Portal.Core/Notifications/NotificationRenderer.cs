using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Portal.Core.Notifications.Liquid;

namespace Portal.Core.Notifications;

/// <summary>The three parts of a template, as people name them in the editor.</summary>
public enum TemplatePart
{
    Subject,
    Html,
    Text,
}

/// <summary>What is wrong with one part of a template, and where.</summary>
public sealed record TemplateError(TemplatePart Part, LiquidError Error)
{
    public override string ToString() => $"{PartName(Part)}: {Error}";

    public static string PartName(TemplatePart part) => part switch
    {
        TemplatePart.Subject => "Subject",
        TemplatePart.Html => "HTML body",
        _ => "Text body",
    };
}

/// <summary>A notification as it will be sent.</summary>
public sealed record RenderedNotification(string Subject, string Html, string Text);

/// <summary>A template failed to render: which part, and where.</summary>
public sealed class NotificationTemplateException(TemplateError error) : Exception(error.ToString())
{
    public TemplateError Error { get; } = error;
}

/// <summary>
/// Parses and renders notification templates: the HTML body with every value HTML-encoded, the subject and the text
/// body as they are (the subject on one line). Parsed templates are kept by their text, since the same few render for
/// every owner of a digest run.
/// </summary>
public static partial class NotificationRenderer
{
    private const int MaxCached = 64;
    private static readonly ConcurrentDictionary<string, LiquidTemplate> Parsed = new(StringComparer.Ordinal);

    /// <summary>The parse errors of each part (empty when the template is valid).</summary>
    public static IReadOnlyList<TemplateError> Validate(TemplateContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var errors = new List<TemplateError>();
        foreach (var (part, text) in Parts(content))
        {
            if (LiquidTemplate.TryParse(text, out var error) is null)
            {
                errors.Add(new TemplateError(part, error!));
            }
        }

        return errors;
    }

    /// <summary>Renders all three parts; throws <see cref="NotificationTemplateException"/> naming the part that failed.</summary>
    public static RenderedNotification Render(TemplateContent content, IReadOnlyDictionary<string, object?> model)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(model);
        var subject = RenderPart(TemplatePart.Subject, content.Subject, model, LiquidOutput.Text);
        var html = RenderPart(TemplatePart.Html, content.Html, model, LiquidOutput.Html);
        var text = RenderPart(TemplatePart.Text, content.Text, model, LiquidOutput.Text);
        return new RenderedNotification(OneLine(subject), html, text.Trim() + "\n");
    }

    /// <summary>Renders, or says what is wrong: parse errors of every part first, else the first render error.</summary>
    public static (RenderedNotification? Rendered, IReadOnlyList<TemplateError> Errors) TryRender(TemplateContent content, IReadOnlyDictionary<string, object?> model)
    {
        var errors = Validate(content);
        if (errors.Count > 0)
        {
            return (null, errors);
        }

        try
        {
            return (Render(content, model), []);
        }
        catch (NotificationTemplateException ex)
        {
            return (null, [ex.Error]);
        }
    }

    private static string RenderPart(TemplatePart part, string text, IReadOnlyDictionary<string, object?> model, LiquidOutput output)
    {
        if (!Parsed.TryGetValue(text, out var template))
        {
            template = LiquidTemplate.TryParse(text, out var error) ?? throw new NotificationTemplateException(new TemplateError(part, error!));
            if (Parsed.Count >= MaxCached)
            {
                Parsed.Clear();
            }

            Parsed[text] = template;
        }

        try
        {
            return template.Render(model, output);
        }
        catch (LiquidException ex)
        {
            throw new NotificationTemplateException(new TemplateError(part, ex.Error));
        }
    }

    private static IEnumerable<(TemplatePart, string)> Parts(TemplateContent content) =>
        [(TemplatePart.Subject, content.Subject), (TemplatePart.Html, content.Html), (TemplatePart.Text, content.Text)];

    // A subject is one header line: line breaks a template leaves in it would be folded by mail clients at best.
    private static string OneLine(string subject)
    {
        var line = Whitespace().Replace(subject, " ").Trim();
        return line.Length > OutgoingMessage.MaxSubjectLength ? line[..OutgoingMessage.MaxSubjectLength] : line;
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}

/// <summary>The templates the portal ships (embedded resources), used until an admin saves their own.</summary>
public static class NotificationTemplateDefaults
{
    private static readonly ConcurrentDictionary<NotificationKind, TemplateContent> Loaded = new();

    public static IReadOnlyList<NotificationKind> Kinds { get; } = [NotificationKind.OwnerDigest, NotificationKind.AdminSummary, NotificationKind.AdminAlert];

    public static TemplateContent For(NotificationKind kind)
    {
        if (!NotificationTemplate.IsTemplated(kind))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Only digests, summaries and alerts have templates.");
        }

        return Loaded.GetOrAdd(kind, k => new TemplateContent(Read(k, "subject"), Read(k, "html"), Read(k, "text")));
    }

    private static string Read(NotificationKind kind, string part)
    {
        var name = $"Portal.Core.Notifications.Templates.{kind}.{part}.liquid";
        using var stream = typeof(NotificationTemplateDefaults).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The default template {name} is missing from the build.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().TrimEnd('\n', '\r');
    }
}
