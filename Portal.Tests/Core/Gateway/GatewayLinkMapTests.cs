using Portal.Core.Gateway.PyPi;

namespace Portal.Tests.Core.Gateway;

public sealed class GatewayLinkMapTests
{
    private static readonly GatewayLinkMap PyPi = new(
        new Uri("https://pypi.org/"), new Uri("https://files.pythonhosted.org/"), new Uri("http://portal:5080/content/pypi/"));

    [Theory]
    [InlineData("https://pypi.org/simple/requests/", "http://portal:5080/content/pypi/simple/requests/")]
    [InlineData("https://PyPI.org:443/simple/", "http://portal:5080/content/pypi/simple/")]
    [InlineData("https://pypi.org/packages/a/b.whl?x=1#sha256=ab", "http://portal:5080/content/pypi/packages/a/b.whl#sha256=ab")]
    [InlineData("https://files.pythonhosted.org/packages/ab/cd/requests-2.31.0.tar.gz#sha256=ef",
        "http://portal:5080/content/pypi/+files/packages/ab/cd/requests-2.31.0.tar.gz#sha256=ef")]
    [InlineData("https://files.pythonhosted.org/packages/torch-2.0.0%2Bcpu-cp311-none-any.whl",
        "http://portal:5080/content/pypi/+files/packages/torch-2.0.0%2Bcpu-cp311-none-any.whl")]
    public void MapsUrlsUnderEitherUpstreamBaseToTheGateway(string upstream, string gateway)
    {
        PyPi.ToGateway(new Uri(upstream)).ShouldBe(gateway);
    }

    [Theory]
    [InlineData("https://evil.example/simple/requests/")]
    [InlineData("http://pypi.org/simple/requests/")] // the same host over another scheme is another place
    [InlineData("https://pypi.org:8443/simple/")]
    [InlineData("https://user@pypi.org/simple/")]
    [InlineData("https://pypi.org.evil.example/simple/")]
    [InlineData("ftp://pypi.org/simple/")]
    [InlineData("javascript:alert(1)")]
    [InlineData("https://pypi.org/+files/packages/x.whl")] // would be read back as a files-host path
    [InlineData("https://pypi.org/simple/a%2Fb/")]
    [InlineData("https://pypi.org/simple//x/")]
    public void GivesNoGatewayUrlToAnythingElse(string upstream)
    {
        PyPi.ToGateway(new Uri(upstream)).ShouldBeNull();
    }

    [Fact]
    public void ALinkThatClimbsOutOfAnUpstreamBaseWithAPathHasNoGatewayUrl()
    {
        var map = new GatewayLinkMap(new Uri("http://127.0.0.1:8080/pypi"), null, new Uri("http://portal/content/local"));

        map.ToGateway(new Uri(new Uri("http://127.0.0.1:8080/pypi/simple/x/"), "../../../admin/x.whl")).ShouldBeNull();
        map.ToGateway(new Uri("http://127.0.0.1:8080/pypi-other/x.whl")).ShouldBeNull();
        // Bases without a trailing slash are directories: the path continues below them.
        map.ToGateway(new Uri("http://127.0.0.1:8080/pypi/simple/x/")).ShouldBe("http://portal/content/local/simple/x/");
    }

    [Fact]
    public void EncodedDotSegmentsAreResolvedAsDotSegmentsBeforeMapping()
    {
        // As browsers and pip's URL handling do: "%2e%2e" climbs like "..", and only where it lands counts.
        PyPi.ToGateway(new Uri("https://pypi.org/simple/x/%2e%2e/%2E%2E/packages/a.whl")).ShouldBe(
            "http://portal:5080/content/pypi/packages/a.whl");
    }

    [Fact]
    public void WithoutAFilesBaseOnlyTheUpstreamBaseIsMapped()
    {
        var map = new GatewayLinkMap(new Uri("https://pypi.org/"), null, new Uri("http://portal:5080/content/pypi/"));

        map.ToGateway(new Uri("https://files.pythonhosted.org/packages/x.whl")).ShouldBeNull();
        map.ToUpstream("+files/packages/x.whl").ShouldBeNull();
    }

    [Theory]
    [InlineData("simple/requests/", "https://pypi.org/simple/requests/")]
    [InlineData("", "https://pypi.org/")]
    [InlineData("+files/packages/ab/cd/requests-2.31.0.tar.gz", "https://files.pythonhosted.org/packages/ab/cd/requests-2.31.0.tar.gz")]
    [InlineData("+files/packages/ab/requests-2.31.0-py3-none-any.whl.metadata",
        "https://files.pythonhosted.org/packages/ab/requests-2.31.0-py3-none-any.whl.metadata")]
    [InlineData("c:x", "https://pypi.org/c:x")] // a path segment with a colon, not a URL of scheme "c"
    public void MapsGatewayPathsBackToUpstreamUrls(string gatewayPath, string upstream)
    {
        PyPi.ToUpstream(gatewayPath).ShouldBe(new Uri(upstream));
    }

    [Theory]
    [InlineData("../etc/passwd")]
    [InlineData("simple/../../x")]
    [InlineData("+files/../simple/")]
    [InlineData("simple/%2e%2e/%2e%2e/x")]
    [InlineData("simple/a%2Fb")]
    [InlineData("simple/a%5Cb")]
    [InlineData("simple//x")]
    [InlineData("/etc/passwd")]
    [InlineData("simple/x?y=1")]
    public void RefusesGatewayPathsThatWouldLeaveTheUpstreamBase(string gatewayPath)
    {
        PyPi.ToUpstream(gatewayPath).ShouldBeNull();
    }

    [Theory]
    [InlineData("/simple/")]
    [InlineData("file:///srv/pypi/")]
    [InlineData("https://pypi.org/?x=1")]
    public void RefusesBasesThatAreNotAbsoluteHttpDirectories(string upstreamBase)
    {
        Should.Throw<ArgumentException>(() =>
            new GatewayLinkMap(new Uri(upstreamBase, UriKind.RelativeOrAbsolute), null, new Uri("http://portal/content/pypi/")));
    }
}
