using System.Globalization;
using Portal.Core.Inventory;
using Portal.Core.Registry;

namespace Portal.Core.Admission;

public enum AdmissionOutcome
{
    Refused,
    Warned,
}

/// <summary>
/// One image's refusal or warning, as recorded. <paramref name="WouldRefuse"/>: a warning that Enforce would have
/// turned into a refusal (the "would have refused" report); a refusal is always true.
/// </summary>
public sealed record AdmissionFinding(
    string Image, long? ImageId, ImageClass? Class, AdmissionOutcome Outcome, bool WouldRefuse, string Reason);

/// <summary>The answer to one review, and what to record of it.</summary>
public sealed record AdmissionDecision(bool Allowed, string? Message, IReadOnlyList<string> Warnings, IReadOnlyList<AdmissionFinding> Findings)
{
    public static AdmissionDecision AllowedSilently { get; } = new(true, null, [], []);
}

/// <summary>
/// Decides a pod review from the in-memory index alone: pure and allocation-light, the same input gives the same
/// answer. Each image the request introduces is looked up by digest or tag; an infected image or one past its EOL is
/// refused in Enforce and warned about in Warn, unless a termination hold on the image, its repository or the workload
/// lets it through (with a warning that says so); unknown and never-scanned images follow their own setting.
/// </summary>
public static class AdmissionDecider
{
    public static AdmissionDecision Decide(AdmissionRequest request, AdmissionIndex index, DateTimeOffset now, string portalUrl)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(index);
        var policy = index.Policy;
        if (policy.IsExempt(request.Namespace) || request.Images.Count == 0)
        {
            return AdmissionDecision.AllowedSilently;
        }

        List<AdmissionFinding>? findings = null;
        HashSet<string>? seen = null;
        foreach (var podImage in request.Images)
        {
            // A pod often runs one image in several containers; one judgement per image is enough.
            if (!(seen ??= new HashSet<string>(StringComparer.Ordinal)).Add(podImage.Image))
            {
                continue;
            }

            if (Judge(podImage.Image, request, index, policy, now, portalUrl) is { } finding)
            {
                (findings ??= []).Add(finding);
            }
        }

        if (findings is null)
        {
            return AdmissionDecision.AllowedSilently;
        }

        var refusals = findings.Where(f => f.Outcome == AdmissionOutcome.Refused).ToList();
        var warnings = findings.Where(f => f.Outcome == AdmissionOutcome.Warned).Select(f => f.Reason).ToList();
        var message = refusals.Count == 0 ? null : string.Join(" ", refusals.Select(f => f.Reason));
        return new AdmissionDecision(refusals.Count == 0, message, warnings, findings);
    }

    private static AdmissionFinding? Judge(string image, AdmissionRequest request, AdmissionIndex index, AdmissionPolicy policy, DateTimeOffset now, string portalUrl)
    {
        var known = ImageReference.TryParse(image, out var reference, out _) ? index.Find(reference) : null;
        if (known is null)
        {
            return policy.UnknownImages switch
            {
                AdmissionAction.Refuse => new AdmissionFinding(image, null, null, AdmissionOutcome.Refused, true,
                    $"Image {image} is refused: the image governance portal does not know it (not in any registry it inventories). " +
                    $"Use an image from a registry the portal manages; see {portalUrl}/images."),
                AdmissionAction.Warn => new AdmissionFinding(image, null, null, AdmissionOutcome.Warned, false,
                    $"Image {image} is not in the image governance portal's inventory, so nobody vouches for it."),
                _ => null,
            };
        }

        var mode = policy.ModeOf(known.Class);
        if (mode == AdmissionMode.Off)
        {
            return null;
        }

        var link = $"{portalUrl}/images/{known.ImageId.ToString(CultureInfo.InvariantCulture)}";
        var replacement = known.Replacement is null ? "" : $" Approved replacement: {known.Replacement}.";
        string? problem = null;
        if (known.MalwareSignature is not null)
        {
            problem = $"malware signature {known.MalwareSignature} found" + (known.MalwarePath is null ? "" : $" in {known.MalwarePath}");
        }
        else if (known.Eol is { } eol && now >= eol)
        {
            problem = $"expired on {Day(eol)}" + (known.EolCause is null ? "" : $" ({known.EolCause})");
        }

        if (problem is null)
        {
            if (known.Scanned)
            {
                return null;
            }

            return policy.UnscannedImages switch
            {
                AdmissionAction.Refuse => new AdmissionFinding(image, known.ImageId, known.Class, AdmissionOutcome.Refused, true,
                    $"Image {image} is refused: it has not been scanned yet. Wait for its scan or ask an admin; see {link}."),
                AdmissionAction.Warn => new AdmissionFinding(image, known.ImageId, known.Class, AdmissionOutcome.Warned, false,
                    $"Image {image} has not been scanned yet; see {link}."),
                _ => null,
            };
        }

        var hold = known.Hold is { } imageHold && imageHold.Until > now ? imageHold : index.WorkloadHold(request.Namespace, request.WorkloadNames, now);
        if (hold is not null)
        {
            return new AdmissionFinding(image, known.ImageId, known.Class, AdmissionOutcome.Warned, false,
                $"Image {image} is {problem}, let through by a hold until {Day(hold.Until)} by {hold.By}: {hold.Reason}.{replacement} See {link}.");
        }

        return mode == AdmissionMode.Enforce
            ? new AdmissionFinding(image, known.ImageId, known.Class, AdmissionOutcome.Refused, true,
                $"Image {image} is refused: {problem}.{replacement} See {link}.")
            : new AdmissionFinding(image, known.ImageId, known.Class, AdmissionOutcome.Warned, true,
                $"Image {image} is {problem}; it will be refused when admission is enforced.{replacement} See {link}.");
    }

    private static string Day(DateTimeOffset date) => date.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
