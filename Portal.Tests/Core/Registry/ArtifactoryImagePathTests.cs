using System.Text.Json;
using Portal.Core.Registry;

namespace Portal.Tests.Core.Registry;

public sealed class ArtifactoryImagePathTests
{
    // input, server id, repository key, repository, tag
    public static TheoryData<string, string?, string, string, string> ValidPaths => new()
    {
        { "default/docker-local/aaw/jupyterlab-cpu/v1/", "default", "docker-local", "aaw/jupyterlab-cpu", "v1" },
        { "docker-local/aaw/jupyterlab-cpu/v1/manifest.json", null, "docker-local", "aaw/jupyterlab-cpu", "v1" },
        { "docker-local/aaw/jupyterlab-cpu/v1/list.manifest.json", null, "docker-local", "aaw/jupyterlab-cpu", "v1" },
        { "docker-local/aaw/jupyterlab-cpu/v1", null, "docker-local", "aaw/jupyterlab-cpu", "v1" },
        { "/docker-local/aaw/jupyterlab-cpu/v1/", null, "docker-local", "aaw/jupyterlab-cpu", "v1" },
        { "default/docker-local/aaw/jupyterlab-cpu/v1/manifest.json", "default", "docker-local", "aaw/jupyterlab-cpu", "v1" },
        { "docker-local/nginx/1.27.0", null, "docker-local", "nginx", "1.27.0" },
        { "default/docker-local/nginx/latest/", "default", "docker-local", "nginx", "latest" },
        // Too short to carry a server id, so "default" is the repository key.
        { "default/nginx/latest", null, "default", "nginx", "latest" },
        { "docker-local/aaw/jupyterlab-cpu/v1/sha256__cbc330c4d62cdcdac9408f3fc679b06fc8a22b08638c8f25720f3cd621f52fb6.tar.gz/3.12:openssl:1.1.1k-r0", null, "docker-local", "aaw/jupyterlab-cpu", "v1" },
        { "docker://aaw/jupyterlab-cpu:v1", null, "", "aaw/jupyterlab-cpu", "v1" },
        { "docker://alpine:latest", null, "", "alpine", "latest" },
        { "jupyterlab-cpu:v1", null, "", "jupyterlab-cpu", "v1" },
    };

    [Theory]
    [MemberData(nameof(ValidPaths))]
    public void ParsesXrayPathsAndComponentIds(string input, string? serverId, string key, string repository, string tag)
    {
        ArtifactoryImagePath.TryParse(input, out var path, out var error).ShouldBeTrue(error);

        path.ShouldBe(new ArtifactoryImagePath(serverId, key, repository, tag));
        path.HasRepositoryKey.ShouldBe(key.Length > 0);
        error.ShouldBeNull();
    }

    [Fact]
    public void ParsesTheReportsApiRowsWherePathAndComponentIdAgree()
    {
        using var report = JsonDocument.Parse(File.ReadAllBytes(
            RegistryFixtures.JfrogXray("unified", "Vulnerabilities-Report-XRAY_Unified.json")));
        var rows = report.RootElement.GetProperty("rows").EnumerateArray().ToList();
        rows.Count.ShouldBe(7);

        foreach (var row in rows)
        {
            ArtifactoryImagePath.TryParse(row.GetProperty("path").GetString(), out var path, out var error).ShouldBeTrue(error);
            ArtifactoryImagePath.TryParse(row.GetProperty("impacted_artifact").GetString(), out var component, out error).ShouldBeTrue(error);

            path.RepositoryKey.ShouldBe("docker-reg");
            path.ServerId.ShouldBeNull();
            (path.Repository, path.Tag).ShouldBe((component.Repository, component.Tag));
            component.HasRepositoryKey.ShouldBeFalse();

            // The vulnerable component is an rpm package inside the image, not an image.
            ArtifactoryImagePath.TryParse(row.GetProperty("vulnerable_component").GetString(), out _, out error).ShouldBeFalse();
            error.ShouldNotBeNull().ShouldContain("rpm component");
        }

        rows.Select(r => r.GetProperty("path").GetString()).Distinct()
            .ShouldBe(["docker-reg/test-artifact/1.0.5/", "docker-reg/test-artifact/1.0.0/"], ignoreOrder: true);
    }

    [Fact]
    public void ParsesTheSummaryApiPathComponentIdAndImpactPath()
    {
        using var summary = JsonDocument.Parse(File.ReadAllBytes(
            RegistryFixtures.JfrogXray("api_summary_artifact", "one_vuln.json")));
        var artifact = summary.RootElement.GetProperty("artifacts")[0];
        var general = artifact.GetProperty("general");
        general.GetProperty("pkg_type").GetString().ShouldBe("Docker");

        var expected = new ArtifactoryImagePath(null, "artifact_path", "artifact1", "1.0");
        Parse(general.GetProperty("path").GetString()).ShouldBe(expected);
        Parse(general.GetProperty("component_id").GetString()).ShouldBe(expected with { RepositoryKey = "" });
        foreach (var issue in artifact.GetProperty("issues").EnumerateArray())
        {
            foreach (var impact in issue.GetProperty("impact_path").EnumerateArray())
            {
                Parse(impact.GetString()).ShouldBe(expected);
            }
        }
    }

