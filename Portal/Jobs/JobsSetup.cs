using Portal.Data;
using Portal.Features.Audit;
using Portal.Features.Findings;
using Portal.Features.Inventory;
using Portal.Features.Jobs;
using Portal.Features.Workloads;
using Quartz;

namespace Portal.Jobs;

public static class JobsSetup
{
    /// <summary>
    /// Quartz with the DI job factory, every job in <see cref="JobCatalog"/> with its configured schedule, and the
    /// run history. The clustered ADO store on PostgreSQL is chosen by Jobs:Store for several replicas.
    /// </summary>
    public static IHostApplicationBuilder AddPortalJobs(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<JobsOptions>()
            .BindConfiguration(JobsOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<AuditOptions>()
            .BindConfiguration(AuditOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddSingleton<JobRunNotifier>();
        services.AddSingleton<JobRunRecorder>();
        services.AddScoped<JobsOverview>();
        services.AddScoped<AuditRetention>();
        services.AddScoped<InventorySync>();
        services.AddScoped<WorkloadSync>();
        // A singleton: it remembers which images failed, so they queue behind the others.
        services.AddSingleton<VulnerabilityScanning>();

        var jobs = builder.Configuration.GetSection(JobsOptions.SectionName).Get<JobsOptions>() ?? new JobsOptions();
        var connectionString = builder.Configuration.GetConnectionString(DataServiceCollectionExtensions.ConnectionStringName);

        services.AddQuartz(quartz =>
        {
            quartz.ConfigureScheduler(scheduler => scheduler.InstanceName = "portal");
            quartz.AddJobListener<EstateChangeJobListener>();
            if (jobs.Store == JobStore.Postgres)
            {
                quartz.UsePersistentStore(store =>
                {
                    store.UsePostgres(connectionString
                        ?? throw new InvalidOperationException("Jobs:Store is Postgres but ConnectionStrings:Portal is empty."));
                    store.ConfigureStore(options => options.TablePrefix = "qrtz_");
                    // Quartz owns its tables: it creates the missing ones and never alters or drops anything.
                    store.ProvisionSchema();
                    store.UseClustering(_ => { });
                });
            }

            foreach (var job in JobCatalog.All)
            {
                var key = new JobKey(job.Name);
                var schedule = jobs.Schedules.GetValueOrDefault(job.Name, job.DefaultSchedule);
                quartz.AddJob(job.JobType, j => j.WithIdentity(key).StoreDurably().WithDescription(job.Description));
                quartz.AddTrigger(t => t
                    .ForJob(key)
                    .WithIdentity($"{job.Name}-schedule")
                    .WithCronSchedule(schedule, cron => cron.InTimeZone(TimeZoneInfo.Utc)));
                if (jobs.RunOnStart.Contains(job.Name, StringComparer.OrdinalIgnoreCase))
                {
                    quartz.AddTrigger(t => t.ForJob(key).WithIdentity($"{job.Name}-on-start").StartNow());
                }
            }
        });
        services.AddQuartzHostedService(options => options.WaitForJobsToComplete = true);
        return builder;
    }

    /// <summary>Ends runs a previous process left behind; only safe when no other replica shares the run history.</summary>
    public static async Task RecoverInterruptedJobRunsAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        var jobs = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<JobsOptions>>().Value;
        if (jobs.Store == JobStore.Memory)
        {
            await services.GetRequiredService<JobRunRecorder>().FailInterruptedRunsAsync(cancellationToken);
        }
    }
}
