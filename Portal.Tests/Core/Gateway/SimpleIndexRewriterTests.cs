using System.Text.Json.Nodes;
using AngleSharp.Html.Parser;
using Portal.Core.Gateway.PyPi;

namespace Portal.Tests.Core.Gateway;

public sealed class SimpleIndexRewriterTests
{
    private const string Html = SimpleIndexRewriter.HtmlContentType;
    private const string Json = SimpleIndexRewriter.Pep691JsonContentType;
    private const string Gateway = "http://portal:5080/content/pypi/";

    // A local index in the shape Portal.Tests' PackageIndexServer and devpi-like servers have: files on the same host.
    private static readonly SimpleIndexRewriter Local = new(new Uri("http://127.0.0.1:8080/"), null, new Uri(Gateway));
    private static readonly Uri LocalPage = new("http://127.0.0.1:8080/simple/tiny-pkg/");

    // pypi.org: pages on one host, files on another.
    private static readonly SimpleIndexRewriter PyPi = new(
        new Uri("https://pypi.org/"), new Uri("https://files.pythonhosted.org/"), new Uri(Gateway));
    private static readonly Uri RequestsPage = new("https://pypi.org/simple/requests/");

    [Fact]
    public void RelativeHrefsAreResolvedAgainstThePageAndServedFromTheGateway()
    {
        var page = Local.Rewrite("""
            <a href="../../packages/tiny_pkg-1.0.0-py3-none-any.whl">tiny_pkg-1.0.0-py3-none-any.whl</a>
            <a href="tiny-pkg-1.0.0.tar.gz">tiny-pkg-1.0.0.tar.gz</a>
            <a href="/packages/tiny_pkg-0.9.0-py3-none-any.whl">tiny_pkg-0.9.0-py3-none-any.whl</a>
            """, Html, LocalPage);

        Anchors(page.Body).Select(a => a.Href).ShouldBe([
            Gateway + "packages/tiny_pkg-1.0.0-py3-none-any.whl",
            Gateway + "simple/tiny-pkg/tiny-pkg-1.0.0.tar.gz",
            Gateway + "packages/tiny_pkg-0.9.0-py3-none-any.whl",
        ]);
        (page.KeptLinks, page.DroppedLinks).ShouldBe((3, 0));
    }

    [Fact]
    public void AbsoluteHrefsUnderTheUpstreamBaseKeepTheirPathAndHashFragment()
    {
        var page = Local.Rewrite(
            """<a href="http://127.0.0.1:8080/packages/tiny_pkg-1.0.0-py3-none-any.whl?download=1#sha256=0123abcd">w</a>""",
            Html, LocalPage);

        Anchors(page.Body).Single().Href.ShouldBe(Gateway + "packages/tiny_pkg-1.0.0-py3-none-any.whl#sha256=0123abcd");
    }

    [Fact]
    public void LinksToTheFilesHostAreServedUnderPlusFiles()
    {
        var page = PyPi.Rewrite(
            """<a href="https://files.pythonhosted.org/packages/70/8e/0e2d/requests-2.31.0-py3-none-any.whl#sha256=58cd">w</a>""",
            Html, RequestsPage);

        Anchors(page.Body).Single().Href.ShouldBe(Gateway + "+files/packages/70/8e/0e2d/requests-2.31.0-py3-none-any.whl#sha256=58cd");
    }

    [Theory]
    [InlineData("https://evil.example/packages/requests-2.31.0.tar.gz")]
    [InlineData("//evil.example/packages/requests-2.31.0.tar.gz")]
    [InlineData("http://pypi.org/simple/requests/requests-2.31.0.tar.gz")]
    [InlineData("javascript:alert(document.cookie)")]
    [InlineData("JavaScript:alert(1)")]
    [InlineData("data:text/html,<script>alert(1)</script>")]
    [InlineData("mailto:admin@pypi.org")]
    [InlineData("file:///etc/passwd")]
    [InlineData("http://[::1")]
    public void LinksToAnywhereElseAreDroppedWithTheirAnchorAndCounted(string href)
    {
        var page = PyPi.Rewrite(
            $"""
            <a href="{System.Net.WebUtility.HtmlEncode(href)}">elsewhere</a>
            <a href="https://files.pythonhosted.org/packages/requests-2.31.0.tar.gz">requests-2.31.0.tar.gz</a>
            """, Html, RequestsPage);

        Anchors(page.Body).Select(a => a.Text).ShouldBe(["requests-2.31.0.tar.gz"]);
        (page.KeptLinks, page.DroppedLinks).ShouldBe((1, 1));
        page.Body.ShouldNotContain("elsewhere");
    }

