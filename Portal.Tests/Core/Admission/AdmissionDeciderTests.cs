using Portal.Core.Admission;
using Portal.Core.Inventory;

namespace Portal.Tests.Core.Admission;

/// <summary>Decisions for the real pods of the fixtures against a small index: every mode and class, holds, exemptions, unknown and unscanned images.</summary>
public sealed class AdmissionDeciderTests
{
    private const string Portal = "https://portal.example.org";
    private const string StressDigest = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string EtcdDigest = "sha256:e547acdeb82a29ae9561b1d04b55525ec78a678d892a0575f8c8c34f93542ae7";
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static readonly AdmissionPolicy Enforce = new AdmissionPolicy() with
    {
        Modes = new Dictionary<ImageClass, AdmissionMode>
        {
            [ImageClass.Curated] = AdmissionMode.Enforce, [ImageClass.User] = AdmissionMode.Enforce,
            [ImageClass.Unclassified] = AdmissionMode.Enforce, [ImageClass.Platform] = AdmissionMode.Off,
        },
    };

    private static AdmissionImage Expired(ImageClass imageClass = ImageClass.Curated, AdmissionHold? hold = null) =>
        new(11, "docker.io/jfusterm/stress", imageClass, Scanned: true, Now.AddDays(-7), "CVE-2026-0001 (Critical) in openssl", null, null, hold,
            "docker.io/jfusterm/stress:v2@sha256:bbbb");

    private static AdmissionIndex Index(AdmissionPolicy policy, AdmissionImage stress, AdmissionImage? etcd = null,
        params (string Ns, string Name, AdmissionHold Hold)[] workloadHolds) =>
        new(policy,
            [new(StressDigest, stress), .. etcd is null ? Array.Empty<KeyValuePair<string, AdmissionImage>>() : [new(EtcdDigest, etcd)]],
            [new(AdmissionIndex.TagKey("docker.io", "jfusterm/stress", "latest"), stress)],
            workloadHolds.Select(h => new KeyValuePair<(string, string), AdmissionHold>((h.Ns, h.Name), h.Hold)),
            Now);

    private static AdmissionDecision Decide(AdmissionIndex index, string podName = "stress2") =>
        AdmissionDecider.Decide(AdmissionFixtures.Request(AdmissionFixtures.Review(AdmissionFixtures.Pod(podName))), index, Now, Portal);

    [Fact]
    public void RefusesAnExpiredImageNamingItsDateCauseReplacementAndLink()
    {
        var decision = Decide(Index(Enforce, Expired()));

        decision.Allowed.ShouldBeFalse();
        decision.Message.ShouldBe("Image jfusterm/stress:latest is refused: expired on 2026-11-16 (CVE-2026-0001 (Critical) in openssl). " +
            "Approved replacement: docker.io/jfusterm/stress:v2@sha256:bbbb. See https://portal.example.org/images/11.");
        decision.Findings.Single().ShouldBe(new AdmissionFinding("jfusterm/stress:latest", 11, ImageClass.Curated, AdmissionOutcome.Refused, true, decision.Message!));
    }

    public static TheoryData<ImageClass, AdmissionMode> ModesAndClasses()
    {
        var data = new TheoryData<ImageClass, AdmissionMode>();
        foreach (var imageClass in Enum.GetValues<ImageClass>())
        {
            foreach (var mode in Enum.GetValues<AdmissionMode>())
            {
                data.Add(imageClass, mode);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ModesAndClasses))]
    public void AnExpiredImageIsRefusedOnlyInEnforceWarnedInWarnAndIgnoredWhenOff(ImageClass imageClass, AdmissionMode mode)
    {
        var policy = new AdmissionPolicy { Modes = new Dictionary<ImageClass, AdmissionMode> { [imageClass] = mode } };

        var decision = Decide(Index(policy, Expired(imageClass)));

        decision.Allowed.ShouldBe(mode != AdmissionMode.Enforce);
        decision.Warnings.Count.ShouldBe(mode == AdmissionMode.Warn ? 1 : 0);
        decision.Findings.Count.ShouldBe(mode == AdmissionMode.Off ? 0 : 1);
        if (mode == AdmissionMode.Warn)
        {
            decision.Warnings[0].ShouldStartWith("Image jfusterm/stress:latest is expired on 2026-11-16");
            decision.Warnings[0].ShouldContain("it will be refused when admission is enforced");
            decision.Findings[0].WouldRefuse.ShouldBeTrue("Warn mode's report of what Enforce would refuse");
        }
    }

    [Fact]
    public void PlatformImagesAreExemptByDefault()
    {
        new AdmissionPolicy().ModeOf(ImageClass.Platform).ShouldBe(AdmissionMode.Off);
        Decide(Index(new AdmissionPolicy(), Expired(ImageClass.Platform))).ShouldBe(AdmissionDecision.AllowedSilently);
    }

