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
        await using var connections = new MailConnections(transport, _settings.Connections);
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

    /// <summary>Sends the mail that is due, round after round, on connections of its own; returns how long to wait before the next look.</summary>
    internal async Task<TimeSpan> DispatchDueAsync(CancellationToken cancellationToken)
    {
        await using var connections = new MailConnections(transport, _settings.Connections);
        return await DispatchDueAsync(connections, cancellationToken);
    }

    // Rounds overlap: while one round sends, the next is claimed and read, and the round before is recorded (on PostgreSQL
    // these were ~15 of a round's ~40 ms with rounds of 50; one after the other they were the pace of delivery). A round sends only once the
    // one before has sent all of its mail, so that an address still gets its mail in the order it was queued.
    private async Task<TimeSpan> DispatchDueAsync(MailConnections connections, CancellationToken cancellationToken)
    {
        var round = await ClaimAsync(cancellationToken);
        var recorded = Task.CompletedTask; // the record of the last round sent, still being written
        try
        {
            while (round.Mail.Count > 0)
            {
                var next = round.Mail.Count == _settings.BatchSize ? ClaimAsync(cancellationToken) : null;
                bool whole;
                try
                {
                    (var recording, whole) = await SendAsync(connections, round, cancellationToken);
                    var before = recorded;
                    recorded = recording;
                    await before; // at most two records under way
                }
                catch
                {
                    await GiveBackQuietlyAsync(next);
                    throw;
                }

                if (next is null)
                {
                    break;
                }

                if (!whole)
                {
                    // What this round did not reach goes back; the next round's mail, queued later, must not overtake it.
                    await GiveBackAsync(await next);
                    break;
                }

                round = await next;
            }
        }
        finally
        {
            await recorded;
        }

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return await outbox.Queue.UntilNextAsync(db, time.GetUtcNow(), _settings.PollInterval, cancellationToken);
    }

    /// <summary>Claims the next round's mail (see <see cref="WorkQueue{T}.ClaimDueAsync"/>) and reads it.</summary>
    private async Task<Round> ClaimAsync(CancellationToken cancellationToken)
    {
        var claimedAt = time.GetUtcNow();
        var claim = await outbox.Queue.ClaimDueAsync(claimedAt, _settings.ClaimLease, _settings.BatchSize, cancellationToken);
        // Once claimed, read whatever happens: a round read is a round that can be given back (stopping mid-round).
        await using var db = await dbs.CreateDbContextAsync(CancellationToken.None);
        return new Round(claim, claimedAt, await outbox.Queue.Claimed(db, claim).ToListAsync(CancellationToken.None));
    }

    private Task GiveBackAsync(Round round) => records.GiveBackAsync(round.Claim);

    // The round claimed ahead, when sending the one before failed: that failure is the one that goes on.
    private async Task GiveBackQuietlyAsync(Task<Round>? next)
    {
        try
        {
            if (next is not null)
            {
                await GiveBackAsync(await next);
            }
        }
        catch (Exception e)
        {
            if (e is not OperationCanceledException && !outage.TryReport(e))
            {
                LogGiveBackFailed(logger, e); // its claim runs out by itself
            }
        }
    }

    /// <summary>
    /// Sends a round: its mail shared out by recipient, each connection sending its share in order (so that one address gets
    /// its mail in the order it was queued: a resend's code never arrives before the code it replaces). Returns the write
    /// recording what became of it, under way, and whether every mail of the round was handled.
    /// </summary>
    private async Task<(Task Recorded, bool Whole)> SendAsync(MailConnections connections, Round round, CancellationToken cancellationToken)
    {
        using var activity = AppTelemetry.Source.StartActivity("mail dispatch");
        activity?.SetTag("otpemail.mails.due", round.Mail.Count);
        var count = Math.Clamp(round.Mail.Count, 1, connections.Count);
        var lanes = connections.Take(count)
            .Select((connection, lane) => new Lane(connection, [.. round.Mail.Where(mail => (StringComparer.OrdinalIgnoreCase.GetHashCode(mail.To) & int.MaxValue) % count == lane)]))
            .ToList();
        var now = time.GetUtcNow();
        var stopAt = round.ClaimedAt + (_settings.ClaimLease / 2); // past this, what is left goes back: the claim must not run out mid-send
        try
        {
            await Task.WhenAll(lanes.Select(lane => SendAsync(lane, now, stopAt, cancellationToken)));
        }
        catch
        {
            await RecordSentAsync(round, lanes); // a mail that went out is recorded as sent, whatever else happened
            throw;
        }

        return (RecordSentAsync(round, lanes), !lanes.Any(lane => lane.StoppedEarly));
    }

    /// <summary>A round's mail, claimed together (<paramref name="Claim"/>) at <paramref name="ClaimedAt"/>.</summary>
    private sealed record Round(long Claim, DateTimeOffset ClaimedAt, List<OutboxMail> Mail);

    // One connection's share of a round, in order.
    private async Task SendAsync(Lane lane, DateTimeOffset now, DateTimeOffset stopAt, CancellationToken cancellationToken)
    {
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

    private sealed class Lane(MailConnection connection, List<OutboxMail> mail)
    {
        public MailConnection Connection { get; } = connection;

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

    // What the round sent, and what it did not reach given back, in one write.
    private async Task RecordSentAsync(Round round, List<Lane> lanes)
    {
        List<(OutboxMail Mail, string? Reply)> sent = [.. lanes.SelectMany(lane => lane.Sent)];
        long? giveBack = lanes.Sum(lane => lane.Handled) < round.Mail.Count ? round.Claim : null;
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Mail {MailId} delivered (attempt {Attempt})")]
    private static partial void LogSent(ILogger logger, long mailId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mail {MailId} attempt {Attempt} failed; retrying in {Delay}: {Reason}")]
    private static partial void LogRetry(ILogger logger, long mailId, int attempt, TimeSpan delay, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mail {MailId} given up: {Reason}")]
    private static partial void LogGivenUp(ILogger logger, long mailId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mail claimed ahead was not sent and could not be given back; its claim runs out by itself")]
    private static partial void LogGiveBackFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Mail dispatch round failed")]
    private static partial void LogDispatchFailed(ILogger logger, Exception exception);
}
