using System.Text.RegularExpressions;

namespace Portal.Core.Inventory;

/// <summary>The facts about one image that classification looks at.</summary>
public sealed record ImageFacts(
    int RegistryId,
    string Repository,
    IReadOnlyCollection<string> Tags,
    IReadOnlyDictionary<string, string> Labels,
    ImageClass? ClassOverride = null,
    string? TrackOverride = null);

/// <summary>The outcome: class, track, channel and what decided it.</summary>
public sealed record Classification(ImageClass Class, string? Track, Channel Channel, string Reason, int? RuleId);

/// <summary>How the channel is read: a label first (e.g. deploymenttype=dev), a tag pattern when the label is absent.</summary>
public sealed record ChannelSettings(string LabelKey, IReadOnlyCollection<string> DevLabelValues, string DevTagPattern)
{
    public static ChannelSettings Default { get; } = new("deploymenttype", ["dev", "development", "test"], @"(^|[-_.])(dev|rc|alpha|beta|snapshot)([-_.0-9]|$)");
}

/// <summary>
/// Applies the ordered rules to an image: a repository override wins, then the first matching rule, otherwise the
/// image stays Unclassified (and shows on the to-do list). Pure: the same facts always give the same answer.
/// </summary>
public sealed class ImageClassifier
{
    private readonly IReadOnlyList<(ClassificationRule Rule, Regex? Glob)> _rules;
    private readonly ChannelSettings _channel;
    private readonly Regex _devTag;

    public ImageClassifier(IEnumerable<ClassificationRule> rules, ChannelSettings channel)
    {
        _rules = rules.OrderBy(r => r.Order).ThenBy(r => r.Id)
            .Select(r => (r, r.RepositoryGlob is null ? null : RepositoryGlobPattern.ToRegex(r.RepositoryGlob)))
            .ToList();
        _channel = channel;
        _devTag = new Regex(channel.DevTagPattern, RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, TimeSpan.FromMilliseconds(100));
    }

    public Classification Classify(ImageFacts image)
    {
        var channel = ChannelOf(image);
        if (image.ClassOverride is { } overridden)
        {
            return new Classification(overridden, image.TrackOverride ?? DefaultTrack(image.Repository), channel, "override", null);
        }

        foreach (var (rule, glob) in _rules)
        {
            if (Matches(rule, glob, image))
            {
                return new Classification(rule.Class, image.TrackOverride ?? rule.Track ?? DefaultTrack(image.Repository), channel,
                    $"rule: {rule.Name}", rule.Id);
            }
        }

        return new Classification(ImageClass.Unclassified, image.TrackOverride, channel, "no rule matched", null);
    }

    /// <summary>Whether a rule being edited would match an image; the live preview uses this before saving.</summary>
    public static bool Matches(RuleDefinition definition, ImageFacts image)
    {
        var rule = ClassificationRule.Create(0, definition);
        return Matches(rule, rule.RepositoryGlob is null ? null : RepositoryGlobPattern.ToRegex(rule.RepositoryGlob), image);
    }

    public static string DefaultTrack(string repository) => repository[(repository.LastIndexOf('/') + 1)..];

    private static bool Matches(ClassificationRule rule, Regex? glob, ImageFacts image)
    {
        if (rule.RegistryId is { } registry && registry != image.RegistryId)
        {
            return false;
        }

        if (glob is not null && !glob.IsMatch(image.Repository))
        {
            return false;
        }

        if (rule.LabelKey is { } key)
        {
            if (!image.Labels.TryGetValue(key, out var value))
            {
                return false;
            }

            if (!string.IsNullOrEmpty(rule.LabelValue) && !string.Equals(value, rule.LabelValue, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return true;
    }

    private Channel ChannelOf(ImageFacts image)
    {
        if (image.Labels.TryGetValue(_channel.LabelKey, out var value))
        {
            return _channel.DevLabelValues.Contains(value.Trim(), StringComparer.OrdinalIgnoreCase) ? Channel.Dev : Channel.Prod;
        }

        return image.Tags.Count > 0 && image.Tags.All(_devTag.IsMatch) ? Channel.Dev : Channel.Prod;
    }
}