    [Fact]
    public void AHeldImageIsLetThroughWithAWarningThatSaysSo()
    {
        var decision = Decide(Index(Enforce, Expired(hold: new AdmissionHold(Now.AddDays(5), "approver@example.org", "exam week"))));

        decision.Allowed.ShouldBeTrue();
        // In full it runs past the API server's limit, so the cause (on the linked page too) is shortened.
        decision.Warnings.ShouldHaveSingleItem().ShouldBe(
            "Image jfusterm/stress:latest is expired on 2026-11-16 (CVE-2026-0001 (C..., let through by a hold until 2026-11-28 by approver@example.org: exam week. "
            + "Approved replacement: docker.io/jfusterm/stress:v2@sha256:bbbb. See https://portal.example.org/images/11.");
        decision.Findings.Single().Reason.ShouldContain("(CVE-2026-0001 (Critical) in openssl), let through", customMessage: "the record keeps it whole");
        decision.Findings.Single().WouldRefuse.ShouldBeFalse("a held image would be let through under Enforce too");
    }

    [Fact]
    public void AWarningFitsTheApiServersLimitGivingUpTheCauseTheReplacementAndTheEndOfALongHoldNoteButNotTheLink()
    {
        var note = "exam week\nthe course runs its final assessment on this image; " + string.Concat(Enumerable.Repeat("students must not lose their work. ", 8));

        var decision = Decide(Index(Enforce, Expired(hold: new AdmissionHold(Now.AddDays(5), "approver@example.org", note))));

        var warning = decision.Warnings.ShouldHaveSingleItem();
        warning.Length.ShouldBeLessThanOrEqualTo(AdmissionDecider.MaxWarningLength);
        warning.ShouldStartWith("Image jfusterm/stress:latest is expired on 2026-11-16, let through by a hold until 2026-11-28 by approver@example.org: "
            + "exam week the course runs its final assessment on this image; students");
        warning.ShouldEndWith("... See https://portal.example.org/images/11.");
        warning.ShouldNotContain("\n", customMessage: "the API server would drop it and glue two words together");
        decision.Findings.Single().Reason.ShouldContain("students must not lose their work. students", customMessage: "the record keeps the whole reason");
    }

    [Fact]
    public void AnImageReferenceTooLongForTheWarningLosesItsMiddleButNotItsDigestsEndTheProblemOrTheLink()
    {
        var repository = "registry.example.org/" + string.Join("/", Enumerable.Repeat("analytics-team-experiments", 6)) + "/stress";
        var image = $"{repository}:2026.11.23-nightly-build-1234@{StressDigest}";
        var warn = new AdmissionPolicy { Modes = new Dictionary<ImageClass, AdmissionMode> { [ImageClass.Curated] = AdmissionMode.Warn } };
        var request = AdmissionFixtures.Request(AdmissionFixtures.Review(AdmissionFixtures.Pod("stress2").WithImage(image)));

        var decision = AdmissionDecider.Decide(request, Index(warn, Expired()), Now, Portal);

        image.Length.ShouldBeGreaterThan(AdmissionDecider.MaxWarningLength);
        var warning = decision.Warnings.ShouldHaveSingleItem();
        warning.Length.ShouldBeLessThanOrEqualTo(AdmissionDecider.MaxWarningLength);
        warning.ShouldStartWith("Image registry.example.org/analytics-team-experiments/");
        warning.ShouldContain("...");
        warning.ShouldContain($"{StressDigest[^20..]} is expired on 2026-11-16");
        warning.ShouldContain("; it will be refused when admission is enforced.");
        warning.ShouldEndWith(" See https://portal.example.org/images/11.");
    }

    [Fact]
    public void AHoldThatHasEndedLetsNothingThrough()
    {
        Decide(Index(Enforce, Expired(hold: new AdmissionHold(Now.AddMinutes(-1), "approver@example.org", "exam week")))).Allowed.ShouldBeFalse();
    }

    [Fact]
    public void AHoldOnTheWorkloadLetsItsNewPodThroughUnderTheDeploymentName()
    {
        var coredns = Expired() with { Name = "ecr/eks/coredns" };
        var policy = Enforce with { ExemptNamespaces = [] };
        var index = new AdmissionIndex(policy, [],
            [new(AdmissionIndex.TagKey("602401143452.dkr.ecr.us-east-1.amazonaws.com", "eks/coredns", "v1.8.7-eksbuild.1"), coredns)],
            [new(("kube-system", "coredns"), new AdmissionHold(Now.AddDays(2), "approver@example.org", "DNS migration"))], Now);
        var request = AdmissionFixtures.Request(AdmissionFixtures.Review(AdmissionFixtures.Pod("coredns-7f5998f4c-5fblt").Unnamed()));

        var decision = AdmissionDecider.Decide(request, index, Now, Portal);

        decision.Allowed.ShouldBeTrue();
        decision.Warnings.Single().ShouldContain("let through by a hold until 2026-11-25 by approver@example.org: DNS migration");
    }

