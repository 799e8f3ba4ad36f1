using System.Globalization;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Portal.Core.Auditing;
using Portal.Features.Audit;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Integration;

/// <summary>Audit search, CSV export and retention against real SQLite and real PostgreSQL.</summary>
public sealed class AuditTrailTests(PostgresServer postgres)
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(Now);

    public static TheoryData<DatabaseKind> Databases => [DatabaseKind.Sqlite, DatabaseKind.Postgres];

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task SearchFiltersByActorActionAndDateRangeAndPagesNewestFirst(DatabaseKind kind)
    {
        await using var database = await TestDatabase.CreateAsync(kind, postgres);
        await SeedAsync(database,
            (Now.AddDays(-3), "alice@example.org", AuditActions.SignIn),
            (Now.AddDays(-2), "admin@example.org", AuditActions.SignIn),
            (Now.AddDays(-2).AddHours(1), "admin@example.org", AuditActions.JobTriggered),
            (Now.AddDays(-1), "admin@example.org", AuditActions.SignOut),
            (Now.AddHours(-1), "bob@example.org", AuditActions.SignIn));
        var search = new AuditSearch(database);
        var ct = TestContext.Current.CancellationToken;

        var admin = await search.SearchAsync(new AuditPageRequest(new AuditFilter(Actor: "admin@")), ct);
        var signIns = await search.SearchAsync(new AuditPageRequest(new AuditFilter(Action: AuditActions.SignIn)), ct);
        var window = await search.SearchAsync(new AuditPageRequest(new AuditFilter(From: Now.AddDays(-2), To: Now.AddDays(-1))), ct);
        var secondPage = await search.SearchAsync(new AuditPageRequest(new AuditFilter(), Skip: 2, Take: 2), ct);

        admin.TotalCount.ShouldBe(3);
        admin.Items.Select(e => e.Action).ShouldBe([AuditActions.SignOut, AuditActions.JobTriggered, AuditActions.SignIn]);
        signIns.Items.Select(e => e.Actor).ShouldBe(["bob@example.org", "admin@example.org", "alice@example.org"]);
        window.Items.Select(e => e.Action).ShouldBe([AuditActions.SignOut, AuditActions.JobTriggered, AuditActions.SignIn]);
        secondPage.TotalCount.ShouldBe(5);
        secondPage.Items.Select(e => e.Timestamp).ShouldBe([Now.AddDays(-2).AddHours(1), Now.AddDays(-2)]);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task SearchSortsByActorWhenAsked(DatabaseKind kind)
    {
        await using var database = await TestDatabase.CreateAsync(kind, postgres);
        await SeedAsync(database,
            (Now.AddHours(-3), "carol@example.org", AuditActions.SignIn),
            (Now.AddHours(-2), "alice@example.org", AuditActions.SignIn),
            (Now.AddHours(-1), "bob@example.org", AuditActions.SignIn));

        var page = await new AuditSearch(database).SearchAsync(
            new AuditPageRequest(new AuditFilter(), SortBy: AuditSortField.Actor, Descending: false), TestContext.Current.CancellationToken);

        page.Items.Select(e => e.Actor).ShouldBe(["alice@example.org", "bob@example.org", "carol@example.org"]);
    }

    [Fact]
    public async Task CsvExportHasEveryMatchingEntryAndDefusesSpreadsheetFormulas()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite, postgres);
        await SeedAsync(database,
            (Now.AddHours(-2), "=HYPERLINK(\"http://evil\")", AuditActions.SignIn),
            (Now.AddHours(-1), "admin@example.org", AuditActions.JobTriggered));
        using var output = new MemoryStream();

        await new AuditSearch(database).WriteCsvAsync(new AuditFilter(), output, TestContext.Current.CancellationToken);

        output.Position = 0;
        using var reader = new CsvReader(new StreamReader(output), CultureInfo.InvariantCulture);
        var rows = reader.GetRecords<dynamic>().Cast<IDictionary<string, object>>().ToList();
        rows.Count.ShouldBe(2);
        rows[0]["Actor"].ShouldBe("admin@example.org");
        rows[0]["Action"].ShouldBe(AuditActions.JobTriggered);
        rows[1]["Actor"].ShouldBe("'=HYPERLINK(\"http://evil\")");
        rows[1]["Timestamp"].ShouldBe(Now.AddHours(-2).ToString("O", CultureInfo.InvariantCulture));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task RetentionPurgesOnlyEntriesPastRetentionInBatchesAndAuditsItself(DatabaseKind kind)
    {
        await using var database = await TestDatabase.CreateAsync(kind, postgres);
        var old = Enumerable.Range(0, 25).Select(i => (Now.AddDays(-31).AddMinutes(-i), $"user{i}@example.org", AuditActions.SignIn));
        var recent = Enumerable.Range(0, 3).Select(i => (Now.AddDays(-29).AddMinutes(-i), $"user{i}@example.org", AuditActions.SignIn));
        await SeedAsync(database, [.. old, .. recent]);
        var options = Options.Create(new AuditOptions { RetentionDays = 30, PurgeBatchSize = 10 });
        var retention = new AuditRetention(database, options, new AuditLog(database, _clock), _clock);
        var progress = new RecordingProgress();

        var purged = await retention.PurgeAsync(progress, TestContext.Current.CancellationToken);

        purged.ShouldBe(25);
        progress.Reports.ShouldBe([(0, 25), (10, 25), (20, 25), (25, 25)]);
        await using var db = database.CreateDbContext();
        var remaining = await db.AuditEntries.OrderBy(e => e.Timestamp).ToListAsync(TestContext.Current.CancellationToken);
        remaining.Count.ShouldBe(4);
        remaining.Take(3).ShouldAllBe(e => e.Timestamp > Now.AddDays(-30));
        var purgeRecord = remaining.Single(e => e.Action == AuditActions.AuditPurged);
        purgeRecord.ActorKind.ShouldBe(AuditActorKind.Job);
        purgeRecord.Actor.ShouldBe(AuditRetention.JobActor);
        purgeRecord.After.ShouldBe("{\"purged\":25,\"retentionDays\":30}");
    }

    [Fact]
    public async Task RetentionPausesBetweenBatchesButNotAfterTheLast()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite, postgres);
        await SeedAsync(database, [.. Enumerable.Range(0, 25).Select(i => (Now.AddDays(-31).AddMinutes(-i), "someone@example.org", AuditActions.SignIn))]);
        var pause = TimeSpan.FromSeconds(5);
        var clock = new PauseWatchingClock(Now);
        var options = Options.Create(new AuditOptions { RetentionDays = 30, PurgeBatchSize = 10, PurgeBatchPause = pause });
        var retention = new AuditRetention(database, options, new AuditLog(database, clock), clock);
        var progress = new RecordingProgress();
        var timeout = TimeSpan.FromSeconds(30);

        var purge = retention.PurgeAsync(progress, TestContext.Current.CancellationToken);

        (await clock.PauseStarted.WaitAsync(timeout, TestContext.Current.CancellationToken)).ShouldBeTrue("the purge pauses after its first batch");
        progress.Reports.ShouldBe([(0, 25), (10, 25)]);
        purge.IsCompleted.ShouldBeFalse("the purge waits for its pause to pass");
        clock.Advance(pause);
        (await clock.PauseStarted.WaitAsync(timeout, TestContext.Current.CancellationToken)).ShouldBeTrue("the purge pauses after its second batch");
        progress.Reports.ShouldBe([(0, 25), (10, 25), (20, 25)]);
        clock.Advance(pause);

        (await purge.WaitAsync(timeout, TestContext.Current.CancellationToken)).ShouldBe(25, "no pause after the last batch");
        progress.Reports[^1].ShouldBe((25, 25));
        clock.PauseStarted.CurrentCount.ShouldBe(0);
    }

    [Theory]
    [InlineData("00:00:00", true)]
    [InlineData("00:00:00.020", true)]
    [InlineData("00:01:00", true)]
    [InlineData("00:01:00.001", false)]
    [InlineData("-00:00:01", false)]
    public void PurgeBatchPauseIsBetweenNothingAndAMinute(string pause, bool valid)
    {
        var options = new AuditOptions { PurgeBatchPause = TimeSpan.Parse(pause, CultureInfo.InvariantCulture) };
        var errors = new List<System.ComponentModel.DataAnnotations.ValidationResult>();

        System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), errors, validateAllProperties: true)
            .ShouldBe(valid);
        if (!valid)
        {
            errors.Single().ErrorMessage.ShouldBe("Audit:PurgeBatchPause must be between 00:00:00 and 00:01:00.");
        }
    }

    /// <summary>A fake clock that says when something starts waiting on it, so a test advances it only once a pause has begun.</summary>
    private sealed class PauseWatchingClock(DateTimeOffset start) : FakeTimeProvider(start)
    {
        public SemaphoreSlim PauseStarted { get; } = new(0);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            PauseStarted.Release();
            return timer;
        }
    }

    [Fact]
    public async Task RetentionWithNothingToPurgeStillReportsAndAudits()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite, postgres);
        var retention = new AuditRetention(database, Options.Create(new AuditOptions()), new AuditLog(database, _clock), _clock);
        var progress = new RecordingProgress();

        (await retention.PurgeAsync(progress, TestContext.Current.CancellationToken)).ShouldBe(0);

        progress.Reports.ShouldBe([(0, 0)]);
        await using var db = database.CreateDbContext();
        (await db.AuditEntries.SingleAsync(TestContext.Current.CancellationToken)).Action.ShouldBe(AuditActions.AuditPurged);
    }

    private static async Task SeedAsync(TestDatabase database, params (DateTimeOffset When, string Actor, string Action)[] entries)
    {
        await using var db = database.CreateDbContext();
        db.AuditEntries.AddRange(entries.Select(e => AuditEntry.Create(e.When, AuditActorKind.Person, e.Actor, e.Action)));
        await db.SaveChangesAsync();
    }
}
