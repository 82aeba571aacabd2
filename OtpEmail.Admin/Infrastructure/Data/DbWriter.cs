using System.Data;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using OtpEmail.Admin.Common;

namespace OtpEmail.Admin.Infrastructure.Data;

/// <summary>
/// Persists staged writes with group commit: stages check, then change the context they are given
/// (or insert rows at once, see <see cref="PreparedInsert{TEntity}"/>) and never save; a writer runs
/// the waiting stages in order on one context and commits them in one transaction. A refusal keeps
/// nothing, in a batch as alone; a batch that cannot stand whole runs again stage by stage.
/// <para>
/// On PostgreSQL several writers (lanes) commit at once, each its own groups: while one waits for the
/// server, another stages. A write goes to the lane of what it is about (<see cref="InOrderWith"/>; by
/// default the first of its read-ahead keys, the user), so that a user's own writes (a bulk row's add
/// among them), or a bulk job's progress and cancel, are committed in the order they were handed over, and
/// the lanes' groups seldom write the same rows (the organization counts each lane keeps in rows of its
/// own, see <see cref="AppDbContext.WriterLane"/>). Where they do (a mail's record and its user's verification), the
/// database refuses the later commit and its writes run again, as across instances. What names
/// nothing, and every write that runs by itself, goes through the first lane. SQLite has one.
/// </para>
/// </summary>
public sealed partial class DbWriter : IAsyncDisposable
{
    /// <summary>How many waiting stages one commit takes at most, unless <c>Database:MaxWriteBatch</c> says otherwise.</summary>
    public const int DefaultMaxBatch = 128;

    /// <summary>How many lanes commit at once on PostgreSQL, unless <c>Database:WriteLanes</c> says otherwise.</summary>
    public const int DefaultPostgresLanes = 2;

    private readonly int _maxBatch;
    private readonly DatabaseOutage _outage;
    private readonly ILogger<DbWriter> _logger;
    private readonly Lane[] _lanes;
    private readonly Task _writing;

    /// <param name="maxBatch">Stages per commit at most; 1 commits every write by itself (no group commit).</param>
    /// <param name="lanes">How many groups may be committed at once (1 on SQLite: it has one writer).</param>
    public DbWriter(IDbContextFactory<AppDbContext> dbs, DatabaseOutage outage, ILogger<DbWriter> logger, int maxBatch = DefaultMaxBatch, int lanes = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(lanes, 1);
        _outage = outage;
        _maxBatch = maxBatch;
        _logger = logger;
        _lanes = [.. Enumerable.Range(0, lanes).Select(number => new Lane(new LaneContexts(dbs, number)))];
        _writing = Task.WhenAll(_lanes.Select(lane => Task.Run(() => WriteBatchesAsync(lane))));
    }

    /// <summary>
    /// Stages a write and returns its answer once it is committed; the caller's file and member name it in the log.
    /// Writes naming the same key (<paramref name="inOrderWith"/>) are committed in the order they were handed over; one naming none, in order with the others that name none.
    /// </summary>
    public Task<Result<T>> WriteAsync<T>(
        Func<AppDbContext, CancellationToken, Task<Staged<T>>> stage, CancellationToken cancellationToken, InOrderWith? inOrderWith = null,
        [CallerFilePath] string callerFile = "", [CallerMemberName] string callerMember = "") =>
        EnqueueAsync(new StagedWrite<T>(stage, null, cancellationToken, callerFile, callerMember), inOrderWith?.Key);

    /// <summary>
    /// Stages a write whose first reads are <paramref name="readAhead"/>: on PostgreSQL a batch fetches
    /// them with the other writes' at its start, in one round trip, instead of one round trip a stage.
    /// It is in order with the writes about its first key, unless <paramref name="inOrderWith"/> says otherwise.
    /// </summary>
    public Task<Result<T>> WriteAsync<T>(
        Func<AppDbContext, CancellationToken, Task<Staged<T>>> stage, ReadAhead readAhead, CancellationToken cancellationToken, InOrderWith? inOrderWith = null,
        [CallerFilePath] string callerFile = "", [CallerMemberName] string callerMember = "") =>
        EnqueueAsync(new StagedWrite<T>(stage, readAhead, cancellationToken, callerFile, callerMember), inOrderWith?.Key ?? readAhead.Keys.FirstOrDefault());

    /// <summary>
    /// Stages a write that runs by itself, in a transaction whose every statement sees what others committed before
    /// it (read committed on PostgreSQL; SQLite's writer sees all anyway): for a stage that first waits for a row's
    /// lock and must then read what the lock's holders committed meanwhile: a bulk job's cancel waits for the rows that
    /// read the job as running and counts them in its event, where the snapshot of repeatable read, taken before the
    /// wait, missed them.
    /// </summary>
    public Task<Result<T>> WriteAloneAsync<T>(
        Func<AppDbContext, CancellationToken, Task<Staged<T>>> stage, CancellationToken cancellationToken, InOrderWith? inOrderWith = null,
        [CallerFilePath] string callerFile = "", [CallerMemberName] string callerMember = "") =>
        EnqueueAsync(new StagedWrite<T>(stage, null, cancellationToken, callerFile, callerMember, readCommitted: true), inOrderWith?.Key);

    /// <summary>A write that runs its own statements (e.g. a bulk update), by itself, between batches of the first lane.</summary>
    public Task RunAsync(Func<AppDbContext, Task> work, CancellationToken cancellationToken) =>
        EnqueueAsync(new StatementWrite(work, cancellationToken), null);

