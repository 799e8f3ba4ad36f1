using System.Diagnostics.CodeAnalysis;

namespace Portal.Core.Registry;

/// <summary>
/// A container image reference, normalized the way Docker does it so that "nginx",
/// "docker.io/library/nginx:latest" and "index.docker.io/library/nginx" compare equal.
/// Grammar: github.com/distribution/reference (name components, tag, digest, 255-character name limit).
/// </summary>
public sealed record ImageReference(string Registry, string Repository, string? Tag, Digest? Digest)
{
    public const string DockerHub = "docker.io";
    public const string DefaultTag = "latest";
    public const int MaxNameLength = 255;
    public const int MaxTagLength = 128;

    // Docker Hub is reachable under several names; only one may appear in stored references.
    private static readonly string[] DockerHubAliases = ["index.docker.io", "registry-1.docker.io"];

    // Construction validates too, so an ImageReference is always well formed however it was made
    // (Parse, the constructor, or a with-expression).

    /// <summary>Registry host, lowercase, with port when given, e.g. "docker.io", "localhost:5000".</summary>
    public string Registry { get; init => field = CheckRegistry(value); } = CheckRegistry(Registry);

    /// <summary>Repository path within the registry, e.g. "library/nginx".</summary>
    public string Repository { get; init => field = CheckRepository(value); } =
        CheckRepository(NormalizeRepository(NormalizeRegistry(Registry), Repository));

    public string? Tag { get; init => field = CheckTag(value); } = CheckTag(Tag);

    public Digest? Digest { get; init => field = CheckDigest(value); } = CheckDigest(Digest);

    /// <summary>"registry/repository", the name without tag or digest.</summary>
    public string Name => $"{Registry}/{Repository}";

    public static ImageReference Parse(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return TryParse(reference, out var result, out var error) ? result : throw new FormatException(error);
    }

    public static bool TryParse(
        [NotNullWhen(true)] string? reference,
        [NotNullWhen(true)] out ImageReference? result,
        [NotNullWhen(false)] out string? error)
    {
        result = null;
        if (string.IsNullOrWhiteSpace(reference))
        {
            error = "Image reference is empty.";
            return false;
        }

        var rest = reference;
        Digest? digest = null;
        var at = rest.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            // Qualified because "Digest" here means this record's property, not the type.
            if (!global::Portal.Core.Registry.Digest.TryParse(rest[(at + 1)..], out var parsedDigest, out var digestError))
            {
                error = $"Image reference '{reference}' has an invalid digest: {digestError}";
                return false;
            }

            digest = parsedDigest;
            rest = rest[..at];
        }

        // A ':' after the last '/' starts the tag; an earlier one belongs to a registry port.
        string? tag = null;
        var colon = rest.LastIndexOf(':');
        if (colon > rest.LastIndexOf('/'))
        {
            tag = rest[(colon + 1)..];
            rest = rest[..colon];
            if (ValidateTag(tag) is { } tagError)
            {
                error = $"Image reference '{reference}': {tagError}";
                return false;
            }
        }

        if (rest.Length == 0)
        {
            error = $"Image reference '{reference}' has no repository name.";
            return false;
        }

        if (rest.Length > MaxNameLength)
        {
            error = $"Image reference '{reference}' has a name longer than {MaxNameLength} characters.";
            return false;
        }

        var (registry, repository) = SplitRegistry(rest);
        registry = NormalizeRegistry(registry);
        repository = NormalizeRepository(registry, repository);
        if ((ValidateRegistry(registry) ?? ValidateRepository(repository)) is { } nameError)
        {
            error = $"Image reference '{reference}': {nameError}";
            return false;
        }

