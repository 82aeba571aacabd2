using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Infrastructure.Data;
using OtpEmail.Admin.Infrastructure.Telemetry;

namespace OtpEmail.Admin.Infrastructure.Email;

/// <summary>The outbox seen from outside: mails sent, retried and given up; how many wait and for how long.</summary>
public sealed class MailMetrics
{
    private readonly Counter<long> _sent;
    private readonly Counter<long> _retried;
    private readonly Counter<long> _givenUp;
    private readonly IDbContextFactory<AppDbContext> _dbs;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private (OutboxBacklog Backlog, DateTimeOffset At)? _lastRead;

    public MailMetrics(IMeterFactory meters, IDbContextFactory<AppDbContext> dbs, TimeProvider time)
    {
        var meter = meters.Create(AppTelemetry.Name);
        _sent = meter.CreateCounter<long>("otpemail.mails.sent", "{mail}", "Mails handed to the SMTP relay (or the pickup folder)");
        _retried = meter.CreateCounter<long>("otpemail.mails.retried", "{mail}", "Sends that failed for now and will be tried again");
        _givenUp = meter.CreateCounter<long>("otpemail.mails.given_up", "{mail}", "Mails given up (expired, or refused for good)");

        // Read when a collector asks (once an export interval), not on every send; one read serves both gauges.
        _dbs = dbs;
        _time = time;
        meter.CreateObservableGauge("otpemail.outbox.depth", () => Backlog().Depth, "{mail}", "Mails waiting in the outbox");
        meter.CreateObservableGauge("otpemail.outbox.oldest_age", () => Backlog().OldestAge.TotalSeconds, "s", "Age of the oldest mail waiting in the outbox");
    }

    public void Sent(int count) => _sent.Add(count);

    public void Retried() => _retried.Add(1);

    public void GivenUp() => _givenUp.Add(1);

    private OutboxBacklog Backlog()
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (_lastRead is not { } last || now - last.At > TimeSpan.FromSeconds(1))
            {
                using var db = _dbs.CreateDbContext();
                // Gauge callbacks are synchronous: the exporter's thread waits for this read, at most once a second.
                _lastRead = (OutboxBacklog.ReadAsync(db, now, CancellationToken.None).GetAwaiter().GetResult(), now);
            }

            return _lastRead.Value.Backlog;
        }
    }
}
