using Portal.Core.Lifecycle;

namespace Portal.Tests.Core.Lifecycle;

/// <summary>The rules for an EOL date set by hand: in the future, not absurdly far, with a reason.</summary>
public sealed class ManualEolTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void AcceptsAFutureDateWithAReason() =>
        ManualEol.Validate(Now.AddDays(10), "base image is end of support", Now).ShouldBeEmpty();

    [Fact]
    public void RefusesADateNotInTheFutureAndAMissingReasonTogether() =>
        ManualEol.Validate(Now, "  ", Now).ShouldBe([
            "An EOL date set by hand lies in the future; to act at once, pick the next hour.",
            "Say why the image reaches its EOL then; owners are told.",
        ]);

    [Fact]
    public void RefusesADateMoreThanFiveYearsAheadAndAnOverlongReason() =>
        ManualEol.Validate(Now.AddYears(5).AddDays(1), new string('x', ManualEol.MaxReasonLength + 1), Now).ShouldBe([
            "An EOL date lies at most 5 years ahead.",
            "The reason is longer than 1000 characters.",
        ]);

    [Fact]
    public void ChangingTheDateRecordsTheNewReasonAndWhoChangedIt()
    {
        var eol = ManualEol.Set(7, Now.AddDays(10), "  first reason ", "admin@example.org", Now);
        eol.Reason.ShouldBe("first reason");

        eol.Change(Now.AddDays(3), "sooner: the vendor pulled support", "other-admin@example.org", Now.AddHours(1));

        eol.ImageId.ShouldBe(7);
        eol.Eol.ShouldBe(Now.AddDays(3));
        eol.Reason.ShouldBe("sooner: the vendor pulled support");
        eol.SetBy.ShouldBe("other-admin@example.org");
        eol.SetAt.ShouldBe(Now.AddHours(1));
    }
}
