using System.Text.Json;
using Portal.Core.Lifecycle;

namespace Portal.Features.Lifecycle;

/// <summary>How a planned action's subject reads to people, and what its audit entries record.</summary>
internal static class ActionSubjects
{
    public static string Describe(PlannedAction action, LifecycleSnapshot snapshot)
    {
        var image = snapshot.Images.FirstOrDefault(i => i.Id == action.ImageId);
        var imageText = image is null ? $"image {action.ImageId}" : $"{image.Repository}@{Short(image.Digest)}";
        var subject = action.Kind switch
        {
            ActionKind.DeleteTag => image is null ? $"tag {action.Tag}" : $"{image.Repository}:{action.Tag}",
            _ when action.WorkloadId is { } id => snapshot.Workloads.FirstOrDefault(w => w.Id == id) is { } w
                ? $"{w.Cluster}/{w.Display} ({imageText})"
                : $"workload {id} ({imageText})",
            _ => imageText,
        };
        return subject.Length > Hold.MaxSubjectLength ? subject[..Hold.MaxSubjectLength] : subject;
    }

    /// <summary>The record as the audit trail keeps it: status, policy version, attempts, outcome.</summary>
    public static string AuditAfter(ActionRecord record) => JsonSerializer.Serialize(new
    {
        record.Key,
        Kind = record.Kind.ToString(),
        Status = record.Status.ToString(),
        record.PolicyVersion,
        record.Reason,
        record.DecisionNote,
        record.Attempts,
        record.Outcome,
    });

    private static string Short(string digest) => digest.Length > 19 ? digest[..19] : digest;
}
