using Portal.Core.Gateway;

namespace Portal.Tests.Core.Gateway;

public sealed class ContentPathTests
{
    [Theory]
    [InlineData("packages/ab/cd/requests-2.32.3-py3-none-any.whl", "packages/ab/cd/requests-2.32.3-py3-none-any.whl")]
    [InlineData("simple/requests/", "simple/requests/")]
    [InlineData("packages/torch-2.3.0%2Bcpu-cp311-linux_x86_64.whl", "packages/torch-2.3.0+cpu-cp311-linux_x86_64.whl")]
    [InlineData("dist/my%20file.tar.gz", "dist/my file.tar.gz")]
    [InlineData("+files/packages/a.whl", "+files/packages/a.whl")]
    public void ParsesPlainAndEncodedSegmentsToTheDecodedPath(string raw, string expected)
    {
        ContentPath.TryParse(raw, out var path, out var error).ShouldBeTrue(error);

        path.Value.ShouldBe(expected);
    }

    [Theory]
    [InlineData("..")]
    [InlineData("dist/../secret")]
    [InlineData("dist/./a")]
    [InlineData("dist/%2e%2e/%2e%2e/etc/passwd")]
    [InlineData("dist/%2E%2E/x")]
    [InlineData("dist/.%2e/x")]
    [InlineData("dist/..%2f..%2fetc/passwd")]
    [InlineData("dist%2F..%2Fx")]
    [InlineData("dist%5c..%5cx")]
    [InlineData("dist\\..\\x")]
    [InlineData("%252e%252e/x")]
    [InlineData("dist/%25252e/x")]
    [InlineData("http://evil.example/x")]
    [InlineData("http:%2f%2fevil.example/x")]
    [InlineData("/etc/passwd")]
    [InlineData("dist//x")]
    [InlineData("dist/a%00b")]
    [InlineData("dist/a%0d%0aSet-Cookie:x")]
    [InlineData("")]
    [InlineData("dist/%zz")]
    public void RefusesTraversalEncodedSeparatorsAbsoluteUrlsAndControlCharacters(string raw)
    {
        ContentPath.TryParse(raw, out _, out var error).ShouldBeFalse();

        error.ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public void RefusesPathsLongerThanTheLimit()
    {
        ContentPath.TryParse(string.Join('/', Enumerable.Repeat("segment", 200)), out _, out var error).ShouldBeFalse();
        error.ShouldContain("segments");
    }

    [Fact]
    public void TheUpstreamUrlIsAlwaysUnderTheRemotesBaseOrFilesUrl()
    {
        var remote = Remote.Create(
            new RemoteDefinition("pypi", "https://pypi.example/root", RemoteKind.PyPi, RemotePolicy.OnDemand, 1_000, [], RemoteReadAccess.Anonymous,
                "https://files.example/"),
            "admin", DateTimeOffset.UnixEpoch);

        remote.UpstreamUriOf(ContentPath.Parse("simple/requests/")).AbsoluteUri.ShouldBe("https://pypi.example/root/simple/requests/");
        remote.UpstreamUriOf(ContentPath.Parse("packages/a%20b.whl")).AbsoluteUri.ShouldBe("https://pypi.example/root/packages/a%20b.whl");
        remote.UpstreamUriOf(ContentPath.Parse("+files/packages/x.whl")).AbsoluteUri.ShouldBe("https://files.example/packages/x.whl");
        remote.UpstreamUriOf(ContentPath.Parse("dist/evil.example:80")).Host.ShouldBe("pypi.example");
    }

    [Theory]
    [InlineData("packages/**", "packages/a/b/c.whl", true)]
    [InlineData("packages/**", "simple/x/", false)]
    [InlineData("*.whl", "a.whl", true)]
    [InlineData("*.whl", "dir/a.whl", false)]
    [InlineData("**/*.whl", "a.whl", true)]
    [InlineData("**/*.whl", "x/y/a.whl", true)]
    [InlineData("**/*.whl", "x/y/a.tar.gz", false)]
    [InlineData("dist/v?.bin", "dist/v1.bin", true)]
    [InlineData("dist/v?.bin", "dist/v10.bin", false)]
    [InlineData("a+b/(x).txt", "a+b/(x).txt", true)]
    public void PathPatternsMatchLikeGlobs(string pattern, string path, bool matches) =>
        PathPattern.Matches(pattern, path).ShouldBe(matches);

    [Theory]
    [InlineData("UPPER", "https://x.example/", "name")]
    [InlineData("pypi", "ftp://x.example/", "Upstream URL")]
    [InlineData("pypi", "https://user:pw@x.example/", "credentials")]
    [InlineData("pypi", "https://x.example/?q=1", "query")]
    [InlineData("pypi", "/relative", "Upstream URL")]
    public void ARemoteDefinitionNamesWhatIsWrong(string name, string url, string expected)
    {
        var errors = new RemoteDefinition(name, url, RemoteKind.Generic, RemotePolicy.OnDemand, 100, [], RemoteReadAccess.Anonymous).Validate();

        errors.ShouldHaveSingleItem().ShouldContain(expected);
    }

    [Fact]
    public void AFilesUrlOnlyBelongsToPyPiRemotesAndPatternsMayNotClimb()
    {
        var errors = new RemoteDefinition("gen", "https://x.example/", RemoteKind.Generic, RemotePolicy.OnDemand, 100, ["../x", "/abs"],
            RemoteReadAccess.Anonymous, "https://files.example/").Validate();

        errors.Count.ShouldBe(3);
        errors[0].ShouldContain("files URL");
    }
}
