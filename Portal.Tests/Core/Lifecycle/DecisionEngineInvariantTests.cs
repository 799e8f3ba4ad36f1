using Portal.Core.Findings;
using Portal.Core.Inventory;
using Portal.Core.Lifecycle;
using Portal.Core.Workloads;

namespace Portal.Tests.Core.Lifecycle;

/// <summary>
/// Promises the plan keeps whatever the estate looks like, checked over many generated estates (seeded, so a failure
/// names the seed that reproduces it).
/// </summary>
public sealed class DecisionEngineInvariantTests
{
    private const int Estates = 400;
    private static readonly DateTimeOffset Now = Estate.Now;
    private static readonly ActionKind[] Deletions = [ActionKind.DeleteImage, ActionKind.DeleteTag];

    public static TheoryData<int> Seeds()
    {
        var seeds = new TheoryData<int>();
        for (var seed = 0; seed < Estates; seed += 50)
        {
            seeds.Add(seed);
        }

        return seeds;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void NothingUsedHeldNewestOrATargetIsEverDeleted(int firstSeed)
    {
        foreach (var (seed, snapshot, policy) in Generate(firstSeed))
        {
            var plan = DecisionEngine.Decide(snapshot, policy, Now);
            var used = snapshot.Workloads.SelectMany(w => w.ImageIds).ToHashSet();
            var targets = snapshot.MigrationPaths.Where(p => p.State != MigrationPathState.Revoked).Select(p => p.ToImageId).ToHashSet();
            var images = snapshot.Images.ToDictionary(i => i.Id);
            foreach (var action in plan.Actions.Where(a => Deletions.Contains(a.Kind)))
            {
                var image = images[action.ImageId!.Value];
                used.ShouldNotContain(image.Id, $"seed {seed}: {action.Key} deletes an image in use");
                targets.ShouldNotContain(image.Id, $"seed {seed}: {action.Key} deletes a migration target");
                snapshot.Holds.ShouldNotContain(
                    h => h.Pauses(HoldScope.Deletion, Now)
                        && ((h.SubjectKind == HoldSubjectKind.Image && h.SubjectId == image.Id)
                            || (h.SubjectKind == HoldSubjectKind.Repository && h.SubjectId == image.RepositoryId)),
                    $"seed {seed}: {action.Key} deletes a held image");
                policy.For(image.Class).DeleteUnusedAfterDays.ShouldNotBeNull($"seed {seed}: {action.Key} deletes a class retention never deletes");
            }

            foreach (var repository in snapshot.Images.GroupBy(i => i.RepositoryId))
            {
                var keep = repository.Max(i => policy.For(i.Class).KeepNewestTags);
                var newest = repository.SelectMany(i => i.Tags.Select(t => (Image: i, Tag: t)))
                    .OrderByDescending(x => x.Image.Age).ThenByDescending(x => x.Tag.FirstSeen).ThenBy(x => x.Tag.Name, StringComparer.Ordinal)
                    .Take(keep).ToList();
                foreach (var (image, tag) in newest)
                {
                    plan.Actions.ShouldNotContain(a => a.Kind == ActionKind.DeleteImage && a.ImageId == image.Id,
                        $"seed {seed}: deletes {image.Id}, which has one of the {keep} newest tags");
                    plan.Actions.ShouldNotContain(a => a.Kind == ActionKind.DeleteTag && a.TagId == tag.Id, $"seed {seed}: deletes a newest tag");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void AtMostOneReminderPerOwnerWorkloadAndImageAndNoneTwice(int firstSeed)
    {
        foreach (var (seed, snapshot, policy) in Generate(firstSeed))
        {
            var plan = DecisionEngine.Decide(snapshot, policy, Now);
            plan.Actions.Select(a => a.Key).ShouldBeUnique($"seed {seed}: two actions share a key");
            plan.Actions.Where(a => a.Kind == ActionKind.NotifyOwner)
                .GroupBy(a => (a.Owner!.ToLowerInvariant(), a.WorkloadId, a.ImageId))
                .ShouldAllBe(g => g.Count() == 1, $"seed {seed}: more than one reminder for one owner, workload and image");

            // Whatever is carried out is never planned again, a day later either.
            var executed = plan.Actions.Select(a => a.Key).ToHashSet();
            var again = DecisionEngine.Decide(snapshot with { ExecutedKeys = executed }, policy, Now);
            again.Actions.ShouldNotContain(a => executed.Contains(a.Key), $"seed {seed}: an executed action is planned again");
            var tomorrow = DecisionEngine.Decide(snapshot with { ExecutedKeys = executed }, policy, Now.AddDays(1));
            tomorrow.Actions.Where(a => a.Kind == ActionKind.NotifyOwner)
                .ShouldNotContain(a => executed.Contains(a.Key), $"seed {seed}: a reminder is sent twice");
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void StopsOnlyRunningNotebooksPastEolThatNothingPauses(int firstSeed)
    {
        foreach (var (seed, snapshot, policy) in Generate(firstSeed))
        {
            var plan = DecisionEngine.Decide(snapshot, policy, Now);
            var workloads = snapshot.Workloads.ToDictionary(w => w.Id);
            var images = snapshot.Images.ToDictionary(i => i.Id);
            var lifecycles = plan.Images.ToDictionary(i => i.ImageId);
            foreach (var stop in plan.Actions.Where(a => a.Kind == ActionKind.StopWorkload))
            {
                var workload = workloads[stop.WorkloadId!.Value];
                var image = images[stop.ImageId!.Value];
                workload.Kind.ShouldBe(WorkloadKind.Notebook, $"seed {seed}");
                workload.Status.ShouldNotBe(WorkloadStatus.Stopped, $"seed {seed}");
                policy.For(image.Class).StopsWorkloads.ShouldBeTrue($"seed {seed}: stops a workload of a class that never stops");
                lifecycles[image.Id].Eol.ShouldNotBeNull($"seed {seed}").ShouldBeLessThanOrEqualTo(Now, $"seed {seed}: stops before EOL");
                snapshot.Holds.ShouldNotContain(
                    h => h.Pauses(HoldScope.Termination, Now)
                        && ((h.SubjectKind == HoldSubjectKind.Workload && h.SubjectId == workload.Id)
                            || (h.SubjectKind == HoldSubjectKind.Image && h.SubjectId == image.Id)
                            || (h.SubjectKind == HoldSubjectKind.Repository && h.SubjectId == image.RepositoryId)),
                    $"seed {seed}: stops a held workload");
                plan.Actions.ShouldNotContain(a => a.Kind == ActionKind.MigrateWorkload && a.WorkloadId == workload.Id && a.ImageId == image.Id,
                    $"seed {seed}: both stops and migrates");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void TheSameEstateGivesTheSamePlanAndAFreshInstallDestroysNothingByItself(int firstSeed)
    {
        foreach (var (seed, snapshot, _) in Generate(firstSeed))
        {
            var policy = new LifecyclePolicy();
            var first = DecisionEngine.Decide(snapshot, policy, Now);
            var second = DecisionEngine.Decide(snapshot, policy, Now);

            second.Actions.ShouldBe(first.Actions, $"seed {seed}");
            first.Actions.Where(a => a.Kind is not (ActionKind.NotifyOwner or ActionKind.NotifyAdmins))
                .ShouldAllBe(a => a.Mode == ExecutionMode.DryRun, $"seed {seed}");
        }
    }

    /// <summary>50 estates from <paramref name="firstSeed"/> on, each with a policy that varies a little too.</summary>
    private static IEnumerable<(int Seed, LifecycleSnapshot Snapshot, LifecyclePolicy Policy)> Generate(int firstSeed)
    {
        for (var seed = firstSeed; seed < firstSeed + 50; seed++)
        {
            yield return (seed, Snapshot(new Random(seed)), Policy(new Random(seed * 7919)));
        }
    }

    private static LifecyclePolicy Policy(Random random) => new()
    {
        Classes = [.. LifecyclePolicy.DefaultClasses.Select(c => c with
        {
            KeepNewestTags = random.Next(0, 4),
            DeleteUnusedAfterDays = random.Next(4) == 0 ? null : random.Next(1, 60),
            StopsWorkloads = random.Next(3) > 0,
        })],
        MigrateWithoutChoice = random.Next(2) == 0,
    };

    private static LifecycleSnapshot Snapshot(Random random)
    {
        var estate = new Estate();
        var classes = Enum.GetValues<ImageClass>();
        var repositories = Enumerable.Range(0, random.Next(1, 5)).Select(i => $"repo-{i}").ToList();
        var images = new List<LifecycleImage>();
        for (var i = random.Next(1, 30); i > 0; i--)
        {
            var tags = Enumerable.Range(0, random.Next(0, 4)).Select(t => $"t{i}-{t}").ToArray();
            var image = estate.Image(repositories[random.Next(repositories.Count)], classes[random.Next(classes.Length)],
                ageDays: random.Next(0, 120), tags: tags,
                manualEol: random.Next(10) == 0 ? Now.AddDays(random.Next(-20, 20)) : null, manualEolBy: "admin@example.org");
            images.Add(image);
            for (var f = random.Next(0, 4); f > 0; f--)
            {
                estate.Finding(image, (Severity)random.Next(0, 5), random.Next(0, 60), $"CVE-{random.Next(0, 6)}", $"pkg-{random.Next(0, 3)}",
                    random.Next(20) == 0 ? FindingKind.Malware : FindingKind.Vulnerability);
            }
        }

        if (random.Next(3) == 0)
        {
            estate.Except($"CVE-{random.Next(0, 6)}");
        }

        var workloads = new List<WorkloadFacts>();
        for (var w = random.Next(0, 12); w > 0; w--)
        {
            var image = images[random.Next(images.Count)];
            var notebook = random.Next(3) > 0;
            var status = new[] { WorkloadStatus.Running, WorkloadStatus.Stopped, WorkloadStatus.Pending }[random.Next(3)];
            string[] owners = random.Next(5) == 0 ? [] : [.. Enumerable.Range(0, random.Next(1, 3)).Select(o => $"owner{o}@example.org")];
            var workload = estate.Workload(image, $"w{w}", notebook ? WorkloadKind.Notebook : WorkloadKind.Pod,
                notebook || random.Next(2) == 0 ? WorkloadLifetime.LongLived : WorkloadLifetime.Ephemeral, status, owners);
            workloads.Add(workload);
            if (random.Next(5) == 0)
            {
                estate.Extend(workload, image, random.Next(1, 30));
            }
        }

        for (var h = random.Next(0, 4); h > 0; h--)
        {
            var kind = (HoldSubjectKind)random.Next(3);
            var subject = kind switch
            {
                HoldSubjectKind.Image => images[random.Next(images.Count)].Id,
                HoldSubjectKind.Repository => images[random.Next(images.Count)].RepositoryId,
                _ => workloads.Count > 0 ? workloads[random.Next(workloads.Count)].Id : 0,
            };
            estate.Hold(kind, subject, (HoldScope)random.Next(1, 4), days: random.Next(-5, 30));
        }

        for (var p = random.Next(0, 3); p > 0 && images.Count > 1; p--)
        {
            var from = images[random.Next(images.Count)];
            var to = images[random.Next(images.Count)];
            if (from.Id != to.Id)
            {
                estate.Path(from, to, (MigrationPathState)random.Next(3));
                foreach (var workload in workloads.Where(w => w.ImageIds.Contains(from.Id) && random.Next(2) == 0))
                {
                    estate.Choose(workload, from, random.Next(2) == 0);
                }
            }
        }

        return estate.Snapshot();
    }
}