    [Fact]
    public void LinksThatClimbOutOfTheUpstreamBaseAreDropped()
    {
        var rewriter = new SimpleIndexRewriter(new Uri("http://127.0.0.1:8080/pypi/"), null, new Uri(Gateway));

        var page = rewriter.Rewrite("""
            <a href="../../../admin/secrets.whl">up and out</a>
            <a href="/pypi/simple/x/%2e%2e/%2e%2e/%2e%2e/admin/y.whl">encoded dots</a>
            <a href="../../packages/x-1.0.tar.gz">x-1.0.tar.gz</a>
            """, Html, new Uri("http://127.0.0.1:8080/pypi/simple/x/"));

        Anchors(page.Body).Select(a => a.Href).ShouldBe([Gateway + "packages/x-1.0.tar.gz"]);
        page.DroppedLinks.ShouldBe(2);
    }

    [Fact]
    public void CharacterReferencesInHrefsAreDecodedBeforeResolvingAndEncodedAgainWhenWritten()
    {
        var page = Local.Rewrite(
            """<a href="/packages/odd&amp;name-1.0.tar.gz#sha256=ab&#99;d">odd&amp;name-1.0.tar.gz</a>""", Html, LocalPage);

        var anchor = Anchors(page.Body).Single();
        anchor.Href.ShouldBe(Gateway + "packages/odd&name-1.0.tar.gz#sha256=abcd");
        anchor.Text.ShouldBe("odd&name-1.0.tar.gz");
        page.Body.ShouldContain("""href="http://portal:5080/content/pypi/packages/odd&amp;name-1.0.tar.gz#sha256=abcd">odd&amp;name-1.0.tar.gz</a>""");
    }

    [Fact]
    public void InstallerAttributesAreKeptWithTheirValuesEncoded()
    {
        var page = Local.Rewrite("""
            <a href="a-1.0-py3-none-any.whl#sha256=aa" data-requires-python="&gt;=3.8,&lt;4" data-dist-info-metadata="sha256=bb"
               data-core-metadata="sha256=bb" data-gpg-sig="false" data-yanked="broken &quot;wheel&quot;">a-1.0-py3-none-any.whl</a>
            <a href="a-0.9-py3-none-any.whl" data-yanked>a-0.9-py3-none-any.whl</a>
            """, Html, LocalPage);

        var anchors = Anchors(page.Body);
        anchors[0].Attributes.ShouldBe(new Dictionary<string, string>
        {
            ["data-requires-python"] = ">=3.8,<4",
            ["data-dist-info-metadata"] = "sha256=bb",
            ["data-core-metadata"] = "sha256=bb",
            ["data-yanked"] = "broken \"wheel\"",
            ["data-gpg-sig"] = "false",
        });
        // Yanked with no reason stays yanked: pip only asks whether the attribute is there.
        anchors[1].Attributes.ShouldBe(new Dictionary<string, string> { ["data-yanked"] = "" });
        page.Body.ShouldContain("""data-requires-python="&gt;=3.8,&lt;4" """.TrimEnd());
        page.Body.ShouldContain("data-yanked=\"broken &quot;wheel&quot;\"");
    }

