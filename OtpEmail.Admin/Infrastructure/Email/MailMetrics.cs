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

    public MailMetrics(IMeterFactory meters, IDbContextFactory<AppDbContext> dbs, TimeProvider time)
    {
        var meter = meters.Create(AppTelemetry.Name);
        _sent = meter.CreateCounter<long>("otpemail.mails.sent", "{mail}", "Mails handed to the SMTP relay (or the pickup folder)");
        _retried = meter.CreateCounter<long>("otpemail.mails.retried", "{mail}", "Sends that failed for now and will be tried again");
        _givenUp = meter.CreateCounter<long>("otpemail.mails.given_up", "{mail}", "Mails given up (expired, or refused for good)");

        // Read when a collector asks (once an export interval), not on every send.
        meter.CreateObservableGauge("otpemail.outbox.depth", () => Waiting(dbs, time).Depth, "{mail}", "Mails waiting in the outbox");
        meter.CreateObservableGauge("otpemail.outbox.oldest_age", () => Waiting(dbs, time).OldestAge, "s", "Age of the oldest mail waiting in the outbox");
    }

    public void Sent(int count) => _sent.Add(count);

    public void Retried() => _retried.Add(1);

    public void GivenUp() => _givenUp.Add(1);

    private static (long Depth, double OldestAge) Waiting(IDbContextFactory<AppDbContext> dbs, TimeProvider time)
    {
        using var db = dbs.CreateDbContext();
        var waiting = db.OutboxMails.Where(m => m.Status == OutboxMailStatus.Pending);
        var oldest = waiting.OrderBy(m => m.Id).Select(m => (DateTimeOffset?)m.CreatedAt).FirstOrDefault();
        return (waiting.LongCount(), oldest is { } createdAt ? Math.Max(0, (time.GetUtcNow() - createdAt).TotalSeconds) : 0);
    }
}
