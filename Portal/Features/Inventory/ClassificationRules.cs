using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Auditing;
using Portal.Core.Inventory;
using Portal.Data;
using Portal.Features.Audit;

namespace Portal.Features.Inventory;

public sealed record RuleView(int Id, int Order, RuleDefinition Definition, int MatchingImages);

public sealed record RepositoryMatch(int RegistryId, string Registry, string Repository, int Images, IReadOnlyList<string> SampleTags);

public sealed record UnclassifiedRepository(int RepositoryId, string Registry, string Repository, int Images);

/// <summary>The ordered classification rules: edit them, preview what a rule would match, and reclassify after a change.</summary>
public sealed class ClassificationRules(
    IDbContextFactory<PortalDbContext> contexts,
    ImageClassification classification,
    AuditLog audit)
{
    public async Task<IReadOnlyList<RuleView>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rules = await db.ClassificationRules.AsNoTracking().OrderBy(r => r.Order).ThenBy(r => r.Id).ToListAsync(cancellationToken);
        var counts = await db.Images.Where(i => i.GoneAt == null && i.ParentId == null && i.ClassifiedByRuleId != null)
            .GroupBy(i => i.ClassifiedByRuleId).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key!.Value, g => g.Count, cancellationToken);
        return rules.Select(r => new RuleView(r.Id, r.Order, r.ToDefinition(), counts.GetValueOrDefault(r.Id))).ToList();
    }

    /// <summary>The repositories whose present images a rule would match, before it is saved.</summary>
    public async Task<IReadOnlyList<RepositoryMatch>> PreviewAsync(RuleDefinition definition, CancellationToken cancellationToken)
    {
        if (definition.Validate().Count > 0)
        {
            return [];
        }

        var matches = new Dictionary<(int, string), (string Registry, int Images, List<string> Tags)>();
        foreach (var (facts, registry) in await LoadFactsAsync(cancellationToken))
        {
            if (!ImageClassifier.Matches(definition, facts))
            {
                continue;
            }

            var key = (facts.RegistryId, facts.Repository);
            var entry = matches.GetValueOrDefault(key, (Registry: registry, Images: 0, Tags: new List<string>()));
            entry.Tags.AddRange(facts.Tags.Take(Math.Max(0, 5 - entry.Tags.Count)));
            matches[key] = (registry, entry.Images + 1, entry.Tags);
        }

        return matches.Select(m => new RepositoryMatch(m.Key.Item1, m.Value.Registry, m.Key.Item2, m.Value.Images, m.Value.Tags))
            .OrderBy(m => m.Registry, StringComparer.Ordinal).ThenBy(m => m.Repository, StringComparer.Ordinal).ToList();
    }

    /// <summary>Repositories with present images that no rule or override classifies: the to-do list.</summary>
    public async Task<IReadOnlyList<UnclassifiedRepository>> UnclassifiedAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await (
                from image in db.Images
                join repository in db.Repositories on image.RepositoryId equals repository.Id
                join registry in db.Registries on repository.RegistryId equals registry.Id
                where image.GoneAt == null && image.ParentId == null && image.Class == ImageClass.Unclassified
                group image by new { repository.Id, Registry = registry.Name, repository.Name } into g
                orderby g.Key.Registry, g.Key.Name
                select new UnclassifiedRepository(g.Key.Id, g.Key.Registry, g.Key.Name, g.Count()))
            .ToListAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<string>> AddAsync(RuleDefinition definition, string actor, CancellationToken cancellationToken)
    {
        if (definition.Validate() is { Count: > 0 } errors)
        {
            return errors;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var order = (await db.ClassificationRules.MaxAsync(r => (int?)r.Order, cancellationToken) ?? 0) + 1;
        var rule = ClassificationRule.Create(order, definition);
        db.ClassificationRules.Add(rule);
        await db.SaveChangesAsync(cancellationToken);
        await AfterChangeAsync(actor, "classification-rule.added", rule.Name, null, Json(rule.ToDefinition()), cancellationToken);
        return [];
    }

    public async Task<IReadOnlyList<string>> UpdateAsync(int id, RuleDefinition definition, string actor, CancellationToken cancellationToken)
    {
        if (definition.Validate() is { Count: > 0 } errors)
        {
            return errors;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rule = await db.ClassificationRules.SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (rule is null)
        {
            return ["That rule no longer exists."];
        }

        var before = Json(rule.ToDefinition());
        rule.Update(definition);
        await db.SaveChangesAsync(cancellationToken);
        await AfterChangeAsync(actor, "classification-rule.updated", rule.Name, before, Json(rule.ToDefinition()), cancellationToken);
        return [];
    }

    public async Task DeleteAsync(int id, string actor, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rule = await db.ClassificationRules.SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (rule is null)
        {
            return;
        }

        // Images classified by this rule lose the reference before the rule goes.
        await db.Images.Where(i => i.ClassifiedByRuleId == id).ExecuteUpdateAsync(s => s.SetProperty(i => i.ClassifiedByRuleId, (int?)null), cancellationToken);
        db.ClassificationRules.Remove(rule);
        await db.SaveChangesAsync(cancellationToken);
        await AfterChangeAsync(actor, "classification-rule.deleted", rule.Name, Json(rule.ToDefinition()), null, cancellationToken);
    }

    /// <summary>Moves a rule one place earlier (-1) or later (+1); order decides which rule wins.</summary>
    public async Task MoveAsync(int id, int direction, string actor, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rules = await db.ClassificationRules.OrderBy(r => r.Order).ThenBy(r => r.Id).ToListAsync(cancellationToken);
        var index = rules.FindIndex(r => r.Id == id);
        var target = index + Math.Sign(direction);
        if (index < 0 || target < 0 || target >= rules.Count)
        {
            return;
        }

        (rules[index], rules[target]) = (rules[target], rules[index]);
        for (var i = 0; i < rules.Count; i++)
        {
            rules[i].MoveTo(i + 1);
        }

        await db.SaveChangesAsync(cancellationToken);
        await AfterChangeAsync(actor, "classification-rule.moved", rules[target].Name, $"{index + 1}", $"{target + 1}", cancellationToken);
    }

    private async Task AfterChangeAsync(string actor, string action, string subject, string? before, string? after, CancellationToken cancellationToken)
    {
        await classification.ClassifyAllAsync(cancellationToken);
        await audit.RecordAsync(AuditActorKind.Person, actor, action, subject, before, after, cancellationToken);
    }

    private async Task<List<(ImageFacts Facts, string Registry)>> LoadFactsAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var images = await (
                from image in db.Images.AsNoTracking()
                join repository in db.Repositories on image.RepositoryId equals repository.Id
                join registry in db.Registries on repository.RegistryId equals registry.Id
                where image.GoneAt == null && image.ParentId == null
                select new { image.Id, RegistryId = registry.Id, Registry = registry.Name, Repository = repository.Name, image.Labels })
            .ToListAsync(cancellationToken);
        var tags = (await db.Tags.AsNoTracking().Where(t => t.GoneAt == null).Select(t => new { t.ImageId, t.Name }).ToListAsync(cancellationToken))
            .ToLookup(t => t.ImageId, t => t.Name);
        return images.Select(i => (new ImageFacts(i.RegistryId, i.Repository, tags[i.Id].ToList(), i.Labels), i.Registry)).ToList();
    }

    private static string Json(RuleDefinition definition) => JsonSerializer.Serialize(definition);
}
