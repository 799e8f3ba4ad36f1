using Portal.Core.Registry;

namespace Portal.Tests.Core.Registry;

public sealed class ImageReferenceTests
{
    private const string D256 = "sha256:7ceb9b6bcc274697d0c38be6214b50cec79d601bc61708747d3f6cb772f6c6fa";

    private static readonly string D512 =
        "sha512:" + string.Concat(Enumerable.Repeat("0123456789abcdef", 8));

    private static readonly string Tag128 = "t" + new string('a', 127);

    // input, registry, repository, tag, digest, canonical ToString()
    public static TheoryData<string, string, string, string?, string?, string> ValidReferences => new()
    {
        { "nginx", "docker.io", "library/nginx", "latest", null, "docker.io/library/nginx:latest" },
        { "nginx:1.25", "docker.io", "library/nginx", "1.25", null, "docker.io/library/nginx:1.25" },
        { "library/nginx", "docker.io", "library/nginx", "latest", null, "docker.io/library/nginx:latest" },
        { "docker.io/library/nginx:latest", "docker.io", "library/nginx", "latest", null, "docker.io/library/nginx:latest" },
        { "docker.io/nginx", "docker.io", "library/nginx", "latest", null, "docker.io/library/nginx:latest" },
        { "user/app", "docker.io", "user/app", "latest", null, "docker.io/user/app:latest" },
        { "user/app:v1.2.3-rc_1", "docker.io", "user/app", "v1.2.3-rc_1", null, "docker.io/user/app:v1.2.3-rc_1" },
        { "index.docker.io/library/nginx", "docker.io", "library/nginx", "latest", null, "docker.io/library/nginx:latest" },
        { "index.docker.io/nginx:1", "docker.io", "library/nginx", "1", null, "docker.io/library/nginx:1" },
        { "registry-1.docker.io/user/app:v1", "docker.io", "user/app", "v1", null, "docker.io/user/app:v1" },
        { "localhost/app", "localhost", "app", "latest", null, "localhost/app:latest" },
        { "localhost:5000/x", "localhost:5000", "x", "latest", null, "localhost:5000/x:latest" },
        { "localhost:5000/a/b:v1", "localhost:5000", "a/b", "v1", null, "localhost:5000/a/b:v1" },
        { "registry.example.com:443/a/b:c", "registry.example.com:443", "a/b", "c", null, "registry.example.com:443/a/b:c" },
        { "Registry.Example.COM/team/app", "registry.example.com", "team/app", "latest", null, "registry.example.com/team/app:latest" },
        { "127.0.0.1:5000/app:1", "127.0.0.1:5000", "app", "1", null, "127.0.0.1:5000/app:1" },
        { "[::1]:5000/app:1", "[::1]:5000", "app", "1", null, "[::1]:5000/app:1" },
        { "ghcr.io/o/r@" + D256, "ghcr.io", "o/r", null, D256, "ghcr.io/o/r@" + D256 },
        { "r:t@" + D256, "docker.io", "library/r", "t", D256, "docker.io/library/r:t@" + D256 },
        { "nginx@" + D512, "docker.io", "library/nginx", null, D512, "docker.io/library/nginx@" + D512 },
        { "localhost:5000/a/b:v1@" + D256, "localhost:5000", "a/b", "v1", D256, "localhost:5000/a/b:v1@" + D256 },
        { "quay.io/org/sub/deep/app:2024.01", "quay.io", "org/sub/deep/app", "2024.01", null, "quay.io/org/sub/deep/app:2024.01" },
        { "ghcr.io/kubeflow/kubeflow/notebook-servers/jupyter:latest", "ghcr.io", "kubeflow/kubeflow/notebook-servers/jupyter", "latest", null, "ghcr.io/kubeflow/kubeflow/notebook-servers/jupyter:latest" },
        { "gcr.io/kubeflow-images-public/tensorflow-1.15.2-notebook-cpu:1.0.0", "gcr.io", "kubeflow-images-public/tensorflow-1.15.2-notebook-cpu", "1.0.0", null, "gcr.io/kubeflow-images-public/tensorflow-1.15.2-notebook-cpu:1.0.0" },
        { "a/b__c/d-e--f.g_h:_tag", "docker.io", "a/b__c/d-e--f.g_h", "_tag", null, "docker.io/a/b__c/d-e--f.g_h:_tag" },
        // Docker reads a bare "host:port" as an image named like the host with the port as tag.
        { "localhost:5000", "docker.io", "library/localhost", "5000", null, "docker.io/library/localhost:5000" },
        { "nginx:" + Tag128, "docker.io", "library/nginx", Tag128, null, "docker.io/library/nginx:" + Tag128 },
        { "my-registry.local/team/image-name:TAG", "my-registry.local", "team/image-name", "TAG", null, "my-registry.local/team/image-name:TAG" },
    };

