using Portal.Core.Notifications;

namespace Portal.Tests.Core.Notifications;

/// <summary>The webhook signature is the scheme the README documents, so a relay written from it agrees.</summary>
public sealed class WebhookSignatureTests
{
    private static readonly DateTimeOffset At = DateTimeOffset.FromUnixTimeSeconds(1_795_417_200);

    [Fact]
    public void SignatureIsHexHmacSha256OfTimestampDotBody()
    {
        // Computed independently: Python's hmac.new(b"k", b"1.{}", hashlib.sha256).hexdigest().
        WebhookSignature.Sign("k", 1, "{}").ShouldBe("sha256=3dd49b2593d0f9a349e9e71c4bde3e2b862c2be4003fe9b4ba81332029310158");
    }

    [Fact]
    public void VerifyAcceptsOnlyTheRightSecretBodyAndTimestampWithinTolerance()
    {
        const string body = """{"text":"Grüße"}""";
        var signature = WebhookSignature.Sign("secret", At.ToUnixTimeSeconds(), body);
        var timestamp = At.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

        WebhookSignature.Verify("secret", timestamp, signature, body, At.AddMinutes(4)).ShouldBeTrue();
        WebhookSignature.Verify("secret", timestamp, signature.ToUpperInvariant().Replace("SHA256=", "sha256=", StringComparison.Ordinal), body, At).ShouldBeTrue();
        WebhookSignature.Verify("wrong", timestamp, signature, body, At).ShouldBeFalse();
        WebhookSignature.Verify("secret", timestamp, signature, body.Replace("ü", "u", StringComparison.Ordinal), At).ShouldBeFalse();
        WebhookSignature.Verify("secret", timestamp, signature, body, At.AddMinutes(6)).ShouldBeFalse();
        WebhookSignature.Verify("secret", "not-a-number", signature, body, At).ShouldBeFalse();
        WebhookSignature.Verify("secret", timestamp, null, body, At).ShouldBeFalse();
        WebhookSignature.Verify("secret", timestamp, "sha256=00", body, At).ShouldBeFalse();
    }
}
