using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Portal.Core.Auditing;
using Portal.Core.Findings;
using Portal.Features.Audit;
using Portal.Features.Findings;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Integration.Findings;

/// <summary>Exceptions are validated against policy, audited when recorded and revoked, and stop applying when they expire.</summary>
public sealed class FindingExceptionsTests(PostgresServer postgres)
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static FindingExceptions Service(TestDatabase database, FakeTimeProvider clock) =>
        new(database, new AuditLog(database, clock), Options.Create(new FindingsOptions { MaxExceptionDays = 90 }), clock);

    [Fact]
    public async Task RecordsAnAuditedExceptionThatExpiresByItself()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite, postgres);
        var clock = new FakeTimeProvider(Now);
        var exceptions = Service(database, clock);

        var result = await exceptions.RecordAsync(new ExceptionInput("CVE-2023-0286", "aaw/jupyterlab-cpu", null, "openssl",
            ExceptionState.NotAffected, "X.400 names are never parsed here", Now.AddDays(30)), "admin@example.org", Ct);
        var active = await exceptions.ListAsync("CVE-2023-0286", Ct);
        clock.Advance(TimeSpan.FromDays(31));
        var expired = await exceptions.ListAsync(null, Ct);

        result.Succeeded.ShouldBeTrue(string.Join(" ", result.Errors));
        active.ShouldHaveSingleItem().Active.ShouldBeTrue();
        expired.ShouldHaveSingleItem().Active.ShouldBeFalse("expired exceptions stop applying by themselves");
        await using var db = database.CreateDbContext();
        var audit = await db.AuditEntries.SingleAsync(e => e.Action == AuditActions.ExceptionRecorded, Ct);
        audit.Subject.ShouldBe("CVE-2023-0286");
        audit.After.ShouldBe("NotAffected for CVE-2023-0286 in aaw/jupyterlab-cpu in package openssl until 2026-12-22: X.400 names are never parsed here");
    }

    [Fact]
    public async Task RefusesWhatPolicyDoesNotAllowAndStoresNothing()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite, postgres);
        var exceptions = Service(database, new FakeTimeProvider(Now));

        var result = await exceptions.RecordAsync(new ExceptionInput("CVE-1", null, "sha256:zz", null, (ExceptionState)42, "", Now.AddDays(91)),
            "admin@example.org", Ct);

        result.Succeeded.ShouldBeFalse();
        result.Errors.ShouldBe(
        [
            "A justification is required.",
            "The expiry may be at most 90 days away (policy).",
            "The state must be NotAffected, FalsePositive or RiskAccepted.",
            result.Errors[3],
        ]);
        result.Errors[3].ShouldStartWith("The digest is not valid");
        await using var db = database.CreateDbContext();
        (await db.FindingExceptions.AnyAsync(Ct)).ShouldBeFalse();
    }

    [Fact]
    public async Task RevokingIsAuditedAndHappensOnce()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite, postgres);
        var exceptions = Service(database, new FakeTimeProvider(Now));
        var id = (await exceptions.RecordAsync(new ExceptionInput("CVE-1", null, null, null, ExceptionState.RiskAccepted, "until the rebuild",
            Now.AddDays(7)), "admin@example.org", Ct)).Id!.Value;

        (await exceptions.RevokeAsync(id, "approver@example.org", Ct)).ShouldBeTrue();
        (await exceptions.RevokeAsync(id, "approver@example.org", Ct)).ShouldBeFalse();

        var view = (await exceptions.ListAsync(null, Ct)).ShouldHaveSingleItem();
        (view.Active, view.RevokedBy).ShouldBe((false, "approver@example.org"));
        await using var db = database.CreateDbContext();
        (await db.AuditEntries.CountAsync(e => e.Action == AuditActions.ExceptionRevoked, Ct)).ShouldBe(1);
    }
}
