using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OtpEmail.Admin.Infrastructure.Health;

/// <summary>
/// The readiness checks' report, computed at most once a second however often it is asked for: callers
/// while it is computed, and for a second after, share one report. Each change of status is logged
/// once, with the details.
/// </summary>
internal sealed partial class Readiness(HealthCheckService checks, TimeProvider time, ILogger<Readiness> logger)
{
    public const string Tag = "ready";
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private Task<HealthReport>? _report;
    private DateTimeOffset _freshUntil;
    private HealthStatus? _loggedStatus;

    public Task<HealthReport> GetAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_report is null || (_report.IsCompleted && time.GetUtcNow() >= _freshUntil))
            {
                _report = Task.Run(ComputeAsync, CancellationToken.None); // no caller's: a caller that leaves does not cancel the others' report
            }

            return _report.WaitAsync(cancellationToken);
        }
    }

    private async Task<HealthReport> ComputeAsync()
    {
        var report = await checks.CheckHealthAsync(check => check.Tags.Contains(Tag), CancellationToken.None);
        lock (_gate)
        {
            _freshUntil = time.GetUtcNow() + MaxAge;
            if (_loggedStatus != report.Status)
            {
                _loggedStatus = report.Status;
                LogStatus(report.Status == HealthStatus.Healthy ? LogLevel.Information : LogLevel.Warning, report.Status, Describe(report));
            }
        }

        return report;
    }

    // "database: Healthy, reachable and migrated; outbox: Healthy, 0 mails waiting (depth=0, oldestAgeSeconds=0); ..."
    private static string Describe(HealthReport report) => string.Join("; ", report.Entries.Select(entry =>
    {
        var data = entry.Value.Data.Count == 0 ? "" : $" ({string.Join(", ", entry.Value.Data.Select(d => string.Create(CultureInfo.InvariantCulture, $"{d.Key}={d.Value}")))})";
        var description = entry.Value.Exception is { } e ? $"the check failed ({e.GetType().Name})" : entry.Value.Description;
        return $"{entry.Key}: {entry.Value.Status}, {description}{data}";
    }));

    [LoggerMessage(EventId = 1, Message = "Readiness is now {Status}: {Checks}")]
    private partial void LogStatus(LogLevel level, HealthStatus status, string checks);
}