        result = new ImageReference(registry, repository, tag ?? (digest is null ? DefaultTag : null), digest);
        error = null;
        return true;
    }

    public override string ToString()
    {
        var text = Name;
        if (Tag is not null)
        {
            text += ":" + Tag;
        }

        if (Digest is { } digest)
        {
            text += "@" + digest;
        }

        return text;
    }

    private static string CheckRegistry(string registry)
    {
        var normalized = NormalizeRegistry(registry);
        return ValidateRegistry(normalized) is { } error ? throw new ArgumentException(error, nameof(registry)) : normalized;
    }

    private static string CheckRepository(string repository)
    {
        ArgumentNullException.ThrowIfNull(repository);
        return ValidateRepository(repository) is { } error ? throw new ArgumentException(error, nameof(repository)) : repository;
    }

    private static string? CheckTag(string? tag) =>
        tag is not null && ValidateTag(tag) is { } error ? throw new ArgumentException(error, nameof(tag)) : tag;

    private static Digest? CheckDigest(Digest? digest) =>
        digest is { Algorithm.Length: 0 } ? throw new ArgumentException("Digest is uninitialized.", nameof(digest)) : digest;

    // Docker's rule (distribution/reference splitDockerDomain): the first component names a registry only if
    // it looks like a host: it has a '.' or a ':' port, or is "localhost". Otherwise "user/app" is on Docker Hub.
    private static (string Registry, string Repository) SplitRegistry(string name)
    {
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return (DockerHub, name);
        }

        var first = name[..slash];
        var isHost = first.Contains('.', StringComparison.Ordinal)
            || first.Contains(':', StringComparison.Ordinal)
            || first == "localhost";
        return isHost ? (first, name[(slash + 1)..]) : (DockerHub, name);
    }

    // Host names are case-insensitive; lowercasing keeps equal references equal.
    private static string NormalizeRegistry(string registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var lower = registry.ToLowerInvariant();
        return DockerHubAliases.Contains(lower) ? DockerHub : lower;
    }

    // Official images live under "library/" on Docker Hub, so "nginx" is really "library/nginx".
    private static string NormalizeRepository(string registry, string repository)
    {
        ArgumentNullException.ThrowIfNull(repository);
        return registry == DockerHub && !repository.Contains('/', StringComparison.Ordinal) && repository.Length > 0
            ? "library/" + repository
            : repository;
    }

    internal static string? ValidateRegistry(string registry)
    {
        if (registry.Length == 0)
        {
            return "registry host is empty.";
        }

        var host = registry;
        var port = (string?)null;
        if (host.StartsWith('['))
        {
            // Bracketed IPv6 literal, e.g. [::1]:5000.
            var close = host.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || !host[1..close].All(c => char.IsAsciiHexDigit(c) || c is ':' or '.'))
            {
                return $"registry host '{registry}' is not a valid IPv6 literal.";
            }

            var after = host[(close + 1)..];
            if (after.Length > 0 && after[0] != ':')
            {
                return $"registry host '{registry}' has unexpected text after the IPv6 literal.";
            }

            port = after.Length > 0 ? after[1..] : null;
        }
        else
        {
            var colon = host.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0)
            {
                port = host[(colon + 1)..];
                host = host[..colon];
            }

            foreach (var label in host.Split('.'))
            {
                if (label.Length == 0 || label[0] == '-' || label[^1] == '-'
                    || !label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
                {
                    return $"registry host '{registry}' is not a valid host name.";
                }
            }
        }

        if (port is not null && (port.Length is 0 or > 5 || !port.All(char.IsAsciiDigit)))
        {
            return $"registry port in '{registry}' must be a number.";
        }

        return null;
    }

    // path-component := [a-z0-9]+ (separator [a-z0-9]+)*, separator := [_.] | __ | -+
    internal static string? ValidateRepository(string repository)
    {
        if (repository.Length == 0)
        {
            return "repository name is empty.";
        }

        if (repository.Length > MaxNameLength)
        {
            return $"repository name is longer than {MaxNameLength} characters.";
        }

        foreach (var component in repository.Split('/'))
        {
            if (component.Length == 0)
            {
                return $"repository '{repository}' has an empty path component (leading, trailing or double '/').";
            }

            if (component.Any(char.IsAsciiLetterUpper))
            {
                return $"repository '{repository}' must be lowercase.";
            }

            if (!IsValidPathComponent(component))
            {
                return $"repository path component '{component}' is invalid: use lowercase letters and digits, "
                    + "separated by '.', '_', '__' or dashes.";
            }
        }

        return null;
    }

    private static bool IsValidPathComponent(string component)
    {
        var i = 0;
        while (true)
        {
            var start = i;
            while (i < component.Length && (char.IsAsciiDigit(component[i]) || char.IsAsciiLetterLower(component[i])))
            {
                i++;
            }

            if (i == start)
            {
                return false; // empty alphanumeric run: leading, trailing or doubled separator
            }

            if (i == component.Length)
            {
                return true;
            }

            var separatorStart = i;
            while (i < component.Length && component[i] is '.' or '_' or '-')
            {
                i++;
            }

            var separator = component[separatorStart..i];
            if (separator is not ("." or "_" or "__") && !separator.All(c => c == '-'))
            {
                return false;
            }
        }
    }

    // tag := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
    internal static string? ValidateTag(string tag)
    {
        if (tag.Length == 0)
        {
            return "tag is empty.";
        }

        if (tag.Length > MaxTagLength)
        {
            return $"tag is longer than {MaxTagLength} characters.";
        }

        if (!(char.IsAsciiLetterOrDigit(tag[0]) || tag[0] == '_'))
        {
            return $"tag '{tag}' must start with a letter, digit or '_'.";
        }

        return tag.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-')
            ? null
            : $"tag '{tag}' may contain only letters, digits, '_', '.' and '-'.";
    }
}