    [Fact]
    public void NothingButTheLinksTheirMarkersTheTitleAndPypiMetaTagsReachesTheBrowser()
    {
        var page = Local.Rewrite("""
            <html><head>
            <meta name="pypi:repository-version" content="1.1">
            <meta http-equiv="refresh" content="0; url=https://evil.example/">
            <title>Links for tiny-pkg</title>
            <script>fetch('/api/v1/keys')</script>
            <link rel="stylesheet" href="https://evil.example/x.css">
            </head><body onload="steal()">
            <!-- <a href="https://evil.example/commented.whl">commented</a> -->
            <a href="a-1.0.tar.gz" onclick="steal()" style="color:red" data-provenance="https://evil.example/p" rel="internal"><b>a-1.0.tar.gz</b></a>
            <form action="https://evil.example/"><input name="q"></form>
            <img src="https://evil.example/pixel.gif">
            </body></html>
            """, Html, LocalPage);

        page.Body.ShouldNotContain("evil.example");
        page.Body.ShouldNotContain("steal");
        page.Body.ShouldNotContain("<script", Case.Insensitive);
        page.Body.ShouldContain("""<meta name="pypi:repository-version" content="1.1">""");
        page.Body.ShouldContain("<title>Links for tiny-pkg</title>");
        Anchors(page.Body).Single().ShouldSatisfyAllConditions(
            a => a.Text.ShouldBe("a-1.0.tar.gz"),
            a => a.Attributes.ShouldBeEmpty());
        // The commented-out anchor is not a link at all, so it is not counted as dropped either.
        (page.KeptLinks, page.DroppedLinks).ShouldBe((1, 0));
    }

    [Fact]
    public void TheRootPagesProjectLinksGoThroughTheGateway()
    {
        var page = PyPi.Rewrite("""
            <!DOCTYPE html>
            <html>
              <head>
                <meta name="pypi:repository-version" content="1.3">
                <title>Simple index</title>
              </head>
              <body>
                <a href="/simple/0/">0</a>
                <a href="/simple/requests/">requests</a>
                <a href="tiny-pkg/">tiny-pkg</a>
                <a href="https://evil.example/simple/requests/">requests</a>
              </body>
            </html>
            """, Html, new Uri("https://pypi.org/simple/"));

        Anchors(page.Body).Select(a => (a.Href, a.Text)).ShouldBe([
            (Gateway + "simple/0/", "0"),
            (Gateway + "simple/requests/", "requests"),
            (Gateway + "simple/tiny-pkg/", "tiny-pkg"),
        ]);
        page.DroppedLinks.ShouldBe(1);
    }

    [Fact]
    public void ABaseElementIsWhatRelativeHrefsResolveAgainst()
    {
        var page = PyPi.Rewrite("""
            <html><head><base href="https://files.pythonhosted.org/packages/ab/"></head>
            <body><a href="requests-2.31.0.tar.gz">requests-2.31.0.tar.gz</a></body></html>
            """, Html, RequestsPage);

        Anchors(page.Body).Single().Href.ShouldBe(Gateway + "+files/packages/ab/requests-2.31.0.tar.gz");
        page.Body.ShouldNotContain("<base", Case.Insensitive);
    }

    [Fact]
    public void APageShapedAsPypiServesRequestsIsRewrittenWithEveryMarkerIntact()
    {
        var page = PyPi.Rewrite(RequestsPageHtml, "text/html; charset=utf-8", RequestsPage);

        var anchors = Anchors(page.Body);
        anchors.Select(a => a.Text).ShouldBe([
            "requests-0.2.0.tar.gz",
            "requests-2.27.1-py2.py3-none-any.whl",
            "requests-2.31.0-py3-none-any.whl",
            "requests-2.31.0.tar.gz",
            "requests-2.32.0-py3-none-any.whl",
        ]);
        anchors.ShouldAllBe(a => a.Href.StartsWith(Gateway + "+files/packages/", StringComparison.Ordinal));
        anchors[0].Href.ShouldBe(Gateway + "+files/packages/ba/bb/dfa0141a32d773c47e4dede1a617c59a23b74dd302e449cf85413fc96bc4/"
            + "requests-0.2.0.tar.gz#sha256=813202ace4d9301a3c00740c700e012fb9f3f8c73ddcfe02ab558a8df6f175fd");
        anchors[0].Attributes.ShouldBeEmpty();
        anchors[1].Attributes["data-requires-python"].ShouldBe(">=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*, !=3.4.*, !=3.5.*");
        anchors[2].Attributes["data-requires-python"].ShouldBe(">=3.7");
        anchors[2].Attributes["data-dist-info-metadata"].ShouldBe("sha256=c9e3ea5fc3e1f1b5e6b6b7b8b6e2e5d1f5e1b6c7d3f7a9e5c2b1a9f8e7d6c5b4");
        anchors[2].Attributes["data-core-metadata"].ShouldBe("sha256=c9e3ea5fc3e1f1b5e6b6b7b8b6e2e5d1f5e1b6c7d3f7a9e5c2b1a9f8e7d6c5b4");
        anchors[4].Attributes["data-yanked"].ShouldBe("Yanked due to conflicts with CVE-2024-35195 mitigation");
        page.Body.ShouldContain("""data-requires-python="&gt;=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*, !=3.4.*, !=3.5.*">""");
        page.Body.ShouldContain("""<meta name="pypi:repository-version" content="1.3">""");
        page.Body.ShouldContain("<h1>Links for requests</h1>");
        page.ContentType.ShouldBe("text/html; charset=utf-8");
        (page.KeptLinks, page.DroppedLinks).ShouldBe((5, 0));
    }

