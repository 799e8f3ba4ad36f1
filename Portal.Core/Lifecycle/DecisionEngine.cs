using System.Globalization;
using Portal.Core.Findings;
using Portal.Core.Inventory;
using Portal.Core.Workloads;

namespace Portal.Core.Lifecycle;

/// <summary>
/// Turns a snapshot, the policy and the time into a plan. Pure: no I/O, no clock of its own, the same input gives the
/// same plan. Dates come from findings (the earliest first detection of a blocking finding plus its grace) or from an
/// admin; approved extensions push a workload's date back, holds pause what would happen and push back the date people
/// are told. Destructive acts are planned only for what nobody uses and nobody holds.
/// </summary>
public static class DecisionEngine
{
    public static Plan Decide(LifecycleSnapshot snapshot, LifecyclePolicy policy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(policy);
        var estate = new Estate(snapshot, now);
        var actions = new List<PlannedAction>();
        var kept = new List<KeptItem>();
        var lifecycles = new Dictionary<long, ImageLifecycle>(snapshot.Images.Count);
        foreach (var image in snapshot.Images)
        {
            lifecycles[image.Id] = Assess(image, estate, policy, now);
        }

        var decider = new Decider(estate, policy, now, lifecycles, actions, kept);
        decider.Workloads();
        decider.Admins();
        decider.Retention();
        var planned = actions.Where(a => !snapshot.ExecutedKeys.Contains(a.Key)).ToList();
        return new Plan(now, policy.Version, [.. lifecycles.Values], planned, kept);
    }

    private static ImageLifecycle Assess(LifecycleImage image, Estate estate, LifecyclePolicy policy, DateTimeOffset now)
    {
        var classPolicy = policy.For(image.Class);
        BlockingFinding? cause = null;
        DateTimeOffset? fromFindings = null;
        var blocking = 0;
        foreach (var finding in estate.FindingsOf(image.Id))
        {
            if (GraceOf(finding, classPolicy, policy) is not { } grace || estate.IsExcepted(finding, image))
            {
                continue;
            }

            blocking++;
            var due = finding.FirstSeen.AddDays(grace);
            if (fromFindings is null || due < fromFindings)
            {
                fromFindings = due;
                cause = new BlockingFinding(finding.VulnerabilityId, finding.Package, finding.Severity, finding.Kind, finding.FirstSeen, grace);
            }
        }

        var manual = image.ManualEol is { } set && (fromFindings is null || set <= fromFindings);
        var eol = manual ? image.ManualEol : fromFindings;
        var hold = estate.ImageHold(image, HoldScope.Termination | HoldScope.Deletion);
        var terminationHold = estate.ImageHold(image, HoldScope.Termination);
        var effective = eol is { } date && terminationHold is { } paused && paused.Until > date ? paused.Until : eol;
        var state = hold is not null ? LifecycleState.Held
            : effective is null ? LifecycleState.Healthy
            : now >= effective ? LifecycleState.Expired
            : LifecycleState.Vulnerable;
        var reason = eol is null
            ? "No blocking findings."
            : manual
                ? $"EOL {Day(eol.Value)} set by {image.ManualEolBy ?? "an admin"}."
                : $"{Describe(cause!)}: EOL {Day(eol.Value)}.";
        if (hold is not null)
        {
            reason += $" Held until {Day(hold.Until)} by {hold.By}: {hold.Reason}";
        }

        return new ImageLifecycle(image.Id, state, eol, effective, manual ? null : cause, manual ? image.ManualEolBy : null, blocking, reason);
    }

    private static int? GraceOf(FindingFacts finding, ClassPolicy classPolicy, LifecyclePolicy policy) =>
        finding.Kind == FindingKind.Malware
            ? policy.MalwareGraceDays
            : classPolicy.GraceDays.TryGetValue(finding.Severity, out var days) ? days : null;

    private static string Describe(BlockingFinding cause) =>
        cause.Kind == FindingKind.Malware
            ? $"Malware {cause.VulnerabilityId} in {cause.Package}, found {Day(cause.FirstSeen)}"
            : $"{cause.VulnerabilityId} ({cause.Severity}) in {cause.Package}, found {Day(cause.FirstSeen)}, {cause.GraceDays} days grace";