    public async ValueTask DisposeAsync()
    {
        foreach (var lane in _lanes)
        {
            lane.Queue.Writer.TryComplete();
        }

        await _writing;
    }

    /// <summary>The lane of writes about <paramref name="key"/> among <paramref name="lanes"/>: spread evenly, whatever the key's own hash (ids differ in their high bits).</summary>
    internal static int LaneOf(object? key, int lanes) => key is null || lanes == 1 ? 0 : (int)((uint)HashCode.Combine(key) % (uint)lanes);

    private Task<T> EnqueueAsync<T>(PendingWrite<T> write, object? key)
    {
        if (!_lanes[LaneOf(key, _lanes.Length)].Queue.Writer.TryWrite(write))
        {
            throw new ObjectDisposedException(nameof(DbWriter), "The app is stopping; nothing more is written.");
        }

        return write.Completion;
    }

    private async Task WriteBatchesAsync(Lane lane)
    {
        var batch = new List<PendingWrite>(_maxBatch);
        while (await lane.Queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < _maxBatch && lane.Queue.Reader.TryRead(out var write))
            {
                if (write.CancellationToken.IsCancellationRequested)
                {
                    write.Cancel(); // the caller went away before anything was staged
                }
                else if (write.Alone)
                {
                    await CommitAsync(lane, batch);
                    await RunAloneAsync(lane, write);
                }
                else
                {
                    batch.Add(write);
                }
            }

            await CommitAsync(lane, batch);
        }
    }

    private async Task CommitAsync(Lane lane, List<PendingWrite> batch)
    {
        if (batch.Count == 1)
        {
            await RunAloneAsync(lane, batch[0]);
        }
        else if (batch.Count > 1 && !await CommitTogetherAsync(lane, batch))
        {
            // Nothing of the batch was kept: each stage runs again by itself, and its own outcome answers it.
            foreach (var write in batch)
            {
                await RunAloneAsync(lane, write);
            }
        }

        batch.Clear();
    }

    /// <summary>Stages the whole batch on one context and commits it; false: nothing of it was kept.</summary>
    private async Task<bool> CommitTogetherAsync(Lane lane, List<PendingWrite> batch)
    {
        try
        {
            await using var db = await lane.Contexts.CreateDbContextAsync();
            db.ChangeTracker.AutoDetectChangesEnabled = false; // once before the save, not at every stage's look
            using var changes = new StageChanges(db);
            await using var transaction = await BeginAsync(db);
            if (db is PostgresDbContext)
            {
                await ReadAhead.FetchAsync(db, [.. batch.Select(write => write.ReadAhead)], CancellationToken.None);
            }

            foreach (var write in batch)
            {
                changes.Start();
                db.ReadAhead = write.ReadAhead;
                try
                {
                    await write.StageAsync(db);
                }
                finally
                {
                    db.ReadAhead = null;
                }

                if (write.Refused && changes.Changed())
                {
                    // Saved with the batch, its changes would stand where alone they are discarded.
                    LogRefusalChanged(_logger, write.Caller);
                    return false;
                }
            }

            db.ChangeTracker.DetectChanges();
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        }
        catch (Exception e)
        {
            LogBatchFallback(_logger, batch.Count, e.GetType().Name);
            return false;
        }

        _outage.Recovered(); // a volatile read unless an outage is ending
        batch.ForEach(write => write.Answer());
        return true;
    }

    /// <summary>
    /// A transaction in which a stage's reads and its writes see one snapshot. SQLite's are
    /// serializable anyway; on PostgreSQL it takes repeatable read, so that a row or a user's version
    /// changed by another instance after the stage read it fails the save (and the stage runs again)
    /// instead of being read afresh halfway through the stage.
    /// </summary>
    internal static Task<IDbContextTransaction> BeginAsync(AppDbContext db, bool readCommitted = false) =>
        db.Database.BeginTransactionAsync(db is not PostgresDbContext ? IsolationLevel.Serializable
            : readCommitted ? IsolationLevel.ReadCommitted : IsolationLevel.RepeatableRead);

    private async Task RunAloneAsync(Lane lane, PendingWrite write)
    {
        try
        {
            await write.RunAloneAsync(lane.Contexts);
            _outage.Recovered();
        }
        catch (Exception e)
        {
            write.Fail(e);
        }
    }

    /// <summary>One writer: its queue, and the contexts it writes on, which know the lane (see <see cref="AppDbContext.WriterLane"/>).</summary>
    private sealed record Lane(LaneContexts Contexts)
    {
        public Channel<PendingWrite> Queue { get; } = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    }

    private sealed class LaneContexts(IDbContextFactory<AppDbContext> dbs, int lane) : IDbContextFactory<AppDbContext>
    {
        public AppDbContext CreateDbContext() => InLane(dbs.CreateDbContext());

        public async Task<AppDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) => InLane(await dbs.CreateDbContextAsync(cancellationToken));

        private AppDbContext InLane(AppDbContext db)
        {
            db.WriterLane = lane;
            return db;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "{Stage} refused a write but had changed something in a batch; the batch runs again stage by stage, so that the refusal keeps nothing")]
    private static partial void LogRefusalChanged(ILogger logger, string stage);

    [LoggerMessage(Level = LogLevel.Debug, Message = "A batch of {Count} writes could not be saved whole ({Reason}); each runs by itself")]
    private static partial void LogBatchFallback(ILogger logger, int count, string reason);
}

/// <summary>What a write is about, for <see cref="DbWriter"/>: writes about the same key are committed in the order they were handed over.</summary>
public readonly record struct InOrderWith(object Key);
