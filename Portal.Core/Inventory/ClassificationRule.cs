namespace Portal.Core.Inventory;

/// <summary>
/// One ordered rule: when every condition it sets holds for an image, the image gets its class and track.
/// Rules are tried by <see cref="Order"/>; the first match wins.
/// </summary>
public sealed class ClassificationRule
{
    public const int MaxTextLength = 200;

    private ClassificationRule()
    {
        Name = string.Empty;
    }

    public int Id { get; private set; }
    public int Order { get; private set; }
    public string Name { get; private set; }

    /// <summary>Repository name glob: '*' within a path segment, '**' across segments, e.g. "aaw/jupyterlab-*".</summary>
    public string? RepositoryGlob { get; private set; }
    public string? LabelKey { get; private set; }

    /// <summary>With <see cref="LabelKey"/>: the exact value; empty means the label merely has to exist.</summary>
    public string? LabelValue { get; private set; }
    public int? RegistryId { get; private set; }
    public ImageClass Class { get; private set; }

    /// <summary>The track to assign; empty means the repository's last path segment (aaw/jupyterlab-cpu -> jupyterlab-cpu).</summary>
    public string? Track { get; private set; }

    public static ClassificationRule Create(int order, RuleDefinition definition)
    {
        var rule = new ClassificationRule { Order = order };
        rule.Update(definition);
        return rule;
    }

    public void Update(RuleDefinition definition)
    {
        var errors = definition.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors));
        }

        Name = definition.Name.Trim();
        RepositoryGlob = Blank(definition.RepositoryGlob);
        LabelKey = Blank(definition.LabelKey);
        LabelValue = LabelKey is null ? null : definition.LabelValue?.Trim();
        RegistryId = definition.RegistryId;
        Class = definition.Class;
        Track = Blank(definition.Track);
    }

    public void MoveTo(int order) => Order = order;

    public RuleDefinition ToDefinition() => new(Name, RepositoryGlob, LabelKey, LabelValue, RegistryId, Class, Track);

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>A rule as an admin edits it, before it is saved; also what the live preview matches with.</summary>
public sealed record RuleDefinition(
    string Name,
    string? RepositoryGlob,
    string? LabelKey,
    string? LabelValue,
    int? RegistryId,
    ImageClass Class,
    string? Track)
{
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Name) || Name.Length > ClassificationRule.MaxTextLength)
        {
            errors.Add($"A rule needs a name of 1 to {ClassificationRule.MaxTextLength} characters.");
        }

        if (string.IsNullOrWhiteSpace(RepositoryGlob) && string.IsNullOrWhiteSpace(LabelKey) && RegistryId is null)
        {
            errors.Add("A rule needs at least one condition: a repository pattern, a label or a registry.");
        }

        if (RepositoryGlob is { Length: > ClassificationRule.MaxTextLength } || LabelKey is { Length: > ClassificationRule.MaxTextLength }
            || LabelValue is { Length: > ClassificationRule.MaxTextLength } || Track is { Length: > ClassificationRule.MaxTextLength })
        {
            errors.Add($"Patterns, labels and tracks are at most {ClassificationRule.MaxTextLength} characters.");
        }

        if (!string.IsNullOrWhiteSpace(RepositoryGlob) && !RepositoryGlobPattern.IsValid(RepositoryGlob.Trim()))
        {
            errors.Add("The repository pattern may use letters, digits, '.', '_', '-', '/' and the wildcards '*' and '**'.");
        }

        if (Class == ImageClass.Unclassified)
        {
            errors.Add("A rule must give a class: Curated, Platform or User.");
        }

        return errors;
    }
}
