namespace Portal.Core.Lifecycle;

/// <summary>
/// An EOL date an admin set on an image by hand, with the reason. It counts when it comes before the date the image's
/// findings give. Whoever set it may not approve the acts it leads to (the two-person rule).
/// </summary>
public sealed class ManualEol
{
    public const int MaxReasonLength = 1_000;

    /// <summary>How far ahead a date may be set: beyond that it is not an EOL but a wish.</summary>
    public const int MaxYearsAhead = 5;

    private ManualEol()
    {
        Reason = string.Empty;
        SetBy = string.Empty;
    }

    public long ImageId { get; private set; }
    public DateTimeOffset Eol { get; private set; }
    public string Reason { get; private set; }
    public string SetBy { get; private set; }
    public DateTimeOffset SetAt { get; private set; }

    public static IReadOnlyList<string> Validate(DateTimeOffset eol, string? reason, DateTimeOffset now)
    {
        var errors = new List<string>();
        if (eol <= now)
        {
            errors.Add("An EOL date set by hand lies in the future; to act at once, pick the next hour.");
        }
        else if (eol > now.AddYears(MaxYearsAhead))
        {
            errors.Add($"An EOL date lies at most {MaxYearsAhead} years ahead.");
        }

        if (string.IsNullOrWhiteSpace(reason))
        {
            errors.Add("Say why the image reaches its EOL then; owners are told.");
        }
        else if (reason.Trim().Length > MaxReasonLength)
        {
            errors.Add($"The reason is longer than {MaxReasonLength} characters.");
        }

        return errors;
    }

    public static ManualEol Set(long imageId, DateTimeOffset eol, string reason, string setBy, DateTimeOffset now) =>
        new() { ImageId = imageId, Eol = eol, Reason = reason.Trim(), SetBy = setBy, SetAt = now };

    public void Change(DateTimeOffset eol, string reason, string setBy, DateTimeOffset now)
    {
        Eol = eol;
        Reason = reason.Trim();
        SetBy = setBy;
        SetAt = now;
    }
}
