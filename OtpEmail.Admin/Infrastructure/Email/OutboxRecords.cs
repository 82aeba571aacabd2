using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Infrastructure.Email;

/// <summary>
/// Writes what became of the dispatcher's mail on the outbox rows: retried (when, why, the relay's
/// answer), sent (with the relay's answer) or given up, the last two with what the senders keep of it
/// (<see cref="IMailOutcomeRecorder"/>) in the same commit.
/// </summary>
public sealed class OutboxRecords(DbWriter writer, MailOutbox outbox, IEnumerable<IMailOutcomeRecorder> recorders, TimeProvider time)
{
    public async Task RetryLaterAsync(OutboxMail mail, int attempts, DateTimeOffset next, string reason, string? reply, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await writer.RunAsync(db => db.OutboxMails
            .Where(m => m.Id == mail.Id && m.Status == OutboxMailStatus.Pending)
            .ExecuteUpdateAsync(set => set
                .SetProperty(m => m.Attempts, attempts)
                .SetProperty(m => m.NextAttemptAt, next)
                .SetProperty(m => m.ClaimedUntil, (DateTimeOffset?)null)
                .SetProperty(m => m.LastAttemptAt, now)
                .SetProperty(m => m.RelayResponse, Truncate(reply))
                .SetProperty(m => m.LastError, Truncate(reason)), cancellationToken), cancellationToken);
    }

    // Kept prepared; on PostgreSQL the marks of a round go to the server together (see DeferredWrites).
    private static readonly PreparedStatement MarkSent = new($"""
        UPDATE "Outbox" SET "Status" = {(int)OutboxMailStatus.Sent}, "Attempts" = @p1, "SentAt" = @p2, "LastAttemptAt" = @p2,
          "RelayResponse" = @p3, "LastError" = NULL, "ProtectedBody" = NULL
        WHERE "Id" = @p0
        """, 4);

    // One write for the whole round: a commit per mail would make the write queue the pace of delivery.
    // Should the process die between a send and this record, those mails go again with the same Message-ID
    // once their claim runs out. Not cancellable: a mail that went out must be recorded as sent.
    // Mail the round claimed but did not reach (it stopped early) is given back in the same write.
    public async Task SentAsync(IReadOnlyList<(OutboxMail Mail, string? Reply)> sent, long? giveBack)
    {
        var now = time.GetUtcNow();
        var outcomes = sent.Select(s => new MailOutcome(s.Mail.Id, s.Mail.Reference, s.Mail.To, Sent: true, s.Mail.Attempts + 1, Truncate(s.Reply), null, now)).ToList();
        await RecordAsync(async (db, ct) =>
        {
            var at = now.ToUnixTimeMilliseconds(); // as times are stored (AppDbContext)
            foreach (var outcome in outcomes)
            {
                await MarkSent.ExecuteAsync(db, [outcome.MailId, outcome.Attempts, at, outcome.RelayResponse ?? (object)DBNull.Value], ct);
            }

            if (giveBack is { } claim)
            {
                await outbox.Queue.GiveBackAsync(db, claim, ct);
            }

            await TellAsync(db, outcomes, ct);
            return true;
        });
    }

    /// <summary>Gives back a round's mail that was claimed and not sent: the next round may take it at once. Not cancellable, as <see cref="SentAsync"/>.</summary>
    public Task GiveBackAsync(long claim) =>
        writer.RunAsync(db => outbox.Queue.GiveBackAsync(db, claim, CancellationToken.None), CancellationToken.None);

    /// <summary>A mail that will never go: expired, or refused for good (<paramref name="attempted"/>: the relay was tried).</summary>
    public async Task GivenUpAsync(OutboxMail mail, string reason, bool attempted, string? reply)
    {
        var now = time.GetUtcNow();
        var attempts = attempted ? mail.Attempts + 1 : mail.Attempts;
        var lastAttempt = attempted ? now : mail.LastAttemptAt;
        var outcome = new MailOutcome(mail.Id, mail.Reference, mail.To, Sent: false, attempts, Truncate(reply ?? mail.RelayResponse), Truncate(reason), now);
        await RecordAsync(async (db, ct) =>
        {
            await db.OutboxMails
                .Where(m => m.Id == mail.Id)
                .ExecuteUpdateAsync(set => set
                    .SetProperty(m => m.Status, OutboxMailStatus.GivenUp)
                    .SetProperty(m => m.Attempts, attempts)
                    .SetProperty(m => m.LastAttemptAt, lastAttempt)
                    .SetProperty(m => m.RelayResponse, outcome.RelayResponse)
                    .SetProperty(m => m.LastError, outcome.Reason)
                    .SetProperty(m => m.ProtectedBody, (string?)null), ct);
            await TellAsync(db, [outcome], ct);
            return true;
        });
    }

    // The record refuses nothing, so it comes back unwritten only when it lost every race with other writes of
    // the same users (their own, in another lane or instance: a verification, an event): then it goes again,
    // for an outcome left unrecorded would send the mail again once its claim ran out.
    private async Task RecordAsync(Func<AppDbContext, CancellationToken, Task<Staged<bool>>> record)
    {
        Result<bool> recorded;
        do
        {
            recorded = await writer.WriteAsync(record, CancellationToken.None);
        }
        while (!recorded.IsSuccess);
    }

    private async Task TellAsync(AppDbContext db, IReadOnlyList<MailOutcome> outcomes, CancellationToken cancellationToken)
    {
        if (outcomes.Count == 0)
        {
            return;
        }

        foreach (var recorder in recorders)
        {
            await recorder.RecordAsync(db, outcomes, cancellationToken);
        }
    }

    private static string? Truncate(string? text) => text is { Length: > 500 } ? text[..500] : text;
}