    [Fact]
    public void ThePep691HtmlTypeIsKeptForTheRewrittenPage()
    {
        var page = Local.Rewrite("""<a href="a-1.0.tar.gz">a</a>""", SimpleIndexRewriter.Pep691HtmlContentType, LocalPage);

        page.ContentType.ShouldBe(SimpleIndexRewriter.Pep691HtmlContentType);
        Anchors(page.Body).Single().Href.ShouldBe(Gateway + "simple/tiny-pkg/a-1.0.tar.gz");
    }

    [Fact]
    public void JsonFileUrlsGoThroughTheGatewayAndEveryOtherMemberIsKept()
    {
        var page = PyPi.Rewrite("""
            {
              "meta": {"api-version": "1.1", "_last-serial": 24279370},
              "name": "requests",
              "versions": ["2.31.0", "2.32.0"],
              "files": [
                {
                  "filename": "requests-2.31.0-py3-none-any.whl",
                  "url": "https://files.pythonhosted.org/packages/70/8e/requests-2.31.0-py3-none-any.whl",
                  "hashes": {"sha256": "58cd2187c01e70e6e26505bca751777aa9f2ee0b7f4300988b709f44e013003f"},
                  "requires-python": ">=3.7",
                  "core-metadata": {"sha256": "aa"},
                  "dist-info-metadata": {"sha256": "aa"},
                  "size": 62574,
                  "upload-time": "2023-05-22T15:12:42.313790Z",
                  "yanked": false,
                  "x-unknown": [1, {"nested": true}]
                },
                {
                  "filename": "requests-2.32.0.tar.gz",
                  "url": "../../packages/requests-2.32.0.tar.gz#sha256=fa",
                  "hashes": {"sha256": "fa"},
                  "yanked": "Yanked due to conflicts with CVE-2024-35195 mitigation"
                },
                {
                  "filename": "evil-1.0.tar.gz",
                  "url": "https://evil.example/evil-1.0.tar.gz",
                  "hashes": {}
                }
              ]
            }
            """, Json, RequestsPage);

        page.ContentType.ShouldBe(Json);
        (page.KeptLinks, page.DroppedLinks).ShouldBe((2, 1));
        var json = JsonNode.Parse(page.Body)!.AsObject();
        json["meta"]!["api-version"]!.GetValue<string>().ShouldBe("1.1");
        json["meta"]!["_last-serial"]!.GetValue<long>().ShouldBe(24279370);
        json["name"]!.GetValue<string>().ShouldBe("requests");
        json["versions"]!.AsArray().Select(v => v!.GetValue<string>()).ShouldBe(["2.31.0", "2.32.0"]);
        var files = json["files"]!.AsArray();
        files.Count.ShouldBe(2);
        files[0]!["url"]!.GetValue<string>().ShouldBe(Gateway + "+files/packages/70/8e/requests-2.31.0-py3-none-any.whl");
        files[1]!["url"]!.GetValue<string>().ShouldBe(Gateway + "packages/requests-2.32.0.tar.gz#sha256=fa");

        // Everything but the url exactly as it came.
        var original = JsonNode.Parse("""
            {"filename": "requests-2.31.0-py3-none-any.whl", "hashes": {"sha256": "58cd2187c01e70e6e26505bca751777aa9f2ee0b7f4300988b709f44e013003f"},
             "requires-python": ">=3.7", "core-metadata": {"sha256": "aa"}, "dist-info-metadata": {"sha256": "aa"}, "size": 62574,
             "upload-time": "2023-05-22T15:12:42.313790Z", "yanked": false, "x-unknown": [1, {"nested": true}]}
            """)!.AsObject();
        var first = files[0]!.AsObject();
        first.Remove("url");
        JsonNode.DeepEquals(first, original).ShouldBeTrue(first.ToJsonString());
        files[1]!["yanked"]!.GetValue<string>().ShouldBe("Yanked due to conflicts with CVE-2024-35195 mitigation");
    }

