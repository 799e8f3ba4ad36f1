using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Portal.Core.Admission;
using Portal.Core.Findings;
using Portal.Core.Inventory;
using Portal.Core.Lifecycle;
using Portal.Core.Workloads;

namespace Portal.Features.Admission;

/// <summary>
/// The signal that the plan or the inventory changed. It has no dependencies on purpose: database contexts reach it
/// through <see cref="EstateChangeInterceptor"/>, and the view that listens needs a context factory itself.
/// </summary>
public sealed class EstateChanges
{
    private readonly System.Threading.Channels.Channel<bool> _changes = System.Threading.Channels.Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Cheap and never blocks: many signals before the next rebuild are one.</summary>
    public void Signal() => _changes.Writer.TryWrite(true);

    public ValueTask<bool> WaitAsync(CancellationToken cancellationToken) => _changes.Reader.ReadAsync(cancellationToken);

    public void Clear() => _changes.Reader.TryRead(out _);
}

/// <summary>
/// Signals <see cref="EstateChanges"/> after a save that touched what admission decides from, whoever saved it (a
/// page, an API call, a job), so no feature has to remember to. Bulk statements that bypass the change tracker are
/// covered by the job listener and the periodic rebuild.
/// </summary>
public sealed class EstateChangeInterceptor(EstateChanges changes) : SaveChangesInterceptor
{
    private static readonly HashSet<Type> Relevant =
    [
        typeof(ImageRegistry), typeof(ImageRepository), typeof(ImageManifest), typeof(ImageTag), typeof(Finding), typeof(ScanRecord),
        typeof(FindingException), typeof(Hold), typeof(ManualEol), typeof(LifecyclePolicyVersion), typeof(MigrationPath),
        typeof(AdmissionPolicyVersion), typeof(Workload),
    ];

    // Whether a save in progress touches something relevant, remembered per context until it has committed.
    private readonly ConditionalWeakTable<DbContext, object> _pending = [];

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Note(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Note(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Done(eventData.Context);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Done(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private void Note(DbContext? context)
    {
        if (context is not null && context.ChangeTracker.Entries().Any(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted
                && Relevant.Contains(e.Metadata.ClrType)))
        {
            _pending.AddOrUpdate(context, true);
        }
    }

    private void Done(DbContext? context)
    {
        if (context is not null && _pending.Remove(context))
        {
            changes.Signal();
        }
    }
}
