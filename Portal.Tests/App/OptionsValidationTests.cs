using System.ComponentModel.DataAnnotations;
using Portal.Data;
using Portal.Features.Audit;
using Portal.Features.Jobs;
using Portal.Operations;

namespace Portal.Tests.App;

/// <summary>Wrong settings are caught at start-up with a message that names the setting.</summary>
public sealed class OptionsValidationTests
{
    [Fact]
    public void JobScheduleMustBeAValidCronExpression()
    {
        var options = new JobsOptions { Schedules = { ["audit-retention"] = "every night" } };

        Errors(options).ShouldHaveSingleItem().ShouldContain("Jobs:Schedules:audit-retention 'every night' is not a valid Quartz cron expression");
    }

    [Fact]
    public void JobScheduleMustNameAKnownJob()
    {
        var options = new JobsOptions { Schedules = { ["nightly-cleanup"] = "0 0 1 * * ?" } };

        Errors(options).ShouldHaveSingleItem().ShouldContain("Jobs:Schedules:nightly-cleanup names no known job");
    }

    [Fact]
    public void ValidScheduleHasNoErrors() =>
        Errors(new JobsOptions { Schedules = { ["audit-retention"] = "0 30 2 * * ?" } }).ShouldBeEmpty();

    [Fact]
    public void PostgresNeedsAConnectionString() =>
        Errors(new DatabaseOptions { Provider = DatabaseProvider.Postgres }).ShouldHaveSingleItem().ShouldContain("ConnectionStrings:Portal is empty");

    [Theory]
    [InlineData(0)]
    [InlineData(40_000)]
    public void AuditRetentionMustBeSensible(int days) =>
        Errors(new AuditOptions { RetentionDays = days }).ShouldHaveSingleItem().ShouldContain("Audit:RetentionDays");

    [Fact]
    public void OtlpExporterNeedsAnEndpoint() =>
        Errors(new TelemetryOptions { Exporter = TelemetryExporter.Otlp }).ShouldHaveSingleItem().ShouldContain("Telemetry:OtlpEndpoint");

    private static List<string> Errors(object options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results.Select(r => r.ErrorMessage ?? "").ToList();
    }
}
