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
    DbWriter writer,
    IdGenerator ids,
    MailOutbox outbox,
    IMailTransport transport,
    OutboxRecords records,
    MailMetrics metrics,
    IOptions<MailSettings> options,
    TimeProvider time,
    ILogger<MailDispatcher> logger) : BackgroundService
{
    private readonly MailSettings _settings = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // One SMTP connection for as long as mail keeps coming; closed whenever the outbox is idle.
        await using var connection = new Connection(transport);
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                wait = await DispatchDueAsync(connection, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogDispatchFailed(logger, e);
                await connection.CloseAsync();
                wait = _settings.PollInterval;
            }

            if (wait > TimeSpan.Zero)
            {
                await connection.CloseAsync();
            }

            try
            {
                await outbox.WaitAsync(wait, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Sends one batch of due mail on a connection of its own; returns how long to wait before the next look.</summary>
    internal async Task<TimeSpan> DispatchDueAsync(CancellationToken cancellationToken)
    {
        await using var connection = new Connection(transport);
        return await DispatchDueAsync(connection, cancellationToken);
    }

    private async Task<TimeSpan> DispatchDueAsync(Connection connection, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var claim = await ClaimDueAsync(now, cancellationToken);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var due = await db.OutboxMails.AsNoTracking()
            .Where(m => m.ClaimToken == claim && m.Status == OutboxMailStatus.Pending)
            .OrderBy(m => m.NextAttemptAt)
            .ToListAsync(cancellationToken);
        using var activity = due.Count > 0 ? AppTelemetry.Source.StartActivity("mail dispatch") : null;
        activity?.SetTag("otpemail.mails.due", due.Count);

        // Past this, what is left of the round goes back: the claim must not run out while a send is under way.
        var stopAt = now + (_settings.ClaimLease / 2);
        var stoppedEarly = false;
        var handled = 0;
        var sent = new List<(OutboxMail Mail, string? Reply)>(due.Count);
        try
        {
            foreach (var mail in due)
            {
                if (time.GetUtcNow() >= stopAt)
                {
                    stoppedEarly = true;
                    break;
                }

                handled++;
                if (mail.ExpiresAt <= now || mail.ProtectedBody is null)
                {
                    await GiveUpAsync(mail, "expired before it could be delivered", attempted: false, reply: null);
                    continue;
                }

                try
                {
                    var session = await connection.OpenAsync(cancellationToken);
                    var reply = await session.SendAsync(outbox.Compose(mail, _settings.From), cancellationToken);
                    sent.Add((mail, reply));
                    LogSent(logger, mail.Id, mail.Attempts + 1);
                }
                catch (TransientMailException e)
                {
                    // The transport is likely down: retry this one later and leave the rest for the next round.
                    await connection.CloseAsync();
                    await RetryLaterAsync(mail, e.Message, e.RelayResponse, cancellationToken);
                    stoppedEarly = true;
                    break;
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
        finally
        {
            await RecordSentAsync(sent, handled < due.Count ? claim : null);
        }

        if (due.Count == _settings.BatchSize && !stoppedEarly)
        {
            return TimeSpan.Zero;
        }

        // Mail another round holds is its business (or, should its claim run out, a later poll's).
        var later = time.GetUtcNow();
        var nextDue = await db.OutboxMails.AsNoTracking()
            .Where(m => m.Status == OutboxMailStatus.Pending && (m.ClaimedUntil == null || m.ClaimedUntil <= later))
            .OrderBy(m => m.NextAttemptAt)
            .Select(m => (DateTimeOffset?)m.NextAttemptAt)
            .FirstOrDefaultAsync(cancellationToken);
        var untilDue = nextDue is { } at ? at - time.GetUtcNow() : _settings.PollInterval;
        return untilDue < TimeSpan.Zero ? TimeSpan.Zero : untilDue < _settings.PollInterval ? untilDue : _settings.PollInterval;
    }

    /// <summary>
    /// Takes the due mail of one round for this dispatcher: marks it with a token of its own until the
    /// lease runs out. Mail another instance holds is left alone, unless that claim has run out (its
    /// instance died mid-round): then it is taken over, and goes with the same Message-ID.
    /// </summary>
    private async Task<long> ClaimDueAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var claim = ids.Next();
        var until = now + _settings.ClaimLease;
        var size = _settings.BatchSize;
        await writer.RunAsync(db =>
        {
            var due = db.OutboxMails
                .Where(d => d.Status == OutboxMailStatus.Pending && d.NextAttemptAt <= now && (d.ClaimedUntil == null || d.ClaimedUntil <= now))
                .OrderBy(d => d.NextAttemptAt)
                .Take(size)
                .Select(d => d.Id);
            return db.OutboxMails
                // Checked again on the row itself: on PostgreSQL a competing claim that committed first wins the row.
                .Where(m => due.Contains(m.Id) && m.Status == OutboxMailStatus.Pending && (m.ClaimedUntil == null || m.ClaimedUntil <= now))
                .ExecuteUpdateAsync(set => set
                    .SetProperty(m => m.ClaimToken, claim)
                    .SetProperty(m => m.ClaimedUntil, until), cancellationToken);
        }, cancellationToken);
        return claim;
    }

    private async Task RetryLaterAsync(OutboxMail mail, string reason, string? reply, CancellationToken cancellationToken)
    {
        var attempts = mail.Attempts + 1;
        var delay = Backoff(attempts);
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

    private TimeSpan Backoff(int attempts)
    {
        var exponential = _settings.RetryBaseDelay * Math.Pow(2, Math.Min(attempts - 1, 20));
        var capped = exponential < _settings.RetryMaxDelay ? exponential : _settings.RetryMaxDelay;
        return capped * (0.8 + (Random.Shared.NextDouble() * 0.4)); // ±20% so retries do not march in step
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
