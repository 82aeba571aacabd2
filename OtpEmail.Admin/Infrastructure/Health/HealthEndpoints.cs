using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Network;

namespace OtpEmail.Admin.Infrastructure.Health;

/// <summary>
/// <c>/health/live</c> (the process answers) and <c>/health/ready</c> (it can do its work): JSON,
/// anonymous. Readiness tells anyone its status word; the checks behind it (outbox depth, relay) only
/// to callers on this machine or with the otp-admin role, and to the logs (<see cref="Readiness"/>).
/// </summary>
public static class HealthEndpoints
{
    private const string Ready = Readiness.Tag;

    public static WebApplicationBuilder AddHealth(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<HealthSettings>().BindConfiguration(HealthSettings.Section);
        builder.Services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [Ready], timeout: CheckTimeout)
            .AddCheck<OutboxHealthCheck>("outbox", tags: [Ready], timeout: CheckTimeout)
            .AddCheck<SmtpHealthCheck>("smtp", tags: [Ready]);
        builder.Services.AddSingleton<Readiness>();

        // Readiness logs each change of status once, with every check's description; the health service's own
        // line per check and run (an Error for each Unhealthy one, every second while an outage lasts) would repeat it.
        builder.Logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService", LogLevel.None);
        return builder;
    }

    public static WebApplication MapHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync })
            .AllowAnonymous();
        app.MapGet("/health/ready", ReadyAsync).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static async Task ReadyAsync(HttpContext context, Readiness readiness)
    {
        var report = await readiness.GetAsync(context.RequestAborted);
        context.Response.StatusCode = report.Status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
        if (await MaySeeDetailsAsync(context))
        {
            await WriteAsync(context, report);
        }
        else
        {
            await WriteStatusAsync(context, report);
        }
    }

    // On this machine (an unknown address is not), or an otp-admin by staff cookie or bearer token; a bad token is anonymous here.
    private static async Task<bool> MaySeeDetailsAsync(HttpContext context)
    {
        if (ClientAddress.IsLoopback(context.Connection.RemoteIpAddress))
        {
            return true;
        }

        var services = context.RequestServices;
        var policy = await services.GetRequiredService<IAuthorizationPolicyProvider>().GetPolicyAsync(AuthPolicies.HealthDetails)
            ?? throw new InvalidOperationException($"The policy '{AuthPolicies.HealthDetails}' is missing.");
        var evaluator = services.GetRequiredService<IPolicyEvaluator>();
        var authenticated = await evaluator.AuthenticateAsync(policy, context);
        return (await evaluator.AuthorizeAsync(policy, authenticated, context, resource: null)).Succeeded;
    }

    private static Task WriteStatusAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        return JsonSerializer.SerializeAsync(context.Response.Body, new { status = report.Status.ToString() }, Options, context.RequestAborted);
    }

    // Status, and for each check its status, description and figures; never an exception's text.
    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        var body = new
        {
            status = report.Status.ToString(),
            durationMs = Math.Round(report.TotalDuration.TotalMilliseconds, 1),
            checks = report.Entries.ToDictionary(
                entry => entry.Key,
                entry => new
                {
                    status = entry.Value.Status.ToString(),
                    description = entry.Value.Exception is null ? entry.Value.Description : "the check failed",
                    data = entry.Value.Data.Count > 0 ? entry.Value.Data : null,
                }),
        };
        return JsonSerializer.SerializeAsync(context.Response.Body, body, Options, context.RequestAborted);
    }

    // A check that hangs (a database that accepts connections but never answers) reports Unhealthy rather than holding every caller's shared report.
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(10);

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };
}
