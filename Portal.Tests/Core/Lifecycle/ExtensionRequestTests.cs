using Portal.Core.Lifecycle;

namespace Portal.Tests.Core.Lifecycle;

/// <summary>Asking for more time, and granting, refusing or withdrawing it: bounded by policy, decided once, by a second person.</summary>
public sealed class ExtensionRequestTests
{
    private const int MaxDays = 90;
    private const string Owner = "alice@example.org";
    private const string Approver = "approver@example.org";
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void AskingNeedsAReasonAndAFutureDateWithinPolicy()
    {
        ExtensionRequest.Validate("thesis deadline", Now.AddDays(30), Now, MaxDays).ShouldBeEmpty();
        ExtensionRequest.Validate(" ", Now.AddDays(-1), Now, MaxDays).ShouldBe(["Say why the notebook needs the image for longer.", "An extension ends in the future."]);
        ExtensionRequest.Validate("why", Now.AddDays(91), Now, MaxDays).ShouldBe(["An extension reaches at most 90 days ahead (until 2027-02-20)."]);
    }

    [Fact]
    public void AGrantForLessTimeThanWantedPushesTheWorkloadsDateToTheGrantedDay()
    {
        var request = Ask();

        request.Grant(Now.AddDays(14), "two weeks, then move", Approver, Now, MaxDays).ShouldBeEmpty();

        request.Status.ShouldBe(ExtensionStatus.Granted);
        request.GrantedUntil.ShouldBe(Now.AddDays(14));
        request.DecisionNote.ShouldBe("two weeks, then move");
        request.ToFacts().ShouldBe(new ExtensionFacts(1, 2, Now.AddDays(14), Approver));
    }

    [Fact]
    public void AGrantNeverReachesPastTheWantedDate()
    {
        var request = Ask();

        request.Grant(Now.AddDays(31), null, Approver, Now, MaxDays).ShouldBe(["Grant at most what was asked for: until 2026-12-22 12:00 UTC."]);

        request.IsPending.ShouldBeTrue();
        request.ToFacts().ShouldBeNull();
    }

    [Fact]
    public void WhoeverAskedCannotGrantTheirOwnRequest()
    {
        var request = Ask();

        var errors = request.Grant(Now.AddDays(30), null, Owner.ToUpperInvariant(), Now, MaxDays);

        errors.ShouldBe([ExtensionRequest.TwoPersonRule]);
        errors[0].ShouldStartWith("Two-person rule");
        request.IsPending.ShouldBeTrue();
    }

    [Fact]
    public void ARefusalNeedsANoteForTheOwner()
    {
        var request = Ask();

        request.Refuse("  ", Approver, Now).ShouldBe(["Tell the owner why the extension is refused."]);
        request.Refuse("migrate to v2, it is ready", Approver, Now).ShouldBeEmpty();

        request.Status.ShouldBe(ExtensionStatus.Refused);
        request.DecidedBy.ShouldBe(Approver);
        request.ToFacts().ShouldBeNull("a refused request pushes nothing back");
    }

    [Fact]
    public void ARequestIsDecidedOnceAndAWithdrawnOneCannotBeGranted()
    {
        var request = Ask();

        request.Withdraw(Owner, Now).ShouldBeEmpty();

        request.Status.ShouldBe(ExtensionStatus.Withdrawn);
        request.Grant(Now.AddDays(10), null, Approver, Now, MaxDays).ShouldBe(["The request was already withdrawn."]);
        request.Refuse("no", Approver, Now).ShouldBe(["The request was already withdrawn."]);
        request.Withdraw(Owner, Now).ShouldBe(["The request was already withdrawn."]);
    }

    private static ExtensionRequest Ask() =>
        ExtensionRequest.Ask(1, 2, "alice/alice-notebook", "aaw/jupyterlab-cpu@sha256:1111", " thesis deadline ", Now.AddDays(30), Owner, Now);
}
