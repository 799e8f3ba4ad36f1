using Portal.Core.ApiKeys;

namespace Portal.Tests.Core.ApiKeys;

public sealed class ApiKeyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void StoresOnlyAHashAndAcceptsThePlainKeyOnceIssued()
    {
        var (key, plain) = ApiKey.Issue("ci", [ApiKeyScopes.ScanReportsWrite], "admin@example.org", Now, null);

        plain.ShouldStartWith(ApiKey.KeyPrefix);
        key.Hash.ShouldNotContain(plain[ApiKey.VisiblePrefixLength..]);
        key.Prefix.ShouldBe(plain[..ApiKey.VisiblePrefixLength]);
        ApiKey.PrefixOf(plain).ShouldBe(key.Prefix);
        key.Accepts(plain, ApiKeyScopes.ScanReportsWrite, Now).ShouldBeTrue();
        key.Accepts(plain + "x", ApiKeyScopes.ScanReportsWrite, Now).ShouldBeFalse();
    }

    [Fact]
    public void EveryKeyIsDifferent()
    {
        var first = ApiKey.Issue("a", [ApiKeyScopes.ScanReportsWrite], "admin", Now, null).PlainKey;
        var second = ApiKey.Issue("a", [ApiKeyScopes.ScanReportsWrite], "admin", Now, null).PlainKey;

        first.ShouldNotBe(second);
    }

    [Fact]
    public void RefusesAnotherScope()
    {
        var (key, plain) = ApiKey.Issue("ci", [ApiKeyScopes.GatewayRead], "admin", Now, null);

        key.Accepts(plain, ApiKeyScopes.ScanReportsWrite, Now).ShouldBeFalse();
    }

    [Fact]
    public void RefusesARevokedOrExpiredKey()
    {
        var (revoked, plain) = ApiKey.Issue("ci", [ApiKeyScopes.ScanReportsWrite], "admin", Now, null);
        revoked.Revoke("admin", Now);
        var (expiring, plain2) = ApiKey.Issue("ci", [ApiKeyScopes.ScanReportsWrite], "admin", Now, Now.AddDays(1));

        revoked.Accepts(plain, ApiKeyScopes.ScanReportsWrite, Now).ShouldBeFalse();
        expiring.Accepts(plain2, ApiKeyScopes.ScanReportsWrite, Now.AddHours(23)).ShouldBeTrue();
        expiring.Accepts(plain2, ApiKeyScopes.ScanReportsWrite, Now.AddDays(1)).ShouldBeFalse();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Bearer abc")]
    [InlineData("igp_")]
    public void PresentedValuesThatCannotBeKeysHaveNoPrefix(string? presented) => ApiKey.PrefixOf(presented).ShouldBeNull();
}
