using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace Portal.Core.Gateway.PyPi;

/// <summary>
/// Rewrites an upstream PyPI "simple" index page (PEP 503 HTML or PEP 691 JSON) so that every file and project link
/// goes through the gateway, keeping hashes, Requires-Python, yanked and metadata markers as they were.
/// <para>
/// Links are resolved against the page's URL (or its <c>&lt;base href&gt;</c>) and mapped with
/// <see cref="GatewayLinkMap"/>; a link that maps nowhere (another host, another scheme, <c>javascript:</c>, a path
/// that climbs out of the base) is removed with its anchor or its JSON file entry and counted.
/// </para>
/// <para>
/// HTML pages are not edited but written anew from what was parsed: the anchors with their PEP 503/592/658/714
/// attributes, the <c>pypi:*</c> meta tags and the title. The page is served from the portal's origin, so nothing
/// else an upstream put there (scripts, styles, event handlers, forms) may reach a browser.
/// </para>
/// </summary>
public sealed class SimpleIndexRewriter
{
    public const string HtmlContentType = "text/html";
    public const string Pep691HtmlContentType = "application/vnd.pypi.simple.v1+html";
    public const string Pep691JsonContentType = "application/vnd.pypi.simple.v1+json";

    /// <summary>Large enough for the longest pages PyPI serves (projects with tens of thousands of nightly files).</summary>
    public const int DefaultMaxBodyLength = 64 * 1024 * 1024;

    /// <summary>
    /// The anchor attributes pip and other installers read: Requires-Python (PEP 503), yanked (PEP 592), metadata
    /// files (PEP 658 and its PEP 714 rename) and signatures. Any other attribute stays behind, since a URL in it
    /// (PEP 740's data-provenance, say) would be a route past the gateway.
    /// </summary>
    private static readonly string[] KeptAnchorAttributes =
        ["data-requires-python", "data-dist-info-metadata", "data-core-metadata", "data-yanked", "data-gpg-sig"];

    private readonly GatewayLinkMap _links;
    private readonly int _maxBodyLength;

