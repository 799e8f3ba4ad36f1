using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Portal.Data;
using Portal.Features.Findings;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Integration.Findings;

/// <summary>
/// The Findings page's first page is read in the order of an index on open findings, worst first, rather than by
/// sorting every open finding (a million of them, at platform scale). The index is on the page's own rank expression,
/// which EF cannot model, so a change to that expression or a table rebuild that loses the index would go unnoticed but
/// for these tests. On SQLite and PostgreSQL.
/// </summary>
public sealed class FindingsPageIndexTests(PostgresServer postgres)
{
    private const string Index = "IX_findings_open_worst_first";
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    public static TheoryData<DatabaseKind> Databases => [DatabaseKind.Sqlite, DatabaseKind.Postgres];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task TheFirstPageIsReadInTheOrderOfTheOpenFindingsIndex(DatabaseKind kind)
    {
        await using var database = await TestDatabase.CreateAsync(kind, postgres);
        var plans = new PlanRecorder(kind);
        var catalog = new FindingCatalog(new RecordingContexts(database, plans), Options.Create(new FindingsOptions()), new FakeTimeProvider(Now));

        await catalog.SearchAsync(new FindingPageRequest(new FindingFilter()), Ct);

        var plan = plans.PagePlan.ShouldNotBeNull("the page query ran");
        plan.ShouldContain(Index, Case.Sensitive, $"the page is read through {Index}; the plan was:\n{plan}");
        // Sorts inside the per-row lookups are fine; a sort of the findings themselves is not.
        var sortsFindings = kind == DatabaseKind.Sqlite
            ? plan.Split('\n').Any(line => line.StartsWith("0|", StringComparison.Ordinal) && line.Contains("TEMP B-TREE FOR ORDER BY", StringComparison.Ordinal))
            : plan.Contains("Sort Key: (CASE", StringComparison.Ordinal);
        sortsFindings.ShouldBeFalse($"the page is not sorted; the plan was:\n{plan}");
    }

    /// <summary>Contexts of the test database with <see cref="PlanRecorder"/> attached.</summary>
    private sealed class RecordingContexts(TestDatabase database, PlanRecorder plans) : IDbContextFactory<PortalDbContext>
    {
        public PortalDbContext CreateDbContext()
        {
            using var plain = database.CreateDbContext();
            var connectionString = plain.Database.GetConnectionString()!;
            return plain.Database.IsNpgsql()
                ? new PostgresPortalDbContext(new DbContextOptionsBuilder<PostgresPortalDbContext>().UseNpgsql(connectionString).AddInterceptors(plans).Options)
                : new SqlitePortalDbContext(new DbContextOptionsBuilder<SqlitePortalDbContext>().UseSqlite(connectionString).AddInterceptors(plans).Options);
        }
    }

    /// <summary>Explains the page query (the one ordered by rank) on its own connection, with its own parameters, just before it runs.</summary>
    private sealed class PlanRecorder(DatabaseKind kind) : DbCommandInterceptor
    {
        public string? PagePlan { get; private set; }

        public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            if (command.CommandText.Contains("ORDER BY CASE", StringComparison.Ordinal))
            {
                PagePlan = await ExplainAsync(command, cancellationToken);
            }

            return result;
        }

        private async Task<string> ExplainAsync(DbCommand command, CancellationToken cancellationToken)
        {
            if (kind == DatabaseKind.Postgres)
            {
                // An empty table is cheapest to read whole and sort; ask whether an index can give the order at all.
                await using var settings = command.Connection!.CreateCommand();
                settings.CommandText = "SET enable_seqscan = off; SET enable_sort = off;";
                await settings.ExecuteNonQueryAsync(cancellationToken);
            }

            await using var explain = command.Connection!.CreateCommand();
            explain.Transaction = command.Transaction;
            explain.CommandText = (kind == DatabaseKind.Sqlite ? "EXPLAIN QUERY PLAN " : "EXPLAIN ") + command.CommandText;
            foreach (DbParameter parameter in command.Parameters)
            {
                var copy = explain.CreateParameter();
                copy.ParameterName = parameter.ParameterName;
                copy.Value = parameter.Value;
                copy.DbType = parameter.DbType;
                explain.Parameters.Add(copy);
            }

            var lines = new List<string>();
            await using (var reader = await explain.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    // SQLite: id, parent, unused, detail; PostgreSQL: one line of text.
                    lines.Add(kind == DatabaseKind.Sqlite ? $"{reader.GetInt64(1)}|{reader.GetString(3)}" : reader.GetString(0));
                }
            }

            if (kind == DatabaseKind.Postgres)
            {
                await using var reset = command.Connection.CreateCommand();
                reset.CommandText = "RESET enable_seqscan; RESET enable_sort;";
                await reset.ExecuteNonQueryAsync(cancellationToken);
            }

            return string.Join('\n', lines);
        }
    }
}
