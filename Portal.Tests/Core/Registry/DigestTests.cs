using System.Text;
using Portal.Core.Registry;

namespace Portal.Tests.Core.Registry;

public sealed class DigestTests
{
    private const string Sha256Hex = "7ceb9b6bcc274697d0c38be6214b50cec79d601bc61708747d3f6cb772f6c6fa";

    [Fact]
    public void ParsesASha256Digest()
    {
        var digest = Digest.Parse("sha256:" + Sha256Hex);

        digest.Algorithm.ShouldBe("sha256");
        digest.Hex.ShouldBe(Sha256Hex);
        digest.ToString().ShouldBe("sha256:" + Sha256Hex);
    }

    [Fact]
    public void ParsesASha512Digest()
    {
        var hex = Convert.ToHexStringLower(System.Security.Cryptography.SHA512.HashData("x"u8));

        var digest = Digest.Parse("sha512:" + hex);

        digest.Algorithm.ShouldBe("sha512");
        digest.Hex.Length.ShouldBe(128);
        digest.Matches("x"u8).ShouldBeTrue();
    }

    [Theory]
    [InlineData("sha256:7CEB9B6BCC274697D0C38BE6214B50CEC79D601BC61708747D3F6CB772F6C6FA", "lowercase")]
    [InlineData("sha256:7ceb9b6bcc274697d0c38be6214b50cec79d601bc61708747d3f6cb772f6c6fA", "lowercase")]
    [InlineData("sha256:7ceb9b6bcc", "64 hex characters")]
    [InlineData("sha256:7ceb9b6bcc274697d0c38be6214b50cec79d601bc61708747d3f6cb772f6c6fa00", "64 hex characters")]
    [InlineData("sha512:7ceb9b6bcc274697d0c38be6214b50cec79d601bc61708747d3f6cb772f6c6fa", "128 hex characters")]
    [InlineData("sha256:zzeb9b6bcc274697d0c38be6214b50cec79d601bc61708747d3f6cb772f6c6fa", "hexadecimal")]
    [InlineData("md5:d41d8cd98f00b204e9800998ecf8427e", "'md5' is not supported")]
    [InlineData("SHA256:7ceb9b6bcc274697d0c38be6214b50cec79d601bc61708747d3f6cb772f6c6fa", "'SHA256' is not supported")]
    [InlineData("7ceb9b6bcc274697d0c38be6214b50cec79d601bc61708747d3f6cb772f6c6fa", "no ':'")]
    [InlineData("", "empty")]
    [InlineData(":7ceb9b6bcc274697d0c38be6214b50cec79d601bc61708747d3f6cb772f6c6fa", "'' is not supported")]
    public void RejectsMalformedDigestsWithAClearMessage(string value, string expectedMessagePart)
    {
        var ex = Should.Throw<FormatException>(() => Digest.Parse(value));

        ex.Message.ShouldContain(expectedMessagePart);
        Digest.TryParse(value, out _).ShouldBeFalse();
    }

    [Fact]
    public void TryParseReturnsFalseForNull() => Digest.TryParse(null, out _).ShouldBeFalse();

    [Fact]
    public void ComputesTheWellKnownSha256OfEmptyContent() =>
        Digest.Sha256Of([]).ToString()
            .ShouldBe("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

    [Fact]
    public void ComputesTheOciEmptyJsonDigestNamedInTheImageSpec() =>
        Digest.Sha256Of(Encoding.UTF8.GetBytes("{}")).ToString()
            .ShouldBe("sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");

    [Fact]
    public void ShortIsTheFirstTwelveHexCharacters() =>
        Digest.Parse("sha256:" + Sha256Hex).Short.ShouldBe("7ceb9b6bcc27");

    [Fact]
    public void MatchesOnlyTheContentItWasComputedFrom()
    {
        var digest = Digest.Sha256Of("hello"u8);

        digest.Matches("hello"u8).ShouldBeTrue();
        digest.Matches("hello!"u8).ShouldBeFalse();
    }

    [Fact]
    public void EqualDigestsCompareEqual() =>
        Digest.Parse("sha256:" + Sha256Hex).ShouldBe(Digest.Parse("sha256:" + Sha256Hex));
}
