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
/// turned into a refusal (the "would have refused" report); a refusal is always true. <paramref name="Warning"/>: for a
/// warning, the reason fitted to what the API server passes on (<see cref="AdmissionDecider.MaxWarningLength"/>).
/// </summary>
public sealed record AdmissionFinding(
    string Image, long? ImageId, ImageClass? Class, AdmissionOutcome Outcome, bool WouldRefuse, string Reason, string? Warning = null);

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
    /// <summary>The API server cuts each AdmissionReview warning beyond this many characters.</summary>
    public const int MaxWarningLength = 256;

    private const int MinImageLength = 40;
    private const string Ellipsis = "...";

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
        var warnings = findings.Where(f => f.Outcome == AdmissionOutcome.Warned).Select(f => f.Warning ?? f.Reason).ToList();
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
                AdmissionAction.Warn => Warned(image, null, null, false,
                    new Part(" is not in the image governance portal's inventory, so nobody vouches for it.")),
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
        var detail = "";
        if (known.MalwareSignature is not null)
        {
            problem = $"malware signature {known.MalwareSignature} found";
            detail = known.MalwarePath is null ? "" : $" in {known.MalwarePath}";
        }
        else if (known.Eol is { } eol && now >= eol)
        {
            problem = $"expired on {Day(eol)}";
            detail = known.EolCause is null ? "" : $" ({known.EolCause})";
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
                AdmissionAction.Warn => Warned(image, known.ImageId, known.Class, false, new(" has not been scanned yet; see "), new(link), new(".")),
                _ => null,
            };
        }

        var hold = known.Hold is { } imageHold && imageHold.Until > now ? imageHold : index.WorkloadHold(request.Namespace, request.WorkloadNames, now);
        if (hold is not null)
        {
            return Warned(image, known.ImageId, known.Class, false, new($" is {problem}"), new(detail, GivesWay.Detail),
                new($", let through by a hold until {Day(hold.Until)} by {hold.By}"), new($": {hold.Reason}", GivesWay.Note), new("."),
                new(replacement, GivesWay.Replacement), new(" See "), new(link), new("."));
        }

        return mode == AdmissionMode.Enforce
            ? new AdmissionFinding(image, known.ImageId, known.Class, AdmissionOutcome.Refused, true,
                $"Image {image} is refused: {problem}{detail}.{replacement} See {link}.")
            : Warned(image, known.ImageId, known.Class, true, new($" is {problem}"), new(detail, GivesWay.Detail),
                new("; it will be refused when admission is enforced."), new(replacement, GivesWay.Replacement), new(" See "), new(link), new("."));
    }

    /// <summary>
    /// What of a warning gives way when it is too long, first to last: the problem's detail (a cause or a file the linked
    /// page shows too), then the replacement (whole or not at all: half a reference helps nobody; the linked page names
    /// it), then a hold's note (why someone let it through), then the middle of the image reference.
    /// </summary>
    private enum GivesWay
    {
        Never,
        Image,
        Note,
        Replacement,
        Detail,
    }

    private readonly record struct Part(string Text, GivesWay GivesWay = GivesWay.Never);

    /// <summary>
    /// A warned finding: the reason in full for the record, and the warning the API server passes on whole, printable
    /// and at most <see cref="MaxWarningLength"/> characters, where its own cut would take off the portal link at the end
    /// that explains the rest. The image, what is wrong with it and the link stay; the rest gives way as
    /// <see cref="GivesWay"/> orders it.
    /// </summary>
    private static AdmissionFinding Warned(string image, long? imageId, ImageClass? imageClass, bool wouldRefuse, params Part[] rest)
    {
        Part[] parts = [new("Image "), new(image, GivesWay.Image), .. rest];
        var reason = string.Concat(parts.Select(p => p.Text));
        return new AdmissionFinding(image, imageId, imageClass, AdmissionOutcome.Warned, wouldRefuse, reason, Fit(parts));
    }

    private static string Fit(Part[] parts)
    {
        var texts = parts.Select(p => Printable(p.Text)).ToArray();
        var excess = texts.Sum(t => t.Length) - MaxWarningLength;
        foreach (var level in new[] { GivesWay.Detail, GivesWay.Replacement, GivesWay.Note, GivesWay.Image })
        {
            for (var i = texts.Length - 1; i >= 0 && excess > 0; i--)
            {
                if (parts[i].GivesWay != level || texts[i].Length == 0)
                {
                    continue;
                }

                var before = texts[i].Length;
                texts[i] = level switch
                {
                    GivesWay.Image => ShortenMiddle(texts[i], before - excess),
                    GivesWay.Replacement => "",
                    _ => Shorten(texts[i], before - excess),
                };
                excess -= before - texts[i].Length;
            }
        }

        var warning = string.Concat(texts);
        // Only a portal address or a hold's approver longer than the line itself gets here.
        return warning.Length <= MaxWarningLength ? warning : Cut(warning, MaxWarningLength - Ellipsis.Length) + Ellipsis;
    }

    // The start of a note or detail says the most; too little room for a word or two and it goes altogether.
    private static string Shorten(string text, int length) =>
        length < 12 ? "" : Cut(text, length - Ellipsis.Length).TrimEnd() + Ellipsis;

    // The API server drops what it cannot print; a line break in a hold's note would otherwise glue two words together.
    private static string Printable(string text)
    {
        if (!text.Any(IsUnprintable))
        {
            return text;
        }

        return string.Create(text.Length, text, (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = IsUnprintable(source[i]) ? ' ' : source[i];
            }
        });
    }

    private static bool IsUnprintable(char c) => char.IsControl(c) || CharUnicodeInfo.GetUnicodeCategory(c)
        is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;

    private static string ShortenMiddle(string text, int length)
    {
        // Below this an image is no longer recognisable; the line is then cut at its end instead.
        length = Math.Max(length, MinImageLength);
        if (length >= text.Length)
        {
            return text;
        }

        var keep = length - Ellipsis.Length;
        var front = Cut(text, keep / 2);
        var backLength = keep - front.Length;
        var back = text[^backLength..];
        if (back.Length > 0 && char.IsLowSurrogate(back[0]))
        {
            back = back[1..];
        }

        return front + Ellipsis + back;
    }

    // Never between the halves of a surrogate pair.
    private static string Cut(string text, int length)
    {
        if (length <= 0)
        {
            return "";
        }

        if (text.Length <= length)
        {
            return text;
        }

        return char.IsHighSurrogate(text[length - 1]) ? text[..(length - 1)] : text[..length];
    }

    private static string Day(DateTimeOffset date) => date.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
