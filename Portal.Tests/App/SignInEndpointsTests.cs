using Portal.Security;

namespace Portal.Tests.App;

public sealed class SignInEndpointsTests
{
    [Theory]
    [InlineData("/audit", "/audit")]
    [InlineData("/audit?actor=admin", "/audit?actor=admin")]
    [InlineData("/", "/")]
    [InlineData(null, "/")]
    [InlineData("", "/")]
    [InlineData("https://evil.example/", "/")]
    [InlineData("//evil.example/", "/")]
    [InlineData("/\\evil.example/", "/")]
    [InlineData("audit", "/")]
    [InlineData("/redirect?to=https://evil.example", "/")]
    public void FollowsOnlyPathsOnThisSiteAfterSignIn(string? returnUrl, string expected) =>
        SignInEndpoints.LocalOrRoot(returnUrl).ShouldBe(expected);
}
