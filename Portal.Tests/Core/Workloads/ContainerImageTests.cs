using Portal.Core.Workloads;

namespace Portal.Tests.Core.Workloads;

public sealed class ContainerImageTests
{
    private const string Digest = "sha256:3b6db8b6fb23424366ef91d7e9e818e42291316fa81c00c2c75dcafa614340c5";

    [Fact]
    public void ResolvesTheDigestFromADockerPullableImageId()
    {
        var image = ContainerImage.Resolve(
            "602401143452.dkr.ecr.us-east-1.amazonaws.com/amazon-k8s-cni:v1.10.1-eksbuild.1",
            $"docker-pullable://602401143452.dkr.ecr.us-east-1.amazonaws.com/amazon-k8s-cni@{Digest}");

        image.ShouldBe(new ContainerImage(
            "602401143452.dkr.ecr.us-east-1.amazonaws.com/amazon-k8s-cni:v1.10.1-eksbuild.1",
            "602401143452.dkr.ecr.us-east-1.amazonaws.com", "amazon-k8s-cni", "v1.10.1-eksbuild.1", Digest));
    }

    [Fact]
    public void AppliesDockerHubDefaultsToShortNames()
    {
        var image = ContainerImage.Resolve("jfusterm/stress:latest", $"docker-pullable://jfusterm/stress@{Digest}");
        var official = ContainerImage.Resolve("nginx", null);

        image.Reference.ShouldBe("docker.io/jfusterm/stress:latest");
        image.Digest.ShouldBe(Digest);
        official.Reference.ShouldBe("docker.io/library/nginx:latest");
        official.Registry.ShouldBe("docker.io");
        official.Repository.ShouldBe("library/nginx");
        official.Tag.ShouldBe("latest");
        official.Digest.ShouldBeNull();
    }

    [Fact]
    public void ResolvesTheDigestFromAContainerdImageId()
    {
        var image = ContainerImage.Resolve("ghcr.io/kubeflow/notebook:v1", $"ghcr.io/kubeflow/notebook@{Digest}");

        image.Digest.ShouldBe(Digest);
    }

    [Theory]
    [InlineData("docker://sha256:3b6db8b6fb23424366ef91d7e9e818e42291316fa81c00c2c75dcafa614340c5")]
    [InlineData("sha256:3b6db8b6fb23424366ef91d7e9e818e42291316fa81c00c2c75dcafa614340c5")]
    [InlineData("")]
    [InlineData(null)]
    public void IgnoresLocalImageIdsThatNameNoManifest(string? imageId)
    {
        ContainerImage.Resolve("nginx:1.27", imageId).Digest.ShouldBeNull();
    }

    [Fact]
    public void TakesTheDigestOfADigestPinnedReferenceWhenTheStatusHasNone()
    {
        var image = ContainerImage.Resolve($"quay.io/openshift-release-dev/ocp-v4.0-art-dev@{Digest}", null);

        image.Digest.ShouldBe(Digest);
        image.Tag.ShouldBeNull();
        image.Repository.ShouldBe("openshift-release-dev/ocp-v4.0-art-dev");
    }

    [Fact]
    public void PrefersThePulledDigestOverThePinnedOne()
    {
        const string pulled = "sha256:09c4a9684cc63dc17565b656b57797498b4a5d5e10f4286ce5ad6ff7435d7f3d";

        ContainerImage.Resolve($"quay.io/x/y@{Digest}", $"quay.io/x/y@{pulled}").Digest.ShouldBe(pulled);
    }

    [Theory]
    [InlineData("...")]
    [InlineData("UPPER/Case:tag")]
    [InlineData("   ")]
    public void KeepsUnparseableReferencesAsWrittenWithoutResolvingThem(string reference)
    {
        var image = ContainerImage.Resolve(reference, "...");

        image.Reference.ShouldBe(reference);
        image.Registry.ShouldBeNull();
        image.Digest.ShouldBeNull();
    }
}
