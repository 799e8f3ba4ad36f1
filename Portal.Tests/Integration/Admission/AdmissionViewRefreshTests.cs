using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Lifecycle;
using Portal.Core.Registry;
using Portal.Data;
using Portal.Features.Admission;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Integration.Admission;

/// <summary>The running portal's view follows the database by itself: built at start, rebuilt after saves that matter.</summary>
public sealed class AdmissionViewRefreshTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheViewIsBuiltAtStartAndRebuiltSoonAfterTheInventoryOrAHoldChanges()
    {
        await using var factory = new PortalAppFactory();
        _ = factory.Server;
        var view = factory.Services.GetRequiredService<AdmissionView>();
        var first = view.Current;
        first.ShouldNotBeNull("the first build happens before the portal takes requests");
        first.DigestCount.ShouldBe(0);

        var contexts = factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        var ids = await AdmissionSeed.SeedAsync(contexts, DateTimeOffset.UtcNow, Ct);
        var seeded = await WaitForAsync(view, index => index.DigestCount > 0);
        seeded.Find(ImageReference.Parse("jfusterm/stress"))!.Hold.ShouldBeNull();

        await using (var db = await contexts.CreateDbContextAsync(Ct))
        {
            db.Holds.Add(Hold.Place(HoldSubjectKind.Repository, (await db.Images.SingleAsync(i => i.Id == ids.Stress, Ct)).RepositoryId, "jfusterm/stress",
                HoldScope.Termination, "migration week", DateTimeOffset.UtcNow.AddDays(2), "approver@example.org", DateTimeOffset.UtcNow));
            await db.SaveChangesAsync(Ct);
        }

        var held = await WaitForAsync(view, index => index.Find(ImageReference.Parse("jfusterm/stress"))?.Hold is not null);
        held.Find(ImageReference.Parse("jfusterm/stress"))!.Hold!.Reason.ShouldBe("migration week");
    }

    // The rebuild runs on the view's own background loop; waits for it, bounded, rather than asking for one.
    private static async Task<Portal.Core.Admission.AdmissionIndex> WaitForAsync(AdmissionView view, Func<Portal.Core.Admission.AdmissionIndex, bool> condition)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (view.Current is { } index && condition(index))
            {
                return index;
            }

            await Task.Delay(50, Ct);
        }

        throw new TimeoutException("The admission view was not rebuilt within 20 seconds of the change.");
    }
}
