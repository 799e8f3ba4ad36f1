using Portal.Core.Inventory;
using Portal.Core.Lifecycle;

namespace Portal.Tests.Core.Lifecycle;

/// <summary>Tags read as versions (Renovate's way with Docker tags), images ordered within a track, and the candidate replacement.</summary>
public sealed class TrackOrderTests
{
    private static readonly DateTimeOffset Day0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("v1.2.3", "1.2.3", "")]
    [InlineData("1.2", "1.2.0", "")]
    [InlineData("V3", "3.0.0", "")]
    [InlineData("v2-cpu", "2.0.0", "cpu")]
    [InlineData("2.1-cuda12-ubuntu22", "2.1.0", "cuda12-ubuntu22")]
    [InlineData("v2.0.0-rc1", "2.0.0-rc.1", "")]
    [InlineData("2.0.0-rc.1-cuda12", "2.0.0-rc.1", "cuda12")]
    [InlineData("v4-dev", "4.0.0-dev", "")]
    [InlineData("1.0.0-Beta2-CPU", "1.0.0-beta.2", "cpu")]
    [InlineData("v3.1.0-beta_3", "3.1.0-beta.3", "")]
    public void TagsReadAsVersionsWithAPreReleaseAndACompatibilityMarker(string tag, string version, string marker)
    {
        var parsed = TagVersion.Parse(tag).ShouldNotBeNull();

        parsed.Version.ToString().ShouldBe(version);
        parsed.Marker.ShouldBe(marker);
    }

    [Theory]
    [InlineData("latest")]
    [InlineData("20261122")]
    [InlineData("sha-1a2b3c4")]
    [InlineData("1.2.3.4")]
    [InlineData("v")]
    [InlineData("")]
    [InlineData(null)]
    public void TagsThatAreNotVersionsHaveNone(string? tag) => TagVersion.Parse(tag).ShouldBeNull();

    [Fact]
    public void VersionsOrderByPrecedenceNotByText()
    {
        string[] tags = ["v10.0.0", "v2.0.1", "v2.0.0", "v2.0.0-rc1", "v2.0.0-beta2", "v2.0.0-beta10", "v1.9"];

        tags.OrderBy(t => TagVersion.Parse(t)!.Version, Semver.SemVersion.PrecedenceComparer)
            .ShouldBe(["v1.9", "v2.0.0-beta2", "v2.0.0-beta10", "v2.0.0-rc1", "v2.0.0", "v2.0.1", "v10.0.0"]);
    }

    [Fact]
    public void ATrackIsOrderedByVersionWhenEveryImageHasOneAndByBuildTimeWhenStylesAreMixed()
    {
        var v10 = Image(1, ["v10"], builtDay: 1);
        var v9 = Image(2, ["v9"], builtDay: 5);
        var latest = Image(3, ["latest"], builtDay: 3);

        TrackOrder.Order([v10, v9]).Select(i => i.Id).ShouldBe([2L, 1L], "v9 before v10, though built later");
        TrackOrder.Order([v10, v9, latest]).Select(i => i.Id).ShouldBe([1L, 3L, 2L], "mixed styles: by build time");
    }

    [Fact]
    public void TheCandidateIsTheHighestCleanProdReleaseWithTheSameMarker()
    {
        var from = Image(1, ["v1-cpu"], builtDay: 1);
        Dictionary<long, bool> blocked = [];
        LifecycleImage[] track =
        [
            from,
            Image(2, ["v2-cpu"], builtDay: 2),
            Image(3, ["v3-cpu"], builtDay: 3, isBlocked: true, blocked: blocked),
            Image(4, ["v4-cpu"], builtDay: 4, channel: Channel.Dev),
            Image(5, ["v5-gpu"], builtDay: 5),
            Image(6, ["v2.1.0-rc1-cpu"], builtDay: 6),
            Image(7, ["v9-cpu"], builtDay: 7, track: "other"),
            Image(8, ["latest"], builtDay: 8),
        ];

        var candidate = TrackOrder.CandidateFor(from, track, i => blocked.GetValueOrDefault(i.Id)).ShouldNotBeNull();

        candidate.Image.Id.ShouldBe(2);
        candidate.Why.ShouldBe("Newest Prod release on track jupyterlab with the same marker (cpu) without blocking findings: 2.0.0 after 1.0.0.");
    }

    [Fact]
    public void WithoutVersionsTheNewestCleanProdBuildIsTheCandidateAndAnOlderVersionRebuiltLaterNeverIs()
    {
        var latest = Image(1, ["latest"], builtDay: 1);
        var nightly = Image(2, ["nightly-build"], builtDay: 9, channel: Channel.Dev);
        var dated = Image(3, ["2026-02-01"], builtDay: 5);

        TrackOrder.CandidateFor(latest, [latest, nightly, dated], _ => false).ShouldNotBeNull().Image.Id.ShouldBe(3);

        var v3 = Image(4, ["v3"], builtDay: 1);
        var v2Rebuilt = Image(5, ["v2"], builtDay: 20);
        TrackOrder.CandidateFor(v3, [v3, v2Rebuilt], _ => false).ShouldBeNull("v2 is older than v3 however late it was built");
        TrackOrder.CandidateFor(Image(6, ["v1"], builtDay: 1, track: null), [v3], _ => false).ShouldBeNull("no track, no candidate");
    }

    [Fact]
    public void NoCandidateIsEverDevVulnerableOnAnotherTrackOrOlder()
    {
        var random = new Random(20261122);
        string[] styles = ["v{0}", "v{0}-cpu", "v{0}-gpu", "{0}.1", "v{0}.0.0-rc1", "latest", "build-{0}"];
        for (var estate = 0; estate < 300; estate++)
        {
            Dictionary<long, bool> blocked = [];
            var images = Enumerable.Range(1, random.Next(2, 12))
                .Select(id => Image(id, [string.Format(System.Globalization.CultureInfo.InvariantCulture, styles[random.Next(styles.Length)], random.Next(1, 6))],
                    builtDay: random.Next(1, 30), channel: random.Next(4) == 0 ? Channel.Dev : Channel.Prod, track: random.Next(5) == 0 ? "other" : "jupyterlab",
                    isBlocked: random.Next(3) == 0, blocked: blocked))
                .ToList();
            foreach (var from in images)
            {
                if (TrackOrder.CandidateFor(from, images, i => blocked.GetValueOrDefault(i.Id)) is not { } candidate)
                {
                    continue;
                }

                var to = candidate.Image;
                to.Channel.ShouldBe(Channel.Prod);
                blocked.GetValueOrDefault(to.Id).ShouldBeFalse();
                to.Track.ShouldBe(from.Track);
                to.Id.ShouldNotBe(from.Id);
                var (a, b) = (TagVersion.HighestOf(from.Tags.Select(t => t.Name)), TagVersion.HighestOf(to.Tags.Select(t => t.Name)));
                if (a is not null && b is not null)
                {
                    b.Marker.ShouldBe(a.Marker, $"{from.Tags[0].Name} -> {to.Tags[0].Name}");
                    b.CompareTo(a).ShouldBePositive();
                    b.IsPreRelease.ShouldBeFalse();
                }
                else
                {
                    to.Age.ShouldBeGreaterThan(from.Age);
                }
            }
        }
    }

    private static LifecycleImage Image(
        long id, string[] tags, int builtDay, Channel channel = Channel.Prod, string? track = "jupyterlab", bool isBlocked = false,
        Dictionary<long, bool>? blocked = null)
    {
        blocked?.Add(id, isBlocked);
        return new LifecycleImage(id, $"sha256:{id:D64}", 1, "aaw/jupyterlab", ImageClass.Curated, track, channel, Day0.AddDays(builtDay), Day0,
            [.. tags.Select((t, i) => new TagFacts(id * 100 + i, t, Day0))]);
    }
}
