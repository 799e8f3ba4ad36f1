using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Portal.Core.Registry;

/// <summary>
/// A content digest, "algorithm:hex". Only sha256 and sha512 are accepted: they are the algorithms the OCI
/// image spec registers, and accepting anything looser would let two spellings name the same content.
/// </summary>
public readonly record struct Digest
{
    public const string Sha256Algorithm = "sha256";
    public const string Sha512Algorithm = "sha512";

    private readonly string? _algorithm;
    private readonly string? _hex;

    private Digest(string algorithm, string hex)
    {
        _algorithm = algorithm;
        _hex = hex;
    }

    // A default(Digest) has no strings; expose empty ones rather than nulls the type system promised away.
    public string Algorithm => _algorithm ?? string.Empty;

    public string Hex => _hex ?? string.Empty;

    /// <summary>The first 12 hex characters, as Docker shows image ids.</summary>
    [SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "Short as in abbreviated; the name is part of the agreed API.")]
    public string Short => Hex.Length > 12 ? Hex[..12] : Hex;

    public static Digest Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return TryParse(value, out var digest, out var error) ? digest : throw new FormatException(error);
    }

    public static bool TryParse([NotNullWhen(true)] string? value, out Digest digest) =>
        TryParse(value, out digest, out _);

    /// <summary>Parses and, on failure, says why (for messages that name the offending field).</summary>
    public static bool TryParse([NotNullWhen(true)] string? value, out Digest digest, [NotNullWhen(false)] out string? error)
    {
        digest = default;
        if (string.IsNullOrEmpty(value))
        {
            error = "Digest is empty.";
            return false;
        }

        var colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            error = $"Digest '{value}' has no ':' between algorithm and hex.";
            return false;
        }

        var algorithm = value[..colon];
        var hex = value[(colon + 1)..];
        int expectedLength;
        switch (algorithm)
        {
            case Sha256Algorithm:
                expectedLength = 64;
                break;
            case Sha512Algorithm:
                expectedLength = 128;
                break;
            default:
                error = $"Digest algorithm '{algorithm}' is not supported (expected sha256 or sha512).";
                return false;
        }

        if (hex.Length != expectedLength)
        {
            error = $"A {algorithm} digest has {expectedLength} hex characters, but '{value}' has {hex.Length}.";
            return false;
        }

        // The spec mandates lowercase; accepting uppercase would give one blob two distinct names.
        if (!hex.All(char.IsAsciiHexDigitLower))
        {
            error = $"Digest '{value}' must be lowercase hexadecimal after '{algorithm}:'.";
            return false;
        }

        digest = new Digest(algorithm, hex);
        error = null;
        return true;
    }

    public static Digest Sha256Of(ReadOnlySpan<byte> content) =>
        new(Sha256Algorithm, Convert.ToHexStringLower(SHA256.HashData(content)));

    /// <summary>True when <paramref name="content"/> hashes to this digest (to verify a downloaded blob).</summary>
    public bool Matches(ReadOnlySpan<byte> content) => Algorithm switch
    {
        Sha256Algorithm => Convert.ToHexStringLower(SHA256.HashData(content)) == Hex,
        Sha512Algorithm => Convert.ToHexStringLower(SHA512.HashData(content)) == Hex,
        _ => false,
    };

    public override string ToString() => _algorithm is null ? string.Empty : $"{_algorithm}:{_hex}";
}
