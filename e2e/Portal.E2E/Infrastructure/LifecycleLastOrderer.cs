using Xunit.Sdk;
using Xunit.v3;

namespace Portal.E2E.Infrastructure;

/// <summary>
/// Runs the test classes in xunit's default order, except that <see cref="LifecycleTests"/> comes last: it stops a
/// notebook and tightens the policy of the portal every test shares, and the inventory and workload tests expect to
/// find the stack as it was seeded.
/// </summary>
public sealed class LifecycleLastOrderer : ITestCollectionOrderer
{
    public IReadOnlyCollection<TTestCollection> OrderTestCollections<TTestCollection>(IReadOnlyCollection<TTestCollection> testCollections)
        where TTestCollection : ITestCollection =>
        [.. DefaultTestCollectionOrderer.Instance.OrderTestCollections(testCollections)
            .OrderBy(c => c.TestCollectionDisplayName.Contains(nameof(LifecycleTests), StringComparison.Ordinal) ? 1 : 0)];
}
