using Portal.Core.Inventory;

namespace Portal.Tests.Core.Inventory;

public sealed class ImageRegistryTests
{
    [Theory]
    [InlineData("https://registry.example.com", false, null)]
    [InlineData("http://127.0.0.1:5082", true, null)]
    [InlineData("http://localhost:5000", true, null)]
    [InlineData("http://registry.example.com", false, "Plain http needs the insecure option")]
    [InlineData("http://registry.example.com", true, "only for a registry on this machine")]
    [InlineData("https://10.0.0.5", true, "only for a registry on this machine")]
    [InlineData("https://user:pw@registry.example.com", false, "must not carry credentials")]
    [InlineData("ftp://registry.example.com", false, "absolute http or https URL")]
    public void InsecureConnectionsOnlyForLoopback(string url, bool insecure, string? error)
    {
        var errors = ImageRegistry.Validate("r", new Uri(url), insecure, 4);

        if (error is null)
        {
            errors.ShouldBeEmpty();
        }
        else
        {
            errors.ShouldContain(e => e.Contains(error, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void KeepsTheUrlWithoutTrailingSlashAndTheSecretOnlyProtected()
    {
        var registry = ImageRegistry.Create(" acr ", new Uri("https://myacr.azurecr.io/"), "svc", "protected-blob", null, false, 8, DateTimeOffset.UnixEpoch);

        registry.Name.ShouldBe("acr");
        registry.Url.ShouldBe("https://myacr.azurecr.io");
        registry.HasSecret.ShouldBeTrue();
        registry.ProtectedSecret.ShouldBe("protected-blob");
    }

    [Fact]
    public void RefusesConcurrencyOutsideItsBounds() =>
        ImageRegistry.Validate("r", new Uri("https://r.example"), false, 0).ShouldContain(e => e.Contains("Concurrency", StringComparison.Ordinal));
}