    [Fact]
    public void ParsesTheDockerRootOfOnDemandScanImpactPathsAndRejectsTheLayerComponents()
    {
        using var scan = JsonDocument.Parse(File.ReadAllBytes(
            RegistryFixtures.JfrogXray("on_demand_binary_scan", "many_vulns_docker.json")));
        var impactPaths = scan.RootElement[0].GetProperty("vulnerabilities").EnumerateArray()
            .SelectMany(v => v.GetProperty("components").EnumerateObject())
            .SelectMany(c => c.Value.GetProperty("impact_paths").EnumerateArray())
            .ToList();
        impactPaths.ShouldNotBeEmpty();

        foreach (var impactPath in impactPaths)
        {
            var ids = impactPath.EnumerateArray().Select(step => step.GetProperty("component_id").GetString()).ToList();
            Parse(ids[0]).ShouldBe(new ArtifactoryImagePath(null, "", "alpine", "latest"));
            foreach (var id in ids.Skip(1))
            {
                ArtifactoryImagePath.TryParse(id, out _, out var error).ShouldBeFalse();
                error.ShouldNotBeNull().ShouldContain("not a Docker image");
            }
        }
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("docker-local/../secret/v1", "path traversal")]
    [InlineData("docker-local/aaw/../../v1/", "path traversal")]
    [InlineData("default/docker-local/aaw/jupyterlab-cpu/v1/sha256__abc/../../../x", "path traversal")]
    [InlineData("docker-local/./aaw/v1", "path traversal")]
    [InlineData("docker-local//aaw/v1", "empty segment")]
    [InlineData("docker-local/aaw/v1//", "empty segment")]
    [InlineData("//docker-local/aaw/v1", "empty segment")]
    [InlineData("docker-local\\aaw\\v1", "backslash")]
    [InlineData("docker-local/aaw", "needs a repository key, an image name and a tag folder")]
    [InlineData("docker-local/aaw/manifest.json", "needs a repository key")]
    [InlineData("docker-local/AAW/jupyterlab-cpu/v1", "must be lowercase")]
    [InlineData("docker-local/aaw/jupyterlab-cpu/bad!tag", "may contain only")]
    [InlineData("docker local/aaw/v1", "repository key 'docker local'")]
    [InlineData("docker://aaw/jupyterlab-cpu", "has no tag")]
    [InlineData("docker://../etc:passwd", "is invalid")]
    [InlineData("npm://lodash:4.17.20", "npm component")]
    [InlineData("generic://sha256:78a822fe2a2d2c84f3de4a403188c45f623017d6a4521d23047c9fbb0801794c/x.tar", "generic component")]
    public void RejectsMalformedPaths(string input, string expectedMessagePart)
    {
        ArtifactoryImagePath.TryParse(input, out var path, out var error).ShouldBeFalse();

        path.ShouldBeNull();
        error.ShouldNotBeNull().ShouldContain(expectedMessagePart);
    }

    [Fact]
    public void RejectsNull() => ArtifactoryImagePath.TryParse(null, out _, out _).ShouldBeFalse();

    [Fact]
    public void RecognisesARenamedServerId()
    {
        ArtifactoryImagePath.TryParse("art-eu/docker-local/aaw/jupyterlab-cpu/v1/", "art-eu", out var path, out _).ShouldBeTrue();

        path.ServerId.ShouldBe("art-eu");
        path.RepositoryKey.ShouldBe("docker-local");
    }

    [Fact]
    public void MapsToAReferenceWithTheRepositoryKeyInThePath() =>
        Parse("default/docker-local/aaw/jupyterlab-cpu/v1/").ToReference("artifactory.example.com", repositoryKeyInPath: true)
            .ToString().ShouldBe("artifactory.example.com/docker-local/aaw/jupyterlab-cpu:v1");

    [Fact]
    public void MapsToAReferenceOnARepositorySubdomain() =>
        Parse("default/docker-local/aaw/jupyterlab-cpu/v1/").ToReference("docker-local.artifactory.example.com", repositoryKeyInPath: false)
            .ToString().ShouldBe("docker-local.artifactory.example.com/aaw/jupyterlab-cpu:v1");

    [Fact]
    public void MapsToAReferenceOnARepositoryPort() =>
        Parse("docker-reg/test-artifact/1.0.0/").ToReference("artifactory.example.com:8082", repositoryKeyInPath: false)
            .ShouldBe(ImageReference.Parse("artifactory.example.com:8082/test-artifact:1.0.0"));

    [Fact]
    public void AcceptsARegistryUrlAsTheHost() =>
        Parse("docker-local/nginx/latest").ToReference("https://Artifactory.Example.com/", repositoryKeyInPath: true)
            .ToString().ShouldBe("artifactory.example.com/docker-local/nginx:latest");

    [Fact]
    public void RefusesToPutAMissingRepositoryKeyInThePath()
    {
        var component = Parse("docker://aaw/jupyterlab-cpu:v1");

        Should.Throw<InvalidOperationException>(() => component.ToReference("artifactory.example.com", repositoryKeyInPath: true));
        component.ToReference("docker-local.artifactory.example.com", repositoryKeyInPath: false).ToString()
            .ShouldBe("docker-local.artifactory.example.com/aaw/jupyterlab-cpu:v1");
    }

    private static ArtifactoryImagePath Parse(string? input)
    {
        ArtifactoryImagePath.TryParse(input, out var path, out var error).ShouldBeTrue(error);
        return path;
    }
}
