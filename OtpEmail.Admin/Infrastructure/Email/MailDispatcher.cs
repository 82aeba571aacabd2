using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using OtpEmail.Admin.Infrastructure.Data;
using OtpEmail.Admin.Infrastructure.Telemetry;

namespace OtpEmail.Admin.Infrastructure.Email;

/// <summary>
/// Delivers the outbox: wakes when mail is committed (or every poll interval), sends what is due,
/// retries transient failures with exponential backoff until the mail expires, and records each
/// mail as sent or given up with the reason, clearing its protected body either way.
/// </summary>
public sealed partial class MailDispatcher(
    IDbContextFactory<AppDbContext> dbs,
    DbWriter writer,
    MailOutbox outbox,
    IMailTransport transport,
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
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var due = await db.OutboxMails.AsNoTracking()
            .Where(m => m.Status == OutboxMailStatus.Pending && m.NextAttemptAt <= now)
            .OrderBy(m => m.NextAttemptAt)
            .Take(_settings.BatchSize)
            .ToListAsync(cancellationToken);
        using var activity = due.Count > 0 ? AppTelemetry.Source.StartActivity("mail dispatch") : null;
        activity?.SetTag("otpemail.mails.due", due.Count);

        var stoppedEarly = false;
        var sent = new List<long>(due.Count);
        try
        {
            foreach (var mail in due)
            {
                if (mail.ExpiresAt <= now || mail.ProtectedBody is null)
                {
                    await GiveUpAsync(mail, "expired before it could be delivered");
                    continue;
                }

                try
                {
                    var session = await connection.OpenAsync(cancellationToken);
                    await session.SendAsync(Compose(mail), cancellationToken);
                    sent.Add(mail.Id);
                    LogSent(logger, mail.Id, mail.Attempts + 1);
                }
                catch (TransientMailException e)
                {
                    // The transport is likely down: retry this one later and leave the rest for the next round.
                    await connection.CloseAsync();
                    await RetryLaterAsync(mail, e.Message, cancellationToken);
                    stoppedEarly = true;
                    break;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    await GiveUpAsync(mail, $"{e.GetType().Name}: {e.Message}");
                }
            }
        }
        finally
        {
            await RecordSentAsync(sent);
        }

        if (due.Count == _settings.BatchSize && !stoppedEarly)
        {
            return TimeSpan.Zero;
        }

        var nextDue = await db.OutboxMails.AsNoTracking()
            .Where(m => m.Status == OutboxMailStatus.Pending)
            .OrderBy(m => m.NextAttemptAt)
            .Select(m => (DateTimeOffset?)m.NextAttemptAt)
            .FirstOrDefaultAsync(cancellationToken);
        var untilDue = nextDue is { } at ? at - time.GetUtcNow() : _settings.PollInterval;
        return untilDue < TimeSpan.Zero ? TimeSpan.Zero : untilDue < _settings.PollInterval ? untilDue : _settings.PollInterval;
    }

    private MimeMessage Compose(OutboxMail mail)
    {
        var body = outbox.Unprotect(mail.ProtectedBody!);
        var from = MailboxAddress.Parse(_settings.From);
        var message = new MimeMessage
        {
            Subject = mail.Subject,
            MessageId = $"{mail.Id}@{from.Domain}",
            Body = new BodyBuilder { TextBody = body.Text, HtmlBody = body.Html }.ToMessageBody(),
        };
        message.From.Add(from);
        message.To.Add(new MailboxAddress("", mail.To));
        return message;
    }

    private async Task RetryLaterAsync(OutboxMail mail, string reason, CancellationToken cancellationToken)
    {
        var attempts = mail.Attempts + 1;
        var delay = Backoff(attempts);
        var next = time.GetUtcNow() + delay;
        LogRetry(logger, mail.Id, attempts, delay, reason);
        metrics.Retried();
        await writer.RunAsync(db => db.OutboxMails
            .Where(m => m.Id == mail.Id && m.Status == OutboxMailStatus.Pending)
            .ExecuteUpdateAsync(set => set
                .SetProperty(m => m.Attempts, attempts)
                .SetProperty(m => m.NextAttemptAt, next)
                .SetProperty(m => m.LastError, Truncate(reason)), cancellationToken), cancellationToken);
    }

    // One write for the whole round: a commit per mail would make the write queue the pace of delivery.
    // Should the process die between a send and this record, those mails go again with the same Message-ID.
    // Not cancellable: a mail that went out must be recorded as sent.
    private async Task RecordSentAsync(List<long> sent)
    {
        if (sent.Count == 0)
        {
            return;
        }

        var now = time.GetUtcNow();
        metrics.Sent(sent.Count);
        await writer.RunAsync(db => db.OutboxMails
            .Where(m => sent.Contains(m.Id))
            .ExecuteUpdateAsync(set => set
                .SetProperty(m => m.Status, OutboxMailStatus.Sent)
                .SetProperty(m => m.Attempts, m => m.Attempts + 1)
                .SetProperty(m => m.SentAt, now)
                .SetProperty(m => m.LastError, (string?)null)
                .SetProperty(m => m.ProtectedBody, (string?)null)), CancellationToken.None);
    }

    private async Task GiveUpAsync(OutboxMail mail, string reason)
    {
        LogGivenUp(logger, mail.Id, reason);
        metrics.GivenUp();
        await writer.RunAsync(db => db.OutboxMails
            .Where(m => m.Id == mail.Id)
            .ExecuteUpdateAsync(set => set
                .SetProperty(m => m.Status, OutboxMailStatus.GivenUp)
                .SetProperty(m => m.LastError, Truncate(reason))
                .SetProperty(m => m.ProtectedBody, (string?)null)), CancellationToken.None);
    }

    private TimeSpan Backoff(int attempts)
    {
        var exponential = _settings.RetryBaseDelay * Math.Pow(2, Math.Min(attempts - 1, 20));
        var capped = exponential < _settings.RetryMaxDelay ? exponential : _settings.RetryMaxDelay;
        return capped * (0.8 + (Random.Shared.NextDouble() * 0.4)); // ±20% so retries do not march in step
    }

    private static string? Truncate(string? text) => text is { Length: > 500 } ? text[..500] : text;

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
