using Portal.Core.Inventory;

namespace Portal.Core.Admission;

/// <summary>
/// A refusal or warning the webhook gave, for the Admission page, the "would have refused" report and owners'
/// digests: when, where (namespace and workload), which image, what was decided and why, under which policy version.
/// </summary>
public sealed class AdmissionDecisionRecord
{
    public const int MaxImageLength = 512;
    public const int MaxReasonLength = 2_000;
    public const int MaxWorkloadLength = 300;

    private AdmissionDecisionRecord()
    {
        Namespace = string.Empty;
        Workload = string.Empty;
        Operation = string.Empty;
        Image = string.Empty;
        Reason = string.Empty;
    }

    public long Id { get; private set; }
    public DateTimeOffset At { get; private set; }
    public string Namespace { get; private set; }

    /// <summary>How the workload reads to people: "Notebook alice-notebook", "Deployment web", "Pod debug".</summary>
    public string Workload { get; private set; }

    public string Operation { get; private set; }
    public string Image { get; private set; }
    public long? ImageId { get; private set; }
    public ImageClass? Class { get; private set; }
    public AdmissionOutcome Outcome { get; private set; }

    /// <summary>Enforce would refuse it (always true for a refusal): what the "would have refused" report counts.</summary>
    public bool WouldRefuse { get; private set; }

    public string Reason { get; private set; }
    public int PolicyVersion { get; private set; }
    public string? User { get; private set; }

    public static AdmissionDecisionRecord From(AdmissionRequest request, AdmissionFinding finding, int policyVersion, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(finding);
        return new AdmissionDecisionRecord
        {
            At = at,
            Namespace = request.Namespace ?? "",
            Workload = Cut(request.Workload, MaxWorkloadLength),
            Operation = request.Operation,
            Image = Cut(finding.Image, MaxImageLength),
            ImageId = finding.ImageId,
            Class = finding.Class,
            Outcome = finding.Outcome,
            WouldRefuse = finding.WouldRefuse,
            Reason = Cut(finding.Reason, MaxReasonLength),
            PolicyVersion = policyVersion,
            User = request.User is null ? null : Cut(request.User, 320),
        };
    }

    private static string Cut(string text, int length) => text.Length > length ? text[..length] : text;
}
