using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;

namespace OtpEmail.Admin.Infrastructure.Data;

/// <summary>A row of a durable queue (the mail outbox, webhook deliveries): due at a time, held by one round of one instance at a time.</summary>
public interface IQueuedWork
{
    long Id { get; }

    DateTimeOffset NextAttemptAt { get; }

    /// <summary>The round that holds the row (see <see cref="ClaimedUntil"/>).</summary>
    long? ClaimToken { get; }

    /// <summary>Until when that round holds it; no other round takes it before then.</summary>
    DateTimeOffset? ClaimedUntil { get; }
}

/// <summary>
/// The one durable queue mechanism: work is stored in the same commit as the change that caused it;
/// a round claims what is due with a token and a lease (so that instances sharing a database never
/// work one row at once, and a row left by a dead instance is taken over when its lease runs out),
/// gives back what it did not reach, and retries with exponential backoff. <paramref name="pending"/>
/// says which rows still wait for work.
/// </summary>
public sealed class WorkQueue<T>(DbWriter writer, IdGenerator ids, Expression<Func<T, bool>> pending)
    where T : class, IQueuedWork
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    /// <summary>
    /// Takes up to <paramref name="size"/> due rows for one round: marks them with a token of its own
    /// until <paramref name="lease"/> runs out, and returns the token (see <see cref="Claimed"/>).
    /// </summary>
    public async Task<long> ClaimDueAsync(DateTimeOffset now, TimeSpan lease, int size, CancellationToken cancellationToken)
    {
        var claim = ids.Next();
        var until = now + lease;
        await writer.RunAsync(async db =>
        {
            // The due rows first, then the update of those by key: as one statement PostgreSQL planned the
            // update from its estimate of the pending rows, which lags while the queue fills, and walked
            // them all for each claim (20–30 ms a round of 50 mails seen).
            var due = await Free(db, now).Where(d => d.NextAttemptAt <= now).OrderBy(d => d.NextAttemptAt).Take(size).Select(d => d.Id)
                .ToListAsync(cancellationToken);
            if (due.Count == 0)
            {
                return;
            }

            // Checked again on the row itself: on PostgreSQL a competing claim that committed first wins the row.
            await Free(db, now).Where(m => due.Contains(m.Id))
                .ExecuteUpdateAsync(set => set
                    .SetProperty(m => m.ClaimToken, claim)
                    .SetProperty(m => m.ClaimedUntil, until), cancellationToken);
        }, cancellationToken);
        return claim;
    }

    /// <summary>The pending rows a round holds.</summary>
    public IQueryable<T> Claimed(AppDbContext db, long claim) =>
        db.Set<T>().AsNoTracking().Where(pending).Where(m => m.ClaimToken == claim).OrderBy(m => m.NextAttemptAt);

    /// <summary>Stages giving back what a round holds and did not reach: the next round may take it at once.</summary>
    public Task GiveBackAsync(AppDbContext db, long claim, CancellationToken cancellationToken) =>
        db.Set<T>().Where(pending).Where(m => m.ClaimToken == claim)
            .ExecuteUpdateAsync(set => set.SetProperty(m => m.ClaimedUntil, (DateTimeOffset?)null), cancellationToken);

    /// <summary>When the next row no round holds is due (null: none waits); rows another round holds are its business.</summary>
    public Task<DateTimeOffset?> NextDueAsync(AppDbContext db, DateTimeOffset now, CancellationToken cancellationToken) =>
        Free(db, now).AsNoTracking().OrderBy(m => m.NextAttemptAt).Select(m => (DateTimeOffset?)m.NextAttemptAt).FirstOrDefaultAsync(cancellationToken);

    /// <summary>How long a round waits for the next look: until the next row is due, at most <paramref name="poll"/>.</summary>
    public async Task<TimeSpan> UntilNextAsync(AppDbContext db, DateTimeOffset now, TimeSpan poll, CancellationToken cancellationToken) =>
        Until(await NextDueAsync(db, now, cancellationToken), now, poll);

    /// <summary>How long to wait for a row due at <paramref name="next"/> (null: none waits), at most <paramref name="poll"/>.</summary>
    public static TimeSpan Until(DateTimeOffset? next, DateTimeOffset now, TimeSpan poll)
    {
        var untilDue = next is { } at ? at - now : poll;
        return untilDue < TimeSpan.Zero ? TimeSpan.Zero : untilDue < poll ? untilDue : poll;
    }

    /// <summary>Tells the worker that new work was committed.</summary>
    public void Notify()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled; one wake-up covers all pending work.
        }
    }

    /// <summary>Waits for <see cref="Notify"/> or <paramref name="timeout"/>, whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => await _signal.WaitAsync(timeout, cancellationToken);

    private IQueryable<T> Free(AppDbContext db, DateTimeOffset now) =>
        db.Set<T>().Where(pending).Where(m => m.ClaimedUntil == null || m.ClaimedUntil <= now);
}

/// <summary>How long a queue's row waits before its next try.</summary>
public static class RetryBackoff
{
    /// <summary>The delay before try <paramref name="attempts"/> + 1: doubling from <paramref name="first"/> up to <paramref name="max"/>, ±20% so retries do not march in step.</summary>
    public static TimeSpan After(int attempts, TimeSpan first, TimeSpan max)
    {
        var exponential = first * Math.Pow(2, Math.Clamp(attempts - 1, 0, 20));
        var capped = exponential < max ? exponential : max;
        return capped * (0.8 + (Random.Shared.NextDouble() * 0.4));
    }
}
