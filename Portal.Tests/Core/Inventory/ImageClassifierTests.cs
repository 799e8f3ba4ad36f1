using Portal.Core.Inventory;

namespace Portal.Tests.Core.Inventory;

public sealed class ImageClassifierTests
{
    private static readonly Dictionary<string, string> NoLabels = [];

    private static ImageClassifier Classifier(params RuleDefinition[] rules) =>
        new(rules.Select((r, i) => ClassificationRule.Create(i + 1, r)), ChannelSettings.Default);

    private static ImageFacts Image(string repository, string[]? tags = null, Dictionary<string, string>? labels = null, int registry = 1) =>
        new(registry, repository, tags ?? ["v1"], labels ?? NoLabels);

    [Fact]
    public void FirstMatchingRuleDecidesTheClassAndTrack()
    {
        var classifier = Classifier(
            new RuleDefinition("curated notebooks", "aaw/jupyterlab-*", null, null, null, ImageClass.Curated, null),
            new RuleDefinition("everything in aaw", "aaw/**", null, null, null, ImageClass.Platform, "aaw"));

        var notebook = classifier.Classify(Image("aaw/jupyterlab-cpu"));
        var other = classifier.Classify(Image("aaw/tools/kubectl"));

        notebook.ShouldBe(new Classification(ImageClass.Curated, "jupyterlab-cpu", Channel.Prod, "rule: curated notebooks", 0));
        other.Class.ShouldBe(ImageClass.Platform);
        other.Track.ShouldBe("aaw");
        other.Reason.ShouldBe("rule: everything in aaw");
    }

    [Fact]
    public void SingleStarStaysWithinOnePathSegment()
    {
        RepositoryGlobPattern.Matches("aaw/*", "aaw/jupyterlab-cpu").ShouldBeTrue();
        RepositoryGlobPattern.Matches("aaw/*", "aaw/team/jupyterlab-cpu").ShouldBeFalse();
        RepositoryGlobPattern.Matches("aaw/**", "aaw/team/jupyterlab-cpu").ShouldBeTrue();
        RepositoryGlobPattern.Matches("**/custom-*", "users/alice/custom-notebook").ShouldBeTrue();
        RepositoryGlobPattern.Matches("aaw.x/*", "aawyx/a").ShouldBeFalse("a dot is literal, not a regex wildcard");
    }

    [Fact]
    public void LabelRuleNeedsTheLabelAndOptionallyItsValue()
    {
        var classifier = Classifier(
            new RuleDefinition("kubeflow parts", null, "app.kubernetes.io/part-of", "kubeflow", null, ImageClass.Platform, null),
            new RuleDefinition("anything labelled by a team", null, "team", "", null, ImageClass.User, null));

        classifier.Classify(Image("platform/controller", labels: new() { ["app.kubernetes.io/part-of"] = "Kubeflow" })).Class.ShouldBe(ImageClass.Platform);
        classifier.Classify(Image("platform/other", labels: new() { ["app.kubernetes.io/part-of"] = "istio" })).Class.ShouldBe(ImageClass.Unclassified);
        classifier.Classify(Image("x/y", labels: new() { ["team"] = "data" })).Class.ShouldBe(ImageClass.User);
    }

    [Fact]
    public void RegistryRuleMatchesOnlyThatRegistry()
    {
        var classifier = Classifier(new RuleDefinition("user registry", null, null, null, 7, ImageClass.User, null));

        classifier.Classify(Image("a/b", registry: 7)).Class.ShouldBe(ImageClass.User);
        classifier.Classify(Image("a/b", registry: 8)).Class.ShouldBe(ImageClass.Unclassified);
    }

    [Fact]
    public void RepositoryOverrideWinsOverEveryRule()
    {
        var classifier = Classifier(new RuleDefinition("all", "**", null, null, null, ImageClass.User, null));

        var result = classifier.Classify(Image("aaw/jupyterlab-cpu") with { ClassOverride = ImageClass.Curated, TrackOverride = "notebooks" });

        result.ShouldBe(new Classification(ImageClass.Curated, "notebooks", Channel.Prod, "override", null));
    }

    [Fact]
    public void UnmatchedImageIsUnclassified()
    {
        var result = Classifier().Classify(Image("users/alice/custom-notebook"));

        result.Class.ShouldBe(ImageClass.Unclassified);
        result.Reason.ShouldBe("no rule matched");
    }

    [Theory]
    [InlineData("prod", new[] { "v4-dev" }, Channel.Prod)]
    [InlineData("dev", new[] { "v1" }, Channel.Dev)]
    [InlineData("Development", new[] { "v1" }, Channel.Dev)]
    [InlineData(null, new[] { "v4-dev" }, Channel.Dev)]
    [InlineData(null, new[] { "2.0.0-rc.1" }, Channel.Dev)]
    [InlineData(null, new[] { "v3" }, Channel.Prod)]
    [InlineData(null, new[] { "v3", "v3-dev" }, Channel.Prod)]
    [InlineData(null, new[] { "devtools" }, Channel.Prod)]
    public void ChannelComesFromTheLabelThenFromTheTags(string? label, string[] tags, Channel expected)
    {
        var labels = label is null ? NoLabels : new Dictionary<string, string> { ["deploymenttype"] = label };

        Classifier().Classify(Image("aaw/jupyterlab-cpu", tags, labels)).Channel.ShouldBe(expected);
    }

    [Theory]
    [InlineData("", "a/*", null, ImageClass.Curated, "name")]
    [InlineData("rule", null, null, ImageClass.Curated, "at least one condition")]
    [InlineData("rule", "a/*", null, ImageClass.Unclassified, "must give a class")]
    [InlineData("rule", "a/[abc]", null, ImageClass.Curated, "repository pattern may use")]
    public void RejectsRulesThatCannotWork(string name, string? glob, string? label, ImageClass imageClass, string message)
    {
        var errors = new RuleDefinition(name, glob, label, null, null, imageClass, null).Validate();

        errors.ShouldContain(e => e.Contains(message, StringComparison.Ordinal));
        Should.Throw<ArgumentException>(() => ClassificationRule.Create(1, new RuleDefinition(name, glob, label, null, null, imageClass, null)));
    }
}
