using Microsoft.EntityFrameworkCore;
using Portal.Core.Auditing;
using Portal.Core.Lifecycle;
using Portal.Data;
using Portal.Features.Audit;

namespace Portal.Features.Lifecycle;

public sealed record ManualEolInput(DateTimeOffset Eol, string? Reason);

/// <summary>What a change to an EOL date or an extension request came to; nothing was stored unless it succeeded.</summary>
/// <param name="Missing">The image, workload or request does not exist (or there is nothing to clear).</param>
/// <param name="Forbidden">The caller may not make this change (not the workload's owner, the requester, or a second person).</param>
public sealed record LifecycleChangeResult(bool Succeeded, IReadOnlyList<string> Errors, long? Id = null, bool Missing = false, bool Forbidden = false)
{
    public static LifecycleChangeResult Done(long id) => new(true, [], id);

    public static LifecycleChangeResult Invalid(IReadOnlyList<string> errors, long? id = null) => new(false, errors, id);

    public static LifecycleChangeResult NotFound(string error) => new(false, [error], Missing: true);

    public static LifecycleChangeResult Refused(string error, long? id = null) => new(false, [error], id, Forbidden: true);
}

/// <summary>
/// Admins set, change or clear an image's EOL date by hand, with the reason; every change is audited. Only images that
/// tags point at (not a platform image of an index) and that are still in the registry.
/// </summary>
public sealed class ManualEols(IDbContextFactory<PortalDbContext> contexts, AuditLog audit, TimeProvider clock)
{
    public async Task<ManualEol?> GetAsync(long imageId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.ManualEols.AsNoTracking().SingleOrDefaultAsync(e => e.ImageId == imageId, cancellationToken);
    }

    public async Task<LifecycleChangeResult> SetAsync(long imageId, ManualEolInput input, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var image = await ImageAsync(db, imageId, cancellationToken);
        if (image is null)
        {
            return LifecycleChangeResult.NotFound($"There is no image {imageId}.");
        }

        var errors = new List<string>(ManualEol.Validate(input.Eol, input.Reason, now));
        if (image.Problem is { } problem)
        {
            errors.Insert(0, problem);
        }

        if (errors.Count > 0)
        {
            return LifecycleChangeResult.Invalid(errors, imageId);
        }

        var existing = await db.ManualEols.SingleOrDefaultAsync(e => e.ImageId == imageId, cancellationToken);
        var before = existing is null ? null : Details(existing);
        if (existing is null)
        {
            existing = ManualEol.Set(imageId, input.Eol, input.Reason!, actor, now);
            db.ManualEols.Add(existing);
        }
        else
        {
            existing.Change(input.Eol, input.Reason!, actor, now);
        }

        await db.SaveChangesAsync(cancellationToken);
        await audit.RecordAsync(AuditActorKind.Person, actor, before is null ? AuditActions.EolSet : AuditActions.EolChanged,
            $"image {image.Display}", before, Details(existing), cancellationToken);
        return LifecycleChangeResult.Done(imageId);
    }

    public async Task<LifecycleChangeResult> ClearAsync(long imageId, string actor, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var image = await ImageAsync(db, imageId, cancellationToken);
        var existing = await db.ManualEols.SingleOrDefaultAsync(e => e.ImageId == imageId, cancellationToken);
        if (image is null || existing is null)
        {
            return LifecycleChangeResult.NotFound(image is null ? $"There is no image {imageId}." : "This image has no EOL date set by hand.");
        }

        db.ManualEols.Remove(existing);
        await db.SaveChangesAsync(cancellationToken);
        await audit.RecordAsync(AuditActorKind.Person, actor, AuditActions.EolCleared, $"image {image.Display}", Details(existing), null, cancellationToken);
        return LifecycleChangeResult.Done(imageId);
    }

    private sealed record ImageSubject(string Display, string? Problem);

    // How the image reads in the audit trail, and why it cannot carry a date of its own (null when it can).
    private static async Task<ImageSubject?> ImageAsync(PortalDbContext db, long id, CancellationToken cancellationToken)
    {
        var image = await (
                from i in db.Images
                join repository in db.Repositories on i.RepositoryId equals repository.Id
                where i.Id == id
                select new { Display = repository.Name + "@" + i.Digest, i.ParentId, i.GoneAt })
            .SingleOrDefaultAsync(cancellationToken);
        return image is null
            ? null
            : new ImageSubject(image.Display,
                image.ParentId is { } parent ? $"Image {id} is one platform of a multi-platform index; set the date on the index (image {parent})."
                : image.GoneAt is not null ? $"Image {id} is gone from the registry; there is nothing left to end."
                : null);
    }

    private static string Details(ManualEol eol) =>
        $"EOL {eol.Eol.UtcDateTime:yyyy-MM-dd HH:mm} UTC, set {eol.SetAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC by {eol.SetBy}: {eol.Reason}";
}