    internal static string Day(DateTimeOffset date) => date.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The snapshot indexed for lookups by image, workload and subject.</summary>
    private sealed class Estate
    {
        private readonly DateTimeOffset _now;
        private readonly Dictionary<long, List<FindingFacts>> _findings = [];
        private readonly Dictionary<string, List<FindingException>> _exceptions = new(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<(HoldSubjectKind, long), List<HoldFacts>> _holds = [];
        private readonly Dictionary<(long, long), ExtensionFacts> _extensions = [];

        public Estate(LifecycleSnapshot snapshot, DateTimeOffset now)
        {
            _now = now;
            Images = snapshot.Images.ToDictionary(i => i.Id);
            foreach (var finding in snapshot.Findings)
            {
                Add(_findings, finding.ImageId, finding);
            }

            foreach (var exception in snapshot.Exceptions.Where(e => e.IsActive(now)))
            {
                Add(_exceptions, exception.VulnerabilityId, exception);
            }

            foreach (var hold in snapshot.Holds.Where(h => h.Until > now))
            {
                Add(_holds, (hold.SubjectKind, hold.SubjectId), hold);
            }

            foreach (var extension in snapshot.Extensions.Where(e => e.Until > now))
            {
                if (!_extensions.TryGetValue((extension.WorkloadId, extension.ImageId), out var known) || known.Until < extension.Until)
                {
                    _extensions[(extension.WorkloadId, extension.ImageId)] = extension;
                }
            }

            foreach (var workload in snapshot.Workloads)
            {
                foreach (var imageId in workload.ImageIds.Distinct())
                {
                    Add(UsersByImage, imageId, workload);
                }
            }

            MigrationTargets = snapshot.MigrationPaths.Where(p => p.State != MigrationPathState.Revoked).Select(p => p.ToImageId).ToHashSet();
            ApprovedPaths = snapshot.MigrationPaths.Where(p => p.State == MigrationPathState.Approved)
                .GroupBy(p => p.FromImageId).ToDictionary(g => g.Key, g => g.OrderByDescending(p => p.Id).First());
            foreach (var choice in snapshot.MigrationChoices)
            {
                Choices[(choice.WorkloadId, choice.FromImageId)] = choice.Migrate; // the latest answer stands
            }

            Snapshot = snapshot;
        }

        public LifecycleSnapshot Snapshot { get; }
        public Dictionary<long, LifecycleImage> Images { get; }
        public Dictionary<long, List<WorkloadFacts>> UsersByImage { get; } = [];
        public HashSet<long> MigrationTargets { get; }
        public Dictionary<long, MigrationPathFacts> ApprovedPaths { get; }
        public Dictionary<(long WorkloadId, long FromImageId), bool> Choices { get; } = [];

        public IReadOnlyList<FindingFacts> FindingsOf(long imageId) => _findings.TryGetValue(imageId, out var list) ? list : [];

        public IReadOnlyList<WorkloadFacts> UsersOf(long imageId) => UsersByImage.TryGetValue(imageId, out var list) ? list : [];

        public bool IsExcepted(FindingFacts finding, LifecycleImage image) =>
            _exceptions.TryGetValue(finding.VulnerabilityId, out var candidates)
            && candidates.Any(e => e.Covers(finding.VulnerabilityId, finding.Digest, finding.Package, image.Repository, _now));

        /// <summary>The longest-lasting active hold of <paramref name="scope"/> on the image or its repository.</summary>
        public HoldFacts? ImageHold(LifecycleImage image, HoldScope scope) =>
            Longest(Holds(HoldSubjectKind.Image, image.Id).Concat(Holds(HoldSubjectKind.Repository, image.RepositoryId)), scope);

        public HoldFacts? WorkloadHold(WorkloadFacts workload, LifecycleImage image, HoldScope scope) =>
            Longest(Holds(HoldSubjectKind.Workload, workload.Id)
                .Concat(Holds(HoldSubjectKind.Image, image.Id))
                .Concat(Holds(HoldSubjectKind.Repository, image.RepositoryId)), scope);

        public ExtensionFacts? Extension(long workloadId, long imageId) => _extensions.GetValueOrDefault((workloadId, imageId));

        private IEnumerable<HoldFacts> Holds(HoldSubjectKind kind, long id) => _holds.TryGetValue((kind, id), out var list) ? list : [];

        private HoldFacts? Longest(IEnumerable<HoldFacts> holds, HoldScope scope) =>
            holds.Where(h => h.Pauses(scope, _now)).MaxBy(h => h.Until);

        private static void Add<TKey, TValue>(Dictionary<TKey, List<TValue>> map, TKey key, TValue value)
            where TKey : notnull
        {
            if (!map.TryGetValue(key, out var list))
            {
                map[key] = list = [];
            }

            list.Add(value);
        }
    }

