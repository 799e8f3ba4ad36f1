using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace KubernetesEmulator;

/// <summary>
/// The list continue token in the real server's format (<c>apiserver/pkg/storage/continue.go</c>): unpadded URL-safe
/// base64 of <c>{"v":"meta.k8s.io/v1","rv":N,"start":"ns/name\u0000"}</c>, where <c>start</c> is the storage key after
/// the last item returned, relative to the list's key prefix (the namespace is part of it only for all-namespace lists).
/// </summary>
internal sealed partial record ContinueToken(long ResourceVersion, string Start)
{
    private const string TokenVersion = "meta.k8s.io/v1";

    public string Encode()
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(new Wire { Version = TokenVersion, ResourceVersion = ResourceVersion, Start = Start },
            WireContext.Default.Wire);
        return Convert.ToBase64String(json).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public static ContinueToken Decode(string value)
    {
        byte[] bytes;
        try
        {
            var base64 = value.Replace('-', '+').Replace('_', '/');
            bytes = Convert.FromBase64String(base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '='));
        }
        catch (FormatException)
        {
            throw Invalid("illegal base64 data");
        }

        Wire? wire;
        try
        {
            wire = JsonSerializer.Deserialize(bytes, WireContext.Default.Wire);
        }
        catch (JsonException e)
        {
            throw Invalid(e.Message);
        }

        if (wire is null || wire.Version != TokenVersion)
        {
            throw Invalid("server does not recognize this encoded version");
        }

        if (wire.ResourceVersion <= 0)
        {
            throw Invalid($"incorrect encoded start resourceVersion (version {TokenVersion})");
        }

        var start = wire.Start ?? "";
        if (start.Length == 0 || start.Contains("..", StringComparison.Ordinal) || start.StartsWith('/'))
        {
            throw Invalid("invalid start key");
        }

        return new ContinueToken(wire.ResourceVersion, start);
    }

    private static KubernetesStatusException Invalid(string why) => KubernetesStatus.BadRequest($"continue key is not valid: {why}");

    internal sealed class Wire
    {
        [JsonPropertyName("v")]
        public string? Version { get; set; }

        [JsonPropertyName("rv")]
        public long ResourceVersion { get; set; }

        [JsonPropertyName("start")]
        public string? Start { get; set; }
    }

    [JsonSerializable(typeof(Wire))]
    internal sealed partial class WireContext : JsonSerializerContext;
}
