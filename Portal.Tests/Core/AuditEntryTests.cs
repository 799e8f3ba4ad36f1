using Portal.Core.Auditing;

namespace Portal.Tests.Core;

public sealed class AuditEntryTests
{
    private static readonly DateTimeOffset When = new(2026, 11, 22, 14, 0, 0, TimeSpan.FromHours(2));

    [Fact]
    public void StoresTheTimeInUtc()
    {
        var entry = AuditEntry.Create(When, AuditActorKind.Person, "admin@example.org", AuditActions.SignIn);

        entry.Timestamp.Offset.ShouldBe(TimeSpan.Zero);
        entry.Timestamp.ShouldBe(When);
    }

    [Fact]
    public void KeepsTheStartOfOverlongTextRatherThanFailing()
    {
        var subject = new string('s', AuditEntry.MaxSubjectLength + 100);
        var after = new string('a', AuditEntry.MaxStateLength + 1);

        var entry = AuditEntry.Create(When, AuditActorKind.Job, "job:x", "x.done", subject, after: after);

        entry.Subject!.Length.ShouldBe(AuditEntry.MaxSubjectLength);
        entry.After!.Length.ShouldBe(AuditEntry.MaxStateLength);
    }

    [Theory]
    [InlineData("", "auth.sign-in")]
    [InlineData("admin@example.org", " ")]
    public void RefusesAnEntryWithoutActorOrAction(string actor, string action) =>
        Should.Throw<ArgumentException>(() => AuditEntry.Create(When, AuditActorKind.Person, actor, action));
}