    private sealed class Decider(
        Estate estate, LifecyclePolicy policy, DateTimeOffset now, Dictionary<long, ImageLifecycle> lifecycles,
        List<PlannedAction> actions, List<KeptItem> kept)
    {
        /// <summary>Reminders, stops and migrations: per present workload and each image it runs.</summary>
        public void Workloads()
        {
            foreach (var workload in estate.Snapshot.Workloads)
            {
                foreach (var imageId in workload.ImageIds.Distinct())
                {
                    if (estate.Images.TryGetValue(imageId, out var image) && lifecycles.TryGetValue(imageId, out var lifecycle))
                    {
                        Workload(workload, image, lifecycle);
                    }
                }
            }
        }

        /// <summary>What admins must hear: blocking findings on curated images, and approved targets that turned vulnerable.</summary>
        public void Admins()
        {
            foreach (var image in estate.Snapshot.Images.Where(i => i.Class == ImageClass.Curated))
            {
                var classPolicy = policy.For(image.Class);
                foreach (var finding in estate.FindingsOf(image.Id))
                {
                    if (GraceOf(finding, classPolicy, policy) is null || estate.IsExcepted(finding, image))
                    {
                        continue;
                    }

                    Add(new PlannedAction(ActionKind.NotifyAdmins,
                        $"notify-admins:blocking:{image.Id}:{finding.VulnerabilityId}:{finding.Package}",
                        policy.ModeOf(ActionKind.NotifyAdmins),
                        $"New blocking finding on curated image {image.Repository}: {finding.VulnerabilityId} ({finding.Severity}) in {finding.Package}.",
                        policy.Version, now, image.Id));
                }
            }

            foreach (var path in estate.ApprovedPaths.Values)
            {
                if (lifecycles.TryGetValue(path.ToImageId, out var target) && target.BlockingFindings > 0 && estate.Images.TryGetValue(path.ToImageId, out var to))
                {
                    Add(new PlannedAction(ActionKind.NotifyAdmins, $"notify-admins:target-vulnerable:{path.Id}",
                        policy.ModeOf(ActionKind.NotifyAdmins),
                        $"The approved replacement {to.Repository}@{to.Digest[..Math.Min(19, to.Digest.Length)]} now has {target.BlockingFindings} blocking findings.",
                        policy.Version, now, path.ToImageId, MigrationPathId: path.Id));
                }
            }
        }

        /// <summary>Per repository: keep the newest tags, then delete what is old, unused, unheld and no migration target.</summary>
        public void Retention()
        {
            foreach (var repository in estate.Snapshot.Images.GroupBy(i => i.RepositoryId))
            {
                var images = repository.ToList();
                // Images of one repository can fall in different classes (by label); the most generous keep count holds.
                var keep = images.Select(i => policy.For(i.Class).KeepNewestTags).Max();
                var newest = images
                    .SelectMany(i => i.Tags.Select(t => (Image: i, Tag: t)))
                    .OrderByDescending(x => x.Image.Age).ThenByDescending(x => x.Tag.FirstSeen).ThenBy(x => x.Tag.Name, StringComparer.Ordinal)
                    .ToList();
                var keptTags = newest.Take(keep).Select(x => x.Tag.Id).ToHashSet();
                foreach (var image in images)
                {
                    Retain(image, policy.For(image.Class), keep, keptTags);
                }
            }
        }

        private void Retain(LifecycleImage image, ClassPolicy classPolicy, int keep, HashSet<long> keptTags)
        {
            if (classPolicy.DeleteUnusedAfterDays is not { } days || now - image.Age < TimeSpan.FromDays(days))
            {
                return;
            }

            var isKeptByTag = image.Tags.Any(t => keptTags.Contains(t.Id));
            var users = estate.UsersOf(image.Id);
            var hold = estate.ImageHold(image, HoldScope.Deletion);
            var why = users.Count > 0 ? $"kept: used by {Users(users)}"
                : hold is not null ? $"kept: hold until {Day(hold.Until)} by {hold.By}: {hold.Reason}"
                : estate.MigrationTargets.Contains(image.Id) ? "kept: the replacement in a migration path"
                : null;
            if (isKeptByTag)
            {
                // The image stays; an old tag of it beyond the newest ones can go if nothing else protects the image.
                foreach (var tag in image.Tags.Where(t => !keptTags.Contains(t.Id) && now - t.FirstSeen >= TimeSpan.FromDays(days)))
                {
                    if (why is not null)
                    {
                        kept.Add(new KeptItem(ActionKind.DeleteTag, image.Id, null, tag.Name, why));
                        continue;
                    }

                    Add(new PlannedAction(ActionKind.DeleteTag, $"delete-tag:{image.RepositoryId}:{tag.Name}:{image.Digest}",
                        policy.ModeOf(ActionKind.DeleteTag),
                        $"Tag {tag.Name} is not among the {keep} newest of {image.Repository}; its image stays under a newer tag.",
                        policy.Version, now, image.Id, TagId: tag.Id, Tag: tag.Name));
                }

                return;
            }

            if (why is not null)
            {
                kept.Add(new KeptItem(ActionKind.DeleteImage, image.Id, null, null, why));
                return;
            }

            var age = (int)(now - image.Age).TotalDays;
            var tags = image.Tags.Count == 0 ? "untagged" : $"not among the {keep} newest tags";
            Add(new PlannedAction(ActionKind.DeleteImage, $"delete-image:{image.Id}:{image.Digest}", policy.ModeOf(ActionKind.DeleteImage),
                $"{image.Repository}@{Short(image.Digest)}: {tags}, unused, {age} days old (retention deletes unused {image.Class} images after {days} days).",
                policy.Version, now, image.Id));
        }

        private void Workload(WorkloadFacts workload, LifecycleImage image, ImageLifecycle lifecycle)
        {
            var extension = estate.Extension(workload.Id, image.Id);
            var eol = lifecycle.Eol is { } date && extension is { } extended && extended.Until > date ? extended.Until : lifecycle.Eol;
            var terminationHold = estate.WorkloadHold(workload, image, HoldScope.Termination);
            var announced = eol is { } due && terminationHold is { } hold && hold.Until > due ? hold.Until : eol;
            var isNotebook = workload.Kind == WorkloadKind.Notebook && workload.Lifetime == WorkloadLifetime.LongLived;

            if (isNotebook && estate.ApprovedPaths.TryGetValue(image.Id, out var path) && Migrate(workload, image, path, terminationHold))
            {
                return;
            }

            if (announced is { } told && workload.Lifetime == WorkloadLifetime.LongLived)
            {
                Remind(workload, image, lifecycle, told);
            }

            if (eol is not { } stopAt || now < stopAt || !isNotebook || workload.Status == WorkloadStatus.Stopped)
            {
                return;
            }

            if (!policy.For(image.Class).StopsWorkloads)
            {
                kept.Add(new KeptItem(ActionKind.StopWorkload, image.Id, workload.Id, null, $"kept: EOL does not stop {image.Class} images' workloads"));
                return;
            }

            if (terminationHold is not null)
            {
                kept.Add(new KeptItem(ActionKind.StopWorkload, image.Id, workload.Id, null,
                    $"stop skipped: hold until {Day(terminationHold.Until)} by {terminationHold.By}: {terminationHold.Reason}"));
                return;
            }

            Add(new PlannedAction(ActionKind.StopWorkload, $"stop:{workload.Id}:{image.Id}:{Day(stopAt)}", policy.ModeOf(ActionKind.StopWorkload),
                $"Notebook {workload.Display} runs {image.Repository}, past its EOL of {Day(stopAt)}. {lifecycle.Reason}",
                policy.Version, stopAt, image.Id, WorkloadId: workload.Id, ManualEolBy: lifecycle.ManualEolBy));
        }

        private bool Migrate(WorkloadFacts workload, LifecycleImage image, MigrationPathFacts path, HoldFacts? terminationHold)
        {
            var chose = estate.Choices.TryGetValue((workload.Id, image.Id), out var migrate) ? migrate : (bool?)null;
            if (chose == false || (chose is null && !policy.MigrateWithoutChoice))
            {
                return false;
            }

            if (!estate.Images.TryGetValue(path.ToImageId, out var target) || lifecycles[target.Id].BlockingFindings > 0)
            {
                kept.Add(new KeptItem(ActionKind.MigrateWorkload, image.Id, workload.Id, null, "kept: the replacement has blocking findings"));
                return false;
            }

            if (terminationHold is not null)
            {
                kept.Add(new KeptItem(ActionKind.MigrateWorkload, image.Id, workload.Id, null,
                    $"migration skipped: hold until {Day(terminationHold.Until)} by {terminationHold.By}: {terminationHold.Reason}"));
                return true;
            }

            Add(new PlannedAction(ActionKind.MigrateWorkload, $"migrate:{workload.Id}:{image.Id}:{target.Id}", policy.ModeOf(ActionKind.MigrateWorkload),
                $"Notebook {workload.Display} moves from {image.Repository}@{Short(image.Digest)} to the approved {target.Repository}@{Short(target.Digest)}"
                + (chose == true ? " (its owner chose it)." : " (policy migrates every notebook with an approved path)."),
                policy.Version, now, image.Id, WorkloadId: workload.Id, TargetImageId: target.Id, MigrationPathId: path.Id));
            return true;
        }

        // One reminder per owner, workload, image and stage: the most urgent stage that has come (the days before EOL,
        // or 0 once it has passed). Stages that came while nobody planned are not sent late.
        private void Remind(WorkloadFacts workload, LifecycleImage image, ImageLifecycle lifecycle, DateTimeOffset eol)
        {
            int? stage = now >= eol ? 0
                : policy.ReminderDays.Where(d => now >= eol.AddDays(-d)).Select(d => (int?)d).Min();
            if (stage is not { } due)
            {
                return;
            }

            if (workload.Owners.Count == 0)
            {
                kept.Add(new KeptItem(ActionKind.NotifyOwner, image.Id, workload.Id, null, "no reminder: nobody is known to own this workload's namespace"));
                return;
            }

            foreach (var owner in workload.Owners.Distinct(StringComparer.OrdinalIgnoreCase))
            {
                var when = due == 0 ? $"reached its EOL on {Day(eol)}" : $"reaches its EOL on {Day(eol)}, in {due} days or less";
                Add(new PlannedAction(ActionKind.NotifyOwner, $"notify-owner:{owner.ToLowerInvariant()}:{workload.Id}:{image.Id}:{Day(eol)}:{due}",
                    policy.ModeOf(ActionKind.NotifyOwner),
                    $"{workload.Display} runs {image.Repository}, which {when}. {lifecycle.Reason}",
                    policy.Version, now, image.Id, WorkloadId: workload.Id, Owner: owner, Stage: due));
            }
        }

        private readonly HashSet<string> _keys = [];

        // One act per key: the same vulnerability in one package can be reported for several of an image's digests or
        // installed versions, and is one thing to tell.
        private void Add(PlannedAction action)
        {
            if (_keys.Add(action.Key))
            {
                actions.Add(action);
            }
        }

        private static string Users(IReadOnlyList<WorkloadFacts> users)
        {
            var notebooks = users.Count(u => u.Kind == WorkloadKind.Notebook);
            var noun = users.Count == 1 ? "workload" : "workloads";
            return notebooks == users.Count
                ? $"{users.Count} {(users.Count == 1 ? "notebook" : "notebooks")}"
                : notebooks > 0 ? $"{users.Count} {noun} ({notebooks} {(notebooks == 1 ? "notebook" : "notebooks")})" : $"{users.Count} {noun}";
        }

        private static string Short(string digest) => digest.Length > 19 ? digest[..19] : digest;
    }
}
