using Xunit.Sdk;
using Xunit.v3;

namespace Portal.E2E.Infrastructure;

/// <summary>
/// Runs the test classes in xunit's default order, except that <see cref="LifecycleTests"/> and then
/// <see cref="MigrationTests"/> come last: they stop and migrate notebooks and change the policy of the portal every test
/// shares, and the inventory and workload tests expect to find the stack as it was seeded.
/// </summary>
public sealed class LifecycleLastOrderer : ITestCollectionOrderer
{
    public IReadOnlyCollection<TTestCollection> OrderTestCollections<TTestCollection>(IReadOnlyCollection<TTestCollection> testCollections)
        where TTestCollection : ITestCollection =>
        [.. DefaultTestCollectionOrderer.Instance.OrderTestCollections(testCollections)
            .OrderBy(c => c.TestCollectionDisplayName.Contains(nameof(MigrationTests), StringComparison.Ordinal) ? 2
                : c.TestCollectionDisplayName.Contains(nameof(LifecycleTests), StringComparison.Ordinal) ? 1 : 0)];
}