    [Theory]
    [MemberData(nameof(ValidReferences))]
    public void ParsesAndNormalizesReferences(
        string input, string registry, string repository, string? tag, string? digest, string canonical)
    {
        var reference = ImageReference.Parse(input);

        reference.Registry.ShouldBe(registry);
        reference.Repository.ShouldBe(repository);
        reference.Tag.ShouldBe(tag);
        reference.Digest?.ToString().ShouldBe(digest);
        (reference.Digest is null).ShouldBe(digest is null);
        reference.ToString().ShouldBe(canonical);
    }

    [Theory]
    [MemberData(nameof(ValidReferences))]
    public void RoundTripsThroughToString(
        string input, string registry, string repository, string? tag, string? digest, string canonical)
    {
        _ = (registry, repository, tag, digest, canonical);
        var reference = ImageReference.Parse(input);

        ImageReference.Parse(reference.ToString()).ShouldBe(reference);
    }

    public static TheoryData<string, string> InvalidReferences => new()
    {
        { "", "empty" },
        { "   ", "empty" },
        { ":tag", "no repository name" },
        { "nginx/", "empty path component" },
        { "/nginx", "empty path component" },
        { "a//b", "empty path component" },
        { "Nginx", "must be lowercase" },
        { "user/App:v1", "must be lowercase" },
        { "ghcr.io/Org/app", "must be lowercase" },
        { "nginx:bad!tag", "may contain only" },
        { "nginx:-tag", "must start with" },
        { "nginx:.tag", "must start with" },
        { "nginx:", "tag is empty" },
        { "nginx:t" + new string('a', 128), "longer than 128" },
        { "nginx@sha256:abc", "invalid digest" },
        { "nginx@md5:d41d8cd98f00b204e9800998ecf8427e", "not supported" },
        { "nginx@", "invalid digest" },
        { "registry.example.com:http/app", "port" },
        { "-bad.example.com/app", "not a valid host name" },
        { "a..b", "is invalid" },
        { "a___b", "is invalid" },
        { "-app", "is invalid" },
        { "app-", "is invalid" },
        { "nginx latest", "is invalid" },
        { "nginx:latest:extra", "is invalid" },
        { "registry.example.com/" + new string('a', 256), "longer than 255" },
    };

    [Theory]
    [MemberData(nameof(InvalidReferences))]
    public void RejectsInvalidReferencesNamingTheProblem(string input, string expectedMessagePart)
    {
        var ex = Should.Throw<FormatException>(() => ImageReference.Parse(input));
        ex.Message.ShouldContain(expectedMessagePart);

        ImageReference.TryParse(input, out var result, out var error).ShouldBeFalse();
        result.ShouldBeNull();
        error.ShouldBe(ex.Message);
    }

    [Fact]
    public void TryParseReportsNullAsEmpty()
    {
        ImageReference.TryParse(null, out var result, out var error).ShouldBeFalse();

        result.ShouldBeNull();
        error.ShouldNotBeNull().ShouldContain("empty");
    }

    [Fact]
    public void TreatsDockerHubSpellingsAsTheSameImage() =>
        ImageReference.Parse("index.docker.io/library/nginx:latest").ShouldBe(ImageReference.Parse("nginx"));

    [Fact]
    public void DoesNotDefaultTheTagWhenADigestIsGiven() =>
        ImageReference.Parse("nginx@" + D256).Tag.ShouldBeNull();

    [Fact]
    public void NormalizesWhenConstructedDirectly() =>
        new ImageReference("index.docker.io", "nginx", "latest", null).ShouldBe(ImageReference.Parse("nginx"));

    [Fact]
    public void RejectsAnInvalidRepositoryWhenConstructedDirectly() =>
        Should.Throw<ArgumentException>(() => new ImageReference("docker.io", "Nginx", "latest", null));

    [Fact]
    public void RejectsAnInvalidTagInAWithExpression()
    {
        var reference = ImageReference.Parse("nginx");

        Should.Throw<ArgumentException>(() => reference with { Tag = "no spaces" });
        (reference with { Tag = "1.27" }).ToString().ShouldBe("docker.io/library/nginx:1.27");
    }

    [Fact]
    public void NameLeavesOutTagAndDigest() =>
        ImageReference.Parse("localhost:5000/a/b:v1@" + D256).Name.ShouldBe("localhost:5000/a/b");

    [Fact]
    public void DeconstructsIntoItsParts()
    {
        var (registry, repository, tag, digest) = ImageReference.Parse("ghcr.io/o/r:v2");

        (registry, repository, tag, digest).ShouldBe(("ghcr.io", "o/r", (string?)"v2", (Digest?)null));
    }
}
