using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace Portal.Data;

public static class DataServiceCollectionExtensions
{
    public const string ConnectionStringName = "Portal";

    /// <summary>
    /// Registers <see cref="IDbContextFactory{PortalDbContext}"/> (pages and features, one context per operation),
    /// a scoped <see cref="PortalDbContext"/> for framework parts that want one, and Data Protection keys kept in
    /// the database so that every replica can read cookies and encrypted secrets. Interceptors registered as
    /// <see cref="IInterceptor"/> services join every context (admission's view listens for changes this way).
    /// </summary>
    public static IHostApplicationBuilder AddPortalData(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<DatabaseOptions>()
            .BindConfiguration(DatabaseOptions.SectionName)
            .Configure<IConfiguration>((options, configuration) =>
                options.ConnectionString ??= configuration.GetConnectionString(ConnectionStringName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        var database = builder.Configuration.GetSection(DatabaseOptions.SectionName).Get<DatabaseOptions>() ?? new DatabaseOptions();
        database.ConnectionString ??= builder.Configuration.GetConnectionString(ConnectionStringName);

        if (database.Provider == DatabaseProvider.Postgres)
        {
            services.AddDbContextFactory<PostgresPortalDbContext>((sp, options) =>
                options.UseNpgsql(RequiredConnectionString(sp)).AddInterceptors(sp.GetServices<IInterceptor>()));
            services.AddSingleton<IDbContextFactory<PortalDbContext>, PortalDbContextFactory<PostgresPortalDbContext>>();
        }
        else
        {
            services.AddDbContextFactory<SqlitePortalDbContext>((sp, options) =>
                options.UseSqlite(SqliteConnectionString(sp, builder.Environment.ContentRootPath)).AddInterceptors(SqliteWriteAheadLog.Interceptor)
                    .AddInterceptors(sp.GetServices<IInterceptor>()));
            services.AddSingleton<IDbContextFactory<PortalDbContext>, PortalDbContextFactory<SqlitePortalDbContext>>();
        }

        // Registered before the job scheduler's hosted service, so migrations finish before any job can fire.
        services.AddHostedService<DatabaseMigrator>();
        if (database.Provider != DatabaseProvider.Postgres)
        {
            services.AddHostedService<SqliteCheckpointer>();
        }

        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext());
        services.AddDataProtection()
            .SetApplicationName("image-governance-portal")
            .PersistKeysToDbContext<PortalDbContext>();
        services.AddHealthChecks().AddDbContextCheck<PortalDbContext>("database", tags: ["ready"]);
        return builder;
    }

    /// <summary>Applies pending migrations when Database:MigrateOnStartup is true.</summary>
    public static async Task MigratePortalDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        var options = services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        if (!options.MigrateOnStartup)
        {
            return;
        }

        var factory = services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using var context = await factory.CreateDbContextAsync(cancellationToken);
        await context.Database.MigrateAsync(cancellationToken);
    }

    private static string RequiredConnectionString(IServiceProvider services) =>
        services.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString
        ?? throw new OptionsValidationException(nameof(DatabaseOptions), typeof(DatabaseOptions),
            ["ConnectionStrings:Portal is required for PostgreSQL."]);

    private static string SqliteConnectionString(IServiceProvider services, string contentRoot)
    {
        var options = services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return options.ConnectionString;
        }

        var directory = Path.GetFullPath(options.DataDirectory, contentRoot);
        Directory.CreateDirectory(directory);
        return $"Data Source={Path.Combine(directory, "portal.db")}";
    }
}

/// <summary>Hands out the provider's derived context as the shared <see cref="PortalDbContext"/> type.</summary>
internal sealed class PortalDbContextFactory<TContext>(IDbContextFactory<TContext> inner) : IDbContextFactory<PortalDbContext>
    where TContext : PortalDbContext
{
    public PortalDbContext CreateDbContext() => inner.CreateDbContext();

    public async Task<PortalDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) =>
        await inner.CreateDbContextAsync(cancellationToken);
}
