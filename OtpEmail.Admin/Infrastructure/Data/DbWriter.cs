using System.Data;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using OtpEmail.Admin.Common;

namespace OtpEmail.Admin.Infrastructure.Data;

/// <summary>
/// Persists staged writes with group commit: stages check, then change the context they are given
/// (or insert rows at once, see <see cref="PreparedInsert{TEntity}"/>) and never save; one writer runs
/// the waiting stages in order on one context and commits them in one transaction. A refusal keeps
/// nothing, in a batch as alone; a batch that cannot stand whole runs again stage by stage.
/// </summary>
public sealed partial class DbWriter : IAsyncDisposable
{
    /// <summary>How many waiting stages one commit takes at most, unless <c>Database:MaxWriteBatch</c> says otherwise.</summary>
    public const int DefaultMaxBatch = 128;

    private readonly IDbContextFactory<AppDbContext> _dbs;
    private readonly int _maxBatch;
    private readonly DatabaseOutage _outage;
    private readonly ILogger<DbWriter> _logger;
    private readonly Channel<PendingWrite> _queue = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writing;

    /// <param name="maxBatch">Stages per commit at most; 1 commits every write by itself (no group commit).</param>
    public DbWriter(IDbContextFactory<AppDbContext> dbs, DatabaseOutage outage, ILogger<DbWriter> logger, int maxBatch = DefaultMaxBatch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        _dbs = dbs;
        _outage = outage;
        _maxBatch = maxBatch;
        _logger = logger;
        _writing = Task.Run(WriteBatchesAsync);
    }

    /// <summary>Stages a write and returns its answer once it is committed; the caller's file and member name it in the log.</summary>
    public Task<Result<T>> WriteAsync<T>(
        Func<AppDbContext, CancellationToken, Task<Staged<T>>> stage, CancellationToken cancellationToken,
        [CallerFilePath] string callerFile = "", [CallerMemberName] string callerMember = "") =>
        EnqueueAsync(new StagedWrite<T>(stage, null, cancellationToken, callerFile, callerMember));

    /// <summary>
    /// Stages a write whose first reads are <paramref name="readAhead"/>: on PostgreSQL a batch fetches
    /// them with the other writes' at its start, in one round trip, instead of one round trip a stage.
    /// </summary>
    public Task<Result<T>> WriteAsync<T>(
        Func<AppDbContext, CancellationToken, Task<Staged<T>>> stage, ReadAhead readAhead, CancellationToken cancellationToken,
        [CallerFilePath] string callerFile = "", [CallerMemberName] string callerMember = "") =>
        EnqueueAsync(new StagedWrite<T>(stage, readAhead, cancellationToken, callerFile, callerMember));

    /// <summary>A write that runs its own statements (e.g. a bulk update), by itself, between batches.</summary>
    public Task RunAsync(Func<AppDbContext, Task> work, CancellationToken cancellationToken) =>
        EnqueueAsync(new StatementWrite(work, cancellationToken));

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writing;
    }

    private Task<T> EnqueueAsync<T>(PendingWrite<T> write)
    {
        if (!_queue.Writer.TryWrite(write))
        {
            throw new ObjectDisposedException(nameof(DbWriter), "The app is stopping; nothing more is written.");
        }

        return write.Completion;
    }

    private async Task WriteBatchesAsync()
    {
        var batch = new List<PendingWrite>(_maxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < _maxBatch && _queue.Reader.TryRead(out var write))
            {
                if (write.CancellationToken.IsCancellationRequested)
                {
                    write.Cancel(); // the caller went away before anything was staged
                }
                else if (write.Alone)
                {
                    await CommitAsync(batch);
                    await RunAloneAsync(write);
                }
                else
                {
                    batch.Add(write);
                }
            }

            await CommitAsync(batch);
        }
    }

    private async Task CommitAsync(List<PendingWrite> batch)
    {
        if (batch.Count == 1)
        {
            await RunAloneAsync(batch[0]);
        }
        else if (batch.Count > 1 && !await CommitTogetherAsync(batch))
        {
            // Nothing of the batch was kept: each stage runs again by itself, and its own outcome answers it.
            foreach (var write in batch)
            {
                await RunAloneAsync(write);
            }
        }

        batch.Clear();
    }

    /// <summary>Stages the whole batch on one context and commits it; false: nothing of it was kept.</summary>
    private async Task<bool> CommitTogetherAsync(List<PendingWrite> batch)
    {
        try
        {
            await using var db = await _dbs.CreateDbContextAsync();
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
    internal static Task<IDbContextTransaction> BeginAsync(AppDbContext db) =>
        db.Database.BeginTransactionAsync(db is PostgresDbContext ? IsolationLevel.RepeatableRead : IsolationLevel.Serializable);

    private async Task RunAloneAsync(PendingWrite write)
    {
        try
        {
            await write.RunAloneAsync(_dbs);
            _outage.Recovered();
        }
        catch (Exception e)
        {
            write.Fail(e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "{Stage} refused a write but had changed something in a batch; the batch runs again stage by stage, so that the refusal keeps nothing")]
    private static partial void LogRefusalChanged(ILogger logger, string stage);

    [LoggerMessage(Level = LogLevel.Debug, Message = "A batch of {Count} writes could not be saved whole ({Reason}); each runs by itself")]
    private static partial void LogBatchFallback(ILogger logger, int count, string reason);
}
