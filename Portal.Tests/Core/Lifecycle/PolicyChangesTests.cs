using Portal.Core.Findings;
using Portal.Core.Inventory;
using Portal.Core.Lifecycle;

namespace Portal.Tests.Core.Lifecycle;

/// <summary>The difference between two policy versions, setting by setting, worded as the editor shows it.</summary>
public sealed class PolicyChangesTests
{
    [Fact]
    public void ReturnsNothingGivenTheSamePolicy() =>
        PolicyChanges.Between(new LifecyclePolicy(), new LifecyclePolicy { Version = 3 }).ShouldBeEmpty();

    [Fact]
    public void ReturnsEachChangedSettingWithBothValuesInTheEditorsOrder()
    {
        var before = new LifecyclePolicy();
        var user = before.For(ImageClass.User);
        var after = before with
        {
            Classes =
            [
                .. before.Classes.Where(c => c.Class != ImageClass.User),
                user with
                {
                    GraceDays = new Dictionary<Severity, int> { [Severity.Critical] = 7, [Severity.Medium] = 60 },
                    DeleteUnusedAfterDays = null,
                },
            ],
            ReminderDays = [7, 1],
            Modes = new Dictionary<ActionKind, ExecutionMode>(before.Modes) { [ActionKind.StopWorkload] = ExecutionMode.RequireApproval },
            MaxHoldDays = 30,
        };

        PolicyChanges.Between(before, after).ShouldBe(
        [
            new PolicyChange("User: Critical grace days", "14 days", "7 days"),
            new PolicyChange("User: High grace days", "30 days", "does not block"),
            new PolicyChange("User: Medium grace days", "does not block", "60 days"),
            new PolicyChange("User: delete unused after", "30 days", "never"),
            new PolicyChange("Reminder days before EOL", "14, 7, 1", "7, 1"),
            new PolicyChange("StopWorkload: execution mode", "DryRun", "RequireApproval"),
            new PolicyChange("Longest hold", "90 days", "30 days"),
        ]);
    }

    [Fact]
    public void ReadsAClassOrActionKindAVersionLeavesOutAsItsDefault()
    {
        var full = new LifecyclePolicy();
        var sparse = full with
        {
            Classes = [.. full.Classes.Where(c => c.Class != ImageClass.Platform)],
            Modes = new Dictionary<ActionKind, ExecutionMode> { [ActionKind.DeleteImage] = ExecutionMode.DryRun },
        };

        PolicyChanges.Between(full, sparse).ShouldBeEmpty();
    }
}