    [Fact]
    public void AnExemptNamespaceIsNeverJudged()
    {
        var everything = Enforce with { UnknownImages = AdmissionAction.Refuse, ExemptNamespaces = ["kube-system", "stress-test"] };

        Decide(Index(everything, Expired()), "stress2").ShouldBe(AdmissionDecision.AllowedSilently);
        Decide(Index(everything, Expired()), "aws-node-48cfw").ShouldBe(AdmissionDecision.AllowedSilently, "kube-system is exempt by default");
    }

    [Theory]
    [InlineData(AdmissionAction.Allow, true, 0)]
    [InlineData(AdmissionAction.Warn, true, 1)]
    [InlineData(AdmissionAction.Refuse, false, 0)]
    public void AnImageTheInventoryDoesNotKnowFollowsItsSetting(AdmissionAction action, bool allowed, int warnings)
    {
        var policy = Enforce with { UnknownImages = action };
        var request = AdmissionFixtures.Request(AdmissionFixtures.Review(AdmissionFixtures.Pod("stress2").WithImage("docker.io/someone/else:1.0")));

        var decision = AdmissionDecider.Decide(request, Index(policy, Expired()), Now, Portal);

        decision.Allowed.ShouldBe(allowed);
        decision.Warnings.Count.ShouldBe(warnings);
        if (!allowed)
        {
            decision.Message.ShouldBe("Image docker.io/someone/else:1.0 is refused: the image governance portal does not know it (not in any registry it inventories). " +
                "Use an image from a registry the portal manages; see https://portal.example.org/images.");
        }
    }

    [Theory]
    [InlineData(AdmissionAction.Allow, true, 0)]
    [InlineData(AdmissionAction.Warn, true, 1)]
    [InlineData(AdmissionAction.Refuse, false, 0)]
    public void AKnownImageThatWasNeverScannedFollowsItsSetting(AdmissionAction action, bool allowed, int warnings)
    {
        var unscanned = Expired() with { Scanned = false, Eol = null, EolCause = null };

        var decision = Decide(Index(Enforce with { UnscannedImages = action }, unscanned));

        decision.Allowed.ShouldBe(allowed);
        decision.Warnings.Count.ShouldBe(warnings);
        if (!allowed)
        {
            decision.Message!.ShouldContain("is refused: it has not been scanned yet");
        }
    }

    [Fact]
    public void AnInfectedImageIsRefusedByDigestInEveryContainerWithOneJudgementAndItsSignature()
    {
        var infected = Expired() with { ImageId = 12, Eol = Now.AddDays(3), MalwareSignature = "Eicar-Signature.UNOFFICIAL", MalwarePath = "/usr/bin/etcd", Replacement = null };
        var request = AdmissionFixtures.Request(AdmissionFixtures.Review(AdmissionFixtures.EtcdPod()));

        var decision = AdmissionDecider.Decide(request, Index(Enforce, Expired(), infected), Now, Portal);

        request.Images.Count.ShouldBe(5);
        decision.Allowed.ShouldBeFalse();
        decision.Findings.ShouldHaveSingleItem();
        decision.Message.ShouldBe(
            "Image quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:e547acdeb82a29ae9561b1d04b55525ec78a678d892a0575f8c8c34f93542ae7 is refused: " +
            "malware signature Eicar-Signature.UNOFFICIAL found in /usr/bin/etcd. See https://portal.example.org/images/12.");
    }

    [Fact]
    public void AHealthyScannedImageIsAllowedSilently()
    {
        Decide(Index(Enforce, Expired() with { Eol = Now.AddDays(1) })).ShouldBe(AdmissionDecision.AllowedSilently);
    }

    [Fact]
    public void APolicyNamesItsInvalidSettings()
    {
        var policy = new AdmissionPolicy { ExemptNamespaces = ["kube-system", "Bad_Name"] };

        policy.Validate().ShouldBe(["Exempt namespace 'Bad_Name' is not a Kubernetes namespace name (lowercase letters, digits and '-', at most 63)."]);
        AdmissionPolicy.FromJson(Enforce.ToJson(), 3).ShouldSatisfyAllConditions(
            p => p.Version.ShouldBe(3), p => p.ModeOf(ImageClass.User).ShouldBe(AdmissionMode.Enforce), p => p.ExemptNamespaces.ShouldBe(["kube-system"]));
    }
}
