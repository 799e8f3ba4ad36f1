using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Portal.Security;
using Scalar.AspNetCore;

namespace Portal.Operations;

public static class OperationsSetup
{
    /// <summary>The portal's own meter and activity source; features add instruments to it.</summary>
    public const string TelemetrySource = "Portal";

    public static readonly Meter Meter = new(TelemetrySource);

    /// <summary>Health checks, OpenTelemetry traces, metrics and logs, problem details and the OpenAPI document.</summary>
    public static IHostApplicationBuilder AddPortalOperations(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<TelemetryOptions>()
            .BindConfiguration(TelemetryOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddProblemDetails();
        services.AddHealthChecks();
        services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Image governance portal API";
            document.Info.Description = "Signed-in callers only; admin endpoints need the Portal.Admin role.";
            return Task.CompletedTask;
        }));

        var telemetry = builder.Configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new TelemetryOptions();
        var otel = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(telemetry.ServiceName))
            .WithTracing(tracing => tracing
                .AddSource(TelemetrySource)
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !context.Request.Path.StartsWithSegments("/health", StringComparison.Ordinal))
                .AddHttpClientInstrumentation())
            .WithMetrics(metrics => metrics
                .AddMeter(TelemetrySource)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation());

        switch (telemetry.Exporter)
        {
            case TelemetryExporter.Console:
                otel.WithTracing(t => t.AddConsoleExporter()).WithMetrics(m => m.AddConsoleExporter());
                break;
            case TelemetryExporter.Otlp:
                var endpoint = new Uri(telemetry.OtlpEndpoint!);
                otel.WithTracing(t => t.AddOtlpExporter(o => o.Endpoint = endpoint))
                    .WithMetrics(m => m.AddOtlpExporter(o => o.Endpoint = endpoint))
                    .WithLogging(l => l.AddOtlpExporter(o => o.Endpoint = endpoint));
                break;
            case TelemetryExporter.None:
                break;
        }

        return builder;
    }

    public static WebApplication MapPortalOperations(this WebApplication app)
    {
        // Liveness says only that the process answers; readiness checks what the portal depends on.
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") }).AllowAnonymous();
        app.MapOpenApi().RequireAuthorization(PortalPolicies.Admin);
        app.MapScalarApiReference(options => options.WithTitle("Image governance portal API"))
            .RequireAuthorization(PortalPolicies.Admin);
        return app;
    }
}
