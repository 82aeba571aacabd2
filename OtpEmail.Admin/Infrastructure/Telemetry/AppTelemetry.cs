using System.Diagnostics;
using Microsoft.Extensions.Logging.Console;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace OtpEmail.Admin.Infrastructure.Telemetry;

/// <summary>
/// Metrics and traces with OpenTelemetry, exported by OTLP only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>
/// is set (traces are recorded only then); logs as JSON lines with trace ids outside Development.
/// </summary>
public static class AppTelemetry
{
    /// <summary>The name of the app's meter and activity source.</summary>
    public const string Name = "OtpEmail.Admin";

    public static readonly ActivitySource Source = new(Name);

    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        // Metrics always (cheap; dotnet-counters and tests read them in-process); traces only when they
        // have somewhere to go: recording spans nobody exports costs every request.
        var exporting = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(Name))
            .WithMetrics(metrics => metrics
                .AddMeter(Name)
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation());
        if (exporting)
        {
            telemetry
                .WithTracing(tracing => tracing
                    .AddSource(Name)
                    .AddAspNetCoreInstrumentation(options => options.RecordException = false)
                    .AddEntityFrameworkCoreInstrumentation())
                .UseOtlpExporter();
        }

        builder.Logging.Configure(options =>
            options.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        if (!builder.Environment.IsDevelopment())
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole(options =>
            {
                options.IncludeScopes = true; // the trace and span ids travel as a scope
                options.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fffK";
                options.UseUtcTimestamp = true;
            });
        }

        return builder;
    }
}
