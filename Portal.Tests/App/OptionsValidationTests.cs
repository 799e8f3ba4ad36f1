using System.ComponentModel.DataAnnotations;
using Portal.Data;
using Portal.Features.Audit;
using Portal.Features.Jobs;
using Portal.Integrations.Kubernetes;
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
    public void RunOnStartMustNameKnownJobs()
    {
        var options = new JobsOptions { RunOnStart = ["workload-sync", "nightly-cleanup"] };

        Errors(options).ShouldHaveSingleItem().ShouldContain("Jobs:RunOnStart names 'nightly-cleanup', which is no known job");
    }

    [Theory]
    [InlineData(null, null, false, "set either KubeConfigPath or InCluster=true")]
    [InlineData("prod", "/etc/kube/config", true, "set either KubeConfigPath or InCluster=true")]
    [InlineData("", "/etc/kube/config", false, "Kubernetes:Clusters:0:Name is required")]
    public void ClusterNeedsANameAndExactlyOneWayToConnect(string? name, string? kubeconfig, bool inCluster, string error)
    {
        var options = new KubernetesOptions { Clusters = [new ClusterOptions { Name = name ?? "prod", KubeConfigPath = kubeconfig, InCluster = inCluster }] };

        Errors(options).ShouldHaveSingleItem().ShouldContain(error);
    }

    [Fact]
    public void ClusterNamesAreUnique()
    {
        var options = new KubernetesOptions
        {
            Clusters = [new ClusterOptions { Name = "prod", InCluster = true }, new ClusterOptions { Name = "PROD", KubeConfigPath = "k" }],
        };

        Errors(options).ShouldHaveSingleItem().ShouldContain("Name 'PROD' is used by another cluster");
    }

    [Fact]
    public void ClusterPageSizeIsBounded() =>
        Errors(new KubernetesOptions { Clusters = [new ClusterOptions { Name = "prod", InCluster = true, PageSize = 0 }] })
            .ShouldHaveSingleItem().ShouldContain("PageSize must be between 1 and 5000");

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