    [Fact]
    public void JsonFileEntriesWithoutAUsableUrlAreDropped()
    {
        var page = Local.Rewrite("""
            {"meta": {"api-version": "1.0"}, "name": "x", "files": [
              {"filename": "a.tar.gz"}, {"filename": "b.tar.gz", "url": 42}, "c.tar.gz", null,
              {"filename": "d.tar.gz", "url": "d.tar.gz"}]}
            """, Json, LocalPage);

        (page.KeptLinks, page.DroppedLinks).ShouldBe((1, 4));
        JsonNode.Parse(page.Body)!["files"]!.AsArray().Single()!["filename"]!.GetValue<string>().ShouldBe("d.tar.gz");
    }

    [Fact]
    public void TheJsonRootPageIsPassedOnAsItCame()
    {
        const string root = """
            {"meta": {"api-version": "1.1"}, "projects": [{"name": "requests"}, {"name": "tiny-pkg", "x": 1}]}
            """;

        var page = PyPi.Rewrite(root, Json + "; charset=utf-8", new Uri("https://pypi.org/simple/"));

        JsonNode.DeepEquals(JsonNode.Parse(page.Body), JsonNode.Parse(root)).ShouldBeTrue(page.Body);
        (page.KeptLinks, page.DroppedLinks).ShouldBe((0, 0));
    }

    [Theory]
    [InlineData("<html><a href=\"x\">x</a></html>", "not valid JSON")]
    [InlineData("{\"files\": [", "not valid JSON")]
    [InlineData("[{\"url\": \"x\"}]", "not a JSON object")]
    [InlineData("{\"files\": {\"url\": \"x\"}}", "\"files\" that is not an array")]
    [InlineData("{\"name\": \"a\", \"name\": \"b\"}", "not valid JSON")]
    [InlineData("{\"files\": [{\"url\": \"a.whl\", \"url\": \"https://evil.example/a.whl\"}]}", "not valid JSON")]
    public void JsonThatIsNotAPep691PageIsRefused(string body, string reason)
    {
        Should.Throw<SimpleIndexFormatException>(() => Local.Rewrite(body, Json, LocalPage)).Message.ShouldContain(reason);
    }

