using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Portal.Core.Notifications;

/// <summary>
/// How webhook deliveries are signed, and how a receiver checks them. The portal sends
/// <c>X-Portal-Timestamp: &lt;unix seconds&gt;</c> and
/// <c>X-Portal-Signature: sha256=&lt;lower-case hex HMAC-SHA256 over UTF-8 "timestamp.body" with the shared secret&gt;</c>.
/// Signing the timestamp with the body lets a receiver refuse replays of an old delivery.
/// </summary>
public static class WebhookSignature
{
    public const string SignatureHeader = "X-Portal-Signature";
    public const string TimestampHeader = "X-Portal-Timestamp";
    public const string Prefix = "sha256=";

    /// <summary>How far a timestamp may be from the receiver's clock by default (both ways).</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    public static string Sign(string secret, long timestamp, string body)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        ArgumentNullException.ThrowIfNull(body);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(Payload(timestamp, body)));
        return Prefix + Convert.ToHexStringLower(mac);
    }

    /// <summary>
    /// True when <paramref name="signatureHeader"/> is the signature of <paramref name="body"/> and
    /// <paramref name="timestampHeader"/> under <paramref name="secret"/>, and the timestamp is within
    /// <paramref name="tolerance"/> of <paramref name="now"/>. The comparison takes the same time whatever matches.
    /// </summary>
    public static bool Verify(
        string secret, string? timestampHeader, string? signatureHeader, string body, DateTimeOffset now, TimeSpan? tolerance = null)
    {
        if (string.IsNullOrEmpty(secret) || string.IsNullOrEmpty(signatureHeader)
            || !long.TryParse(timestampHeader, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp))
        {
            return false;
        }

        var sent = DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(timestamp, 0, DateTimeOffset.MaxValue.ToUnixTimeSeconds()));
        if ((now - sent).Duration() > (tolerance ?? DefaultTolerance))
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(secret, timestamp, body));
        var presented = Encoding.ASCII.GetBytes(signatureHeader.Trim().ToLowerInvariant());
        return CryptographicOperations.FixedTimeEquals(expected, presented);
    }

    private static string Payload(long timestamp, string body) =>
        timestamp.ToString(CultureInfo.InvariantCulture) + "." + body;
}
