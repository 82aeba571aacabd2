using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OtpEmail.Admin.Infrastructure.Data;
using OtpEmail.Admin.Infrastructure.Email;

namespace OtpEmail.Admin.Infrastructure.Health;

/// <summary><c>Health:*</c>.</summary>
public sealed class HealthSettings
{
    public const string Section = "Health";

    /// <summary>Readiness fails when the oldest mail still waiting in the outbox is older than this.</summary>
    public TimeSpan MaxOutboxAge { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long the database probe waits for an answer before readiness says the database does not answer.</summary>
    public TimeSpan DatabaseProbeTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long the SMTP reachability probe waits for a connection.</summary>
    public TimeSpan SmtpProbeTimeout { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>
/// The database answers within <see cref="HealthSettings.DatabaseProbeTimeout"/> and every migration is
/// applied. A failure to reach it starts an outage (<see cref="DatabaseOutage"/>), an answer ends one.
/// </summary>
internal sealed class DatabaseHealthCheck(
    IDbContextFactory<AppDbContext> dbs, DatabaseOutage outage, IOptions<HealthSettings> settings) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.Value.DatabaseProbeTimeout);
        int pending;
        try
        {
            await using var db = await dbs.CreateDbContextAsync(timeout.Token);
            pending = (await db.Database.GetPendingMigrationsAsync(timeout.Token)).Count();
        }
        catch (Exception e) when (outage.TryReport(e))
        {
            return HealthCheckResult.Unhealthy(Unreachable(outage));
        }
        catch (Exception) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"the database did not answer within {settings.Value.DatabaseProbeTimeout.TotalSeconds:0.#} s");
        }

        outage.Recovered();
        return pending == 0
            ? HealthCheckResult.Healthy("reachable and migrated")
            : HealthCheckResult.Unhealthy($"{pending} migrations not applied");
    }

    internal static string Unreachable(DatabaseOutage outage) =>
        outage.Since is { } since ? $"the database cannot be reached (since {since:O})" : "the database cannot be reached";
}

/// <summary>Mail leaves the outbox: the oldest waiting mail is younger than <see cref="HealthSettings.MaxOutboxAge"/>.</summary>
internal sealed class OutboxHealthCheck(
    IDbContextFactory<AppDbContext> dbs, DatabaseOutage outage, IOptions<HealthSettings> settings, TimeProvider time) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (outage.IsDown)
        {
            return HealthCheckResult.Unhealthy("unknown: " + DatabaseHealthCheck.Unreachable(outage)); // at once, not after a connect timeout
        }

        int depth;
        TimeSpan age;
        try
        {
            await using var db = await dbs.CreateDbContextAsync(cancellationToken);
            (depth, age) = await OutboxBacklog.ReadAsync(db, time.GetUtcNow(), cancellationToken);
        }
        catch (Exception e) when (outage.TryReport(e))
        {
            return HealthCheckResult.Unhealthy("unknown: " + DatabaseHealthCheck.Unreachable(outage));
        }

        var data = new Dictionary<string, object> { ["depth"] = depth, ["oldestAgeSeconds"] = Math.Round(age.TotalSeconds) };
        return age <= settings.Value.MaxOutboxAge
            ? HealthCheckResult.Healthy($"{depth} mails waiting", data)
            : HealthCheckResult.Unhealthy($"the oldest waiting mail is {age.TotalMinutes:F0} minutes old", data: data);
    }
}

/// <summary>
/// The SMTP relay accepts a connection. Reported, never failing readiness: the outbox keeps mail while
/// the relay is away, and <see cref="OutboxHealthCheck"/> fails once that lasts.
/// </summary>
internal sealed class SmtpHealthCheck(IOptions<MailSettings> mail, IOptions<HealthSettings> settings) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (mail.Value.Mode != MailMode.Smtp)
        {
            return HealthCheckResult.Healthy("pickup mode: mail is written to a folder");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.Value.SmtpProbeTimeout);
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(mail.Value.Smtp.Host!, mail.Value.Smtp.Port, timeout.Token);
            return HealthCheckResult.Healthy("the SMTP relay accepts connections");
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Degraded("the SMTP relay does not accept connections; mail waits in the outbox");
        }
    }
}