    [Fact]
    public void BodiesOverTheLimitAreRefused()
    {
        var rewriter = new SimpleIndexRewriter(new Uri("http://127.0.0.1:8080/"), null, new Uri(Gateway), maxBodyLength: 100);

        rewriter.Rewrite(new string(' ', 100), Html, LocalPage).KeptLinks.ShouldBe(0);
        Should.Throw<SimpleIndexFormatException>(() => rewriter.Rewrite(new string(' ', 101), Html, LocalPage))
            .Message.ShouldContain("over the limit of 100");
        Should.Throw<SimpleIndexFormatException>(() => rewriter.Rewrite("{" + new string(' ', 100) + "}", Json, LocalPage));
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/octet-stream")]
    [InlineData("application/vnd.pypi.simple.latest+json")]
    [InlineData(null)]
    public void OtherContentTypesAreRefused(string? contentType)
    {
        SimpleIndexRewriter.IsSimpleIndex(contentType).ShouldBeFalse();
        Should.Throw<SimpleIndexFormatException>(() => Local.Rewrite("{}", contentType, LocalPage))
            .Message.ShouldContain("not a simple index page");
    }

    [Theory]
    [InlineData("text/html")]
    [InlineData("Text/HTML; charset=UTF-8")]
    [InlineData("application/vnd.pypi.simple.v1+html")]
    [InlineData("application/vnd.pypi.simple.v1+json; charset=utf-8")]
    public void SimpleIndexContentTypesAreRecognisedWithTheirParameters(string contentType)
    {
        SimpleIndexRewriter.IsSimpleIndex(contentType).ShouldBeTrue();
    }

    private sealed record Anchor(string Href, string Text, IReadOnlyDictionary<string, string> Attributes);

    /// <summary>The anchors of a rewritten page as a browser or pip reads them, with attributes other than href.</summary>
    private static List<Anchor> Anchors(string html)
    {
        using var document = new HtmlParser().ParseDocument(html);
        return [.. document.QuerySelectorAll("a").Select(a => new Anchor(
            a.GetAttribute("href")!,
            a.TextContent,
            a.Attributes.Where(attribute => attribute.Name != "href").ToDictionary(attribute => attribute.Name, attribute => attribute.Value)))];
    }

    // Shaped as https://pypi.org/simple/requests/ serves it (a handful of its files; hashes shortened where not asserted).
    private const string RequestsPageHtml = """
        <!DOCTYPE html>
        <html>
          <head>
            <meta name="pypi:repository-version" content="1.3">
            <title>Links for requests</title>
          </head>
          <body>
            <h1>Links for requests</h1>
            <a href="https://files.pythonhosted.org/packages/ba/bb/dfa0141a32d773c47e4dede1a617c59a23b74dd302e449cf85413fc96bc4/requests-0.2.0.tar.gz#sha256=813202ace4d9301a3c00740c700e012fb9f3f8c73ddcfe02ab558a8df6f175fd" >requests-0.2.0.tar.gz</a><br />
            <a href="https://files.pythonhosted.org/packages/2d/61/08076519c80041bc0ffa1a8af0cbd3bf3e2b62af10435d269a9d0f40564d/requests-2.27.1-py2.py3-none-any.whl#sha256=f22fa1e554c9ddfd16e6e41ac79759e17be9e492b3587efa038054674760e72d" data-requires-python="&gt;=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*, !=3.4.*, !=3.5.*" >requests-2.27.1-py2.py3-none-any.whl</a><br />
            <a href="https://files.pythonhosted.org/packages/70/8e/0e2d847013cb52cd35b38c009bb167a1a26b2ce6cd6965bf26b47bc0bf44/requests-2.31.0-py3-none-any.whl#sha256=58cd2187c01e70e6e26505bca751777aa9f2ee0b7f4300988b709f44e013003f" data-requires-python="&gt;=3.7" data-dist-info-metadata="sha256=c9e3ea5fc3e1f1b5e6b6b7b8b6e2e5d1f5e1b6c7d3f7a9e5c2b1a9f8e7d6c5b4" data-core-metadata="sha256=c9e3ea5fc3e1f1b5e6b6b7b8b6e2e5d1f5e1b6c7d3f7a9e5c2b1a9f8e7d6c5b4">requests-2.31.0-py3-none-any.whl</a><br />
            <a href="https://files.pythonhosted.org/packages/9d/be/10918a2eac4ae9f02f6cfe6414b7a155ccd8f7f9d4380d62fd5b955065c3/requests-2.31.0.tar.gz#sha256=942c5a758f98d790eaed1a29cb6eefc7ffb0d1cf7af05c3d2791656dbd6ad1e1" data-requires-python="&gt;=3.7" >requests-2.31.0.tar.gz</a><br />
            <a href="https://files.pythonhosted.org/packages/24/e8/a33bbb9a3e2e5c4c1fa5c6f1b4b5e5f3e1c9a6b0b3c7d3b5c2e1f8a6d9c7b4e3/requests-2.32.0-py3-none-any.whl#sha256=f2c3881dddb70d056c5bd7600a4fae312b2a300e39be6a118d30b90bd27262b5" data-requires-python="&gt;=3.8" data-dist-info-metadata="sha256=b6" data-core-metadata="sha256=b6" data-yanked="Yanked due to conflicts with CVE-2024-35195 mitigation">requests-2.32.0-py3-none-any.whl</a><br />
          </body>
        </html>
        <!--SERIAL 24279370-->
        """;
}