    public SimpleIndexRewriter(GatewayLinkMap links, int maxBodyLength = DefaultMaxBodyLength)
    {
        ArgumentNullException.ThrowIfNull(links);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBodyLength);
        _links = links;
        _maxBodyLength = maxBodyLength;
    }

    public SimpleIndexRewriter(Uri upstreamBase, Uri? filesBase, Uri gatewayBase, int maxBodyLength = DefaultMaxBodyLength)
        : this(new GatewayLinkMap(upstreamBase, filesBase, gatewayBase), maxBodyLength)
    {
    }

    public GatewayLinkMap Links => _links;

    /// <summary>Whether a response of this content type (parameters such as charset allowed) is a simple index page this class rewrites.</summary>
    public static bool IsSimpleIndex(string? contentType) =>
        MediaType(contentType) is HtmlContentType or Pep691HtmlContentType or Pep691JsonContentType;

    /// <summary>
    /// Rewrites <paramref name="body"/>, fetched from <paramref name="pageUrl"/> and sent with
    /// <paramref name="contentType"/>. The result keeps the page's format.
    /// </summary>
    /// <exception cref="SimpleIndexFormatException">
    /// The body is over the size limit, the content type is not a simple index, or JSON does not parse or is not
    /// a PEP 691 page.
    /// </exception>
    public RewrittenSimpleIndex Rewrite(string body, string? contentType, Uri pageUrl)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(pageUrl);
        if (!pageUrl.IsAbsoluteUri)
        {
            throw new ArgumentException($"The page URL '{pageUrl}' must be absolute: relative links are resolved against it.", nameof(pageUrl));
        }

        if (body.Length > _maxBodyLength)
        {
            throw new SimpleIndexFormatException(
                $"The simple index page from {pageUrl} is {body.Length} characters long, over the limit of {_maxBodyLength}.");
        }

        return MediaType(contentType) switch
        {
            HtmlContentType => RewriteHtml(body, pageUrl, HtmlContentType),
            Pep691HtmlContentType => RewriteHtml(body, pageUrl, Pep691HtmlContentType),
            Pep691JsonContentType => RewriteJson(body, pageUrl),
            _ => throw new SimpleIndexFormatException(
                $"The response from {pageUrl} has content type '{contentType}', which is not a simple index page "
                + $"({HtmlContentType}, {Pep691HtmlContentType} or {Pep691JsonContentType})."),
        };
    }

    private RewrittenSimpleIndex RewriteHtml(string body, Uri pageUrl, string mediaType)
    {
        // A real HTML parser rather than a regex over "<a": it decodes character references in attributes, skips
        // comments and script text, and reads unquoted or oddly cased attributes exactly as pip's parser and browsers do.
        using var document = new HtmlParser().ParseDocument(body);
        var baseUrl = BaseUrl(document, pageUrl);
        var kept = 0;
        var dropped = 0;
        var anchors = new StringBuilder();
        foreach (var anchor in document.QuerySelectorAll("a"))
        {
            var href = anchor.GetAttribute("href");
            if (href is null)
            {
                continue; // a named anchor, not a link: nothing to route
            }

            if (GatewayUrl(baseUrl, href) is not { } gatewayUrl)
            {
                dropped++;
                continue;
            }

            kept++;
            anchors.Append("    <a href=\"").Append(Encode(gatewayUrl)).Append('"');
            foreach (var name in KeptAnchorAttributes)
            {
                if (anchor.GetAttribute(name) is { } value)
                {
                    anchors.Append(' ').Append(name).Append("=\"").Append(Encode(value)).Append('"');
                }
            }

            anchors.Append('>').Append(Encode(anchor.TextContent)).Append("</a><br />\n");
        }

        var page = new StringBuilder(anchors.Length + 512);
        page.Append("<!DOCTYPE html>\n<html>\n  <head>\n");
        foreach (var meta in document.QuerySelectorAll("meta[name]"))
        {
            // pypi:repository-version (PEP 629) tells pip which API version it reads; PEP 792 adds project status.
            var name = meta.GetAttribute("name")!;
            if (name.StartsWith("pypi:", StringComparison.OrdinalIgnoreCase) && meta.GetAttribute("content") is { } content)
            {
                page.Append("    <meta name=\"").Append(Encode(name)).Append("\" content=\"").Append(Encode(content)).Append("\">\n");
            }
        }

        var title = document.Title?.Trim();
        if (!string.IsNullOrEmpty(title))
        {
            page.Append("    <title>").Append(Encode(title)).Append("</title>\n");
        }

        page.Append("  </head>\n  <body>\n");
        if (!string.IsNullOrEmpty(title))
        {
            page.Append("    <h1>").Append(Encode(title)).Append("</h1>\n");
        }

        page.Append(anchors).Append("  </body>\n</html>\n");
        var servedType = mediaType == HtmlContentType ? "text/html; charset=utf-8" : mediaType;
        return new RewrittenSimpleIndex(page.ToString(), servedType, kept, dropped);
    }

    private RewrittenSimpleIndex RewriteJson(string body, Uri pageUrl)
    {
        JsonObject page;
        try
        {
            // Duplicate member names refused while parsing: clients disagree on which one wins, so a page with them
            // could mean one thing to this rewriter and another to pip.
            page = JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }) as JsonObject
                ?? throw new SimpleIndexFormatException($"The PEP 691 page from {pageUrl} is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new SimpleIndexFormatException($"The PEP 691 page from {pageUrl} is not valid JSON: {e.Message}", e);
        }

        // The project list (the root page) has names only: clients build project URLs from the index URL themselves.
        if (!page.TryGetPropertyValue("files", out var filesNode) || filesNode is null)
        {
            return new RewrittenSimpleIndex(page.ToJsonString(), Pep691JsonContentType, 0, 0);
        }

        if (filesNode is not JsonArray files)
        {
            throw new SimpleIndexFormatException($"The PEP 691 page from {pageUrl} has \"files\" that is not an array.");
        }

        var kept = 0;
        var dropped = 0;
        for (var i = files.Count - 1; i >= 0; i--)
        {
            // An entry with no usable url is dropped like a foreign one: there is nothing the gateway could serve.
            if (files[i] is JsonObject file
                && file["url"] is JsonValue urlValue && urlValue.TryGetValue<string>(out var url)
                && GatewayUrl(pageUrl, url) is { } gatewayUrl)
            {
                file["url"] = gatewayUrl;
                kept++;
            }
            else
            {
                files.RemoveAt(i);
                dropped++;
            }
        }

        return new RewrittenSimpleIndex(page.ToJsonString(), Pep691JsonContentType, kept, dropped);
    }

    private string? GatewayUrl(Uri baseUrl, string href)
    {
        // Browsers and pip both ignore surrounding whitespace in a URL attribute.
        var trimmed = href.Trim();
        return Uri.TryCreate(baseUrl, trimmed, out var resolved) ? _links.ToGateway(resolved) : null;
    }

    /// <summary>The first &lt;base href&gt; as pip reads it (resolved against the page URL), else the page URL.</summary>
    private static Uri BaseUrl(IDocument document, Uri pageUrl) =>
        document.QuerySelector("base[href]")?.GetAttribute("href") is { } href
        && Uri.TryCreate(pageUrl, href.Trim(), out var resolved)
            ? resolved
            : pageUrl;

    private static string? MediaType(string? contentType)
    {
        if (contentType is null)
        {
            return null;
        }

        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        return (semicolon < 0 ? contentType : contentType[..semicolon]).Trim().ToLowerInvariant();
    }

    /// <summary>Encoded for both text and double-quoted attribute values: &amp;, &lt;, &gt;, " and '.</summary>
    private static string Encode(string value) => WebUtility.HtmlEncode(value);
}
