using System.Text;
using System.Text.Json.Nodes;
using Portal.Core.Admission;

namespace Portal.Tests.Core.Admission;

public sealed class AdmissionReviewCodecTests
{
    [Fact]
    public void ReadsEveryContainerKindOfARealPodWithItsNamespaceAndController()
    {
        var pod = AdmissionFixtures.Pod("aws-node-48cfw");
        pod["spec"]!["ephemeralContainers"] = new JsonArray(new JsonObject { ["name"] = "debugger", ["image"] = "busybox:1.36" });

        var request = AdmissionFixtures.Request(AdmissionFixtures.Review(pod));

        request.Uid.ShouldBe("705ab4f5-6393-11e8-b7cc-42010a800002");
        request.Operation.ShouldBe("CREATE");
        request.Namespace.ShouldBe("kube-system");
        request.Workload.ShouldBe("DaemonSet aws-node");
        request.Images.Select(i => (i.ContainerKind, i.Image)).ShouldBe([
            ("initContainers", "602401143452.dkr.ecr.us-east-1.amazonaws.com/amazon-k8s-cni-init:v1.10.1-eksbuild.1"),
            ("containers", "602401143452.dkr.ecr.us-east-1.amazonaws.com/amazon-k8s-cni:v1.10.1-eksbuild.1"),
            ("ephemeralContainers", "busybox:1.36"),
        ]);
    }

    [Fact]
    public void NamesADeploymentsPodByItsDeploymentBeforeTheApiServerNamesIt()
    {
        var request = AdmissionFixtures.Request(AdmissionFixtures.Review(AdmissionFixtures.Pod("coredns-7f5998f4c-5fblt").Unnamed()));

        request.Workload.ShouldBe("Deployment coredns");
        request.WorkloadNames.ShouldBe(["coredns"]);
    }

    [Fact]
    public void AnUpdateIsJudgedOnlyOnTheImagesItIntroduces()
    {
        var old = AdmissionFixtures.Pod("stress2");
        var unchanged = AdmissionFixtures.Request(AdmissionFixtures.Review(AdmissionFixtures.Pod("stress2"), operation: "UPDATE", old: old));
        var changed = AdmissionFixtures.Request(AdmissionFixtures.Review(AdmissionFixtures.Pod("stress2").WithImage("jfusterm/stress:v2"), operation: "UPDATE", old: old));

        unchanged.Images.ShouldBeEmpty("a label change must not be refused because the running image has since expired");
        changed.Images.Single().Image.ShouldBe("jfusterm/stress:v2");
    }

    [Theory]
    [InlineData("not json", "The body is not JSON")]
    [InlineData("[1,2]", "not an AdmissionReview object")]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"a"}}""", "Expected apiVersion 'admission.k8s.io/v1'")]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}""", "has no request")]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"kind":{"kind":"Pod"}}}""", "has no uid")]
    public void ABodyWithoutAReviewUidIsAFormatError(string body, string message)
    {
        var error = Should.Throw<AdmissionReviewFormatException>(() => AdmissionReviewCodec.Read(Encoding.UTF8.GetBytes(body)));

        error.Message.ShouldContain(message);
    }

    [Theory]
    [InlineData("""{"kind":{"group":"apps","version":"v1","kind":"Deployment"},"operation":"CREATE","object":{"spec":{}}}""", "Only pods are reviewed")]
    [InlineData("""{"kind":{"group":"","version":"v1","kind":"Pod"},"operation":"DELETE","object":null}""", "Only CREATE and UPDATE")]
    [InlineData("""{"kind":{"group":"","version":"v1","kind":"Pod"},"operation":"CREATE"}""", "no pod in 'object'")]
    [InlineData("""{"kind":{"group":"","version":"v1","kind":"Pod"},"operation":"CREATE","object":{"metadata":{}}}""", "The pod has no spec.")]
    [InlineData("""{"kind":{"group":"","version":"v1","kind":"Pod"},"operation":"CREATE","object":{"spec":{"containers":{"a":1}}}}""", "spec.containers is not a list.")]
    [InlineData("""{"kind":{"group":"","version":"v1","kind":"Pod"},"operation":"CREATE","object":{"spec":{"containers":[{"name":"main"}]}}}""", "spec.containers[0] (main) has no image.")]
    public void AReviewThatCannotBeJudgedKeepsItsUidAndSaysWhy(string request, string message)
    {
        var body = $$"""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-1",{{request[1..]}}}""";

        var (uid, parsed, error) = AdmissionReviewCodec.Read(Encoding.UTF8.GetBytes(body));

        uid.ShouldBe("u-1");
        parsed.ShouldBeNull();
        error!.ShouldContain(message);
    }

    [Fact]
    public void WritesARefusalAndWarningsInTheReviewFormat()
    {
        var response = AdmissionFixtures.Response(AdmissionReviewCodec.Write("u-2", false, 403, "Image x is refused.", ["careful"]));

        response.GetProperty("uid").GetString().ShouldBe("u-2");
        response.GetProperty("allowed").GetBoolean().ShouldBeFalse();
        response.GetProperty("status").GetProperty("code").GetInt32().ShouldBe(403);
        response.GetProperty("status").GetProperty("message").GetString().ShouldBe("Image x is refused.");
        response.GetProperty("warnings")[0].GetString().ShouldBe("careful");
    }
}
