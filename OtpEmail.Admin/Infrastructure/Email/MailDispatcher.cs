using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using OtpEmail.Admin.Infrastructure.Data;
using OtpEmail.Admin.Infrastructure.Telemetry;

namespace OtpEmail.Admin.Infrastructure.Email;

/// <summary>
/// Delivers the outbox: wakes when mail is committed (or every poll interval), claims what is due
/// (so that instances sharing a database never send the same mail twice), sends it,
/// retries transient failures with exponential backoff until the mail expires, gives up at once on
/// a permanent refusal, and records each mail as sent or given up with the relay's answer and the
/// reason, clearing its protected body either way, together with what the senders keep of it
/// (<see cref="IMailOutcomeRecorder"/>).
/// </summary>
public sealed partial class MailDispatcher(
    IDbContextFactory<AppDbContext> dbs,
    MailOutbox outbox,
    IMailTransport transport,
    OutboxRecords records,
    MailMetrics metrics,
    IOptions<MailSettings> options,
    TimeProvider time,
    DatabaseOutage outage,
    ILogger<MailDispatcher> logger) : BackgroundService
{
    private readonly MailSettings _settings = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // SMTP connections for as long as mail keeps coming; closed whenever the outbox is idle.
        await using var connections = new Connections(transport, _settings.Connections);
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                wait = await DispatchDueAsync(connections, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                if (!outage.TryReport(e)) // an outage is logged once, however many rounds it lasts
                {
                    LogDispatchFailed(logger, e);
                }

                await connections.CloseAsync();
                wait = _settings.PollInterval;
            }

            if (wait > TimeSpan.Zero)
            {
                await connections.CloseAsync();
            }

            try
            {
                await outbox.Queue.WaitAsync(wait, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Sends one batch of due mail on connections of its own; returns how long to wait before the next look.</summary>
    internal async Task<TimeSpan> DispatchDueAsync(CancellationToken cancellationToken)
    {
        await using var connections = new Connections(transport, _settings.Connections);
        return await DispatchDueAsync(connections, cancellationToken);
    }

    private async Task<TimeSpan> DispatchDueAsync(Connections connections, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var claim = await outbox.Queue.ClaimDueAsync(now, _settings.ClaimLease, _settings.BatchSize, cancellationToken);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var due = await outbox.Queue.Claimed(db, claim).ToListAsync(cancellationToken);
        using var activity = due.Count > 0 ? AppTelemetry.Source.StartActivity("mail dispatch") : null;
        activity?.SetTag("otpemail.mails.due", due.Count);

        // The mail is shared out by recipient: each connection sends its share in order, so that one address gets its mail
        // in the order it was queued (a resend's code never arrives before the code it replaces).
        var count = Math.Clamp(due.Count, 1, connections.Count);
        var lanes = connections.Take(count)
            .Select((connection, lane) => new Lane(connection, [.. due.Where(mail => (StringComparer.OrdinalIgnoreCase.GetHashCode(mail.To) & int.MaxValue) % count == lane)]))
            .ToList();
        try
        {
            await Task.WhenAll(lanes.Select(lane => SendAsync(lane, now, cancellationToken)));
        }
        finally
        {
            await RecordSentAsync([.. lanes.SelectMany(lane => lane.Sent)], lanes.Sum(lane => lane.Handled) < due.Count ? claim : null);
        }

        if (due.Count == _settings.BatchSize && !lanes.Any(lane => lane.StoppedEarly))
        {
            return TimeSpan.Zero;
        }

        return await outbox.Queue.UntilNextAsync(db, time.GetUtcNow(), _settings.PollInterval, cancellationToken);
    }

    // One connection's share of a round, in order.
    private async Task SendAsync(Lane lane, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Past this, what is left of the round goes back: the claim must not run out while a send is under way.
        var stopAt = now + (_settings.ClaimLease / 2);
        foreach (var mail in lane.Mail)
        {
            if (time.GetUtcNow() >= stopAt)
            {
                lane.StoppedEarly = true;
                return;
            }

            lane.Handled++;
            if (mail.ExpiresAt <= now || mail.ProtectedBody is null)
            {
                await GiveUpAsync(mail, "expired before it could be delivered", attempted: false, reply: null);
                continue;
            }

            try
            {
                var session = await lane.Connection.OpenAsync(cancellationToken);
                var reply = await session.SendAsync(outbox.Compose(mail, _settings.From), cancellationToken);
                lane.Sent.Add((mail, reply));
                LogSent(logger, mail.Id, mail.Attempts + 1);
            }
            catch (TransientMailException e)
            {
                // The transport is likely down: retry this one later and leave the rest for the next round.
                await lane.Connection.CloseAsync();
                await RetryLaterAsync(mail, e.Message, e.RelayResponse, cancellationToken);
                lane.StoppedEarly = true;
                return;
            }
            catch (PermanentMailException e)
            {
                await GiveUpAsync(mail, $"the relay refused it: {e.RelayResponse}", attempted: true, e.RelayResponse);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                await GiveUpAsync(mail, $"{e.GetType().Name}: {e.Message}", attempted: true, reply: null);
            }
        }
    }

    private sealed class Lane(Connection connection, List<OutboxMail> mail)
    {
        public Connection Connection { get; } = connection;

        public List<OutboxMail> Mail { get; } = mail;

        public List<(OutboxMail Mail, string? Reply)> Sent { get; } = [];

        public int Handled { get; set; }

        public bool StoppedEarly { get; set; }
    }

    private async Task RetryLaterAsync(OutboxMail mail, string reason, string? reply, CancellationToken cancellationToken)
    {
        var attempts = mail.Attempts + 1;
        var delay = RetryBackoff.After(attempts, _settings.RetryBaseDelay, _settings.RetryMaxDelay);
        LogRetry(logger, mail.Id, attempts, delay, reason);
        metrics.Retried();
        await records.RetryLaterAsync(mail, attempts, time.GetUtcNow() + delay, reason, reply, cancellationToken);
    }

    private async Task RecordSentAsync(List<(OutboxMail Mail, string? Reply)> sent, long? giveBack)
    {
        if (sent.Count > 0 || giveBack is not null)
        {
            metrics.Sent(sent.Count);
            await records.SentAsync(sent, giveBack);
        }
    }

    private async Task GiveUpAsync(OutboxMail mail, string reason, bool attempted, string? reply)
    {
        LogGivenUp(logger, mail.Id, reason);
        metrics.GivenUp();
        await records.GivenUpAsync(mail, reason, attempted, reply);
    }

    /// <summary>A dispatcher's connections to the relay (<see cref="MailSettings.Connections"/>), each opened on first use.</summary>
    private sealed class Connections(IMailTransport transport, int count) : List<Connection>(Enumerable.Range(0, count).Select(_ => new Connection(transport))), IAsyncDisposable
    {
        public async Task CloseAsync()
        {
            List<Exception> failed = [];
            foreach (var connection in this)
            {
                try
                {
                    await connection.CloseAsync();
                }
                catch (Exception e)
                {
                    failed.Add(e); // the others are closed all the same
                }
            }

            if (failed.Count > 0)
            {
                throw new AggregateException("Closing SMTP connections failed", failed);
            }
        }

        public async ValueTask DisposeAsync() => await CloseAsync();
    }

    /// <summary>The transport's session, opened on first use and kept until closed.</summary>
    private sealed class Connection(IMailTransport transport) : IAsyncDisposable
    {
        private IMailSession? _session;

        public async Task<IMailSession> OpenAsync(CancellationToken cancellationToken) =>
            _session ??= await transport.OpenAsync(cancellationToken);

        public async Task CloseAsync()
        {
            if (_session is { } session)
            {
                _session = null;
                await session.DisposeAsync();
            }
        }

        public async ValueTask DisposeAsync() => await CloseAsync();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Mail {MailId} delivered (attempt {Attempt})")]
    private static partial void LogSent(ILogger logger, long mailId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mail {MailId} attempt {Attempt} failed; retrying in {Delay}: {Reason}")]
    private static partial void LogRetry(ILogger logger, long mailId, int attempt, TimeSpan delay, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mail {MailId} given up: {Reason}")]
    private static partial void LogGivenUp(ILogger logger, long mailId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Mail dispatch round failed")]
    private static partial void LogDispatchFailed(ILogger logger, Exception exception);
}
