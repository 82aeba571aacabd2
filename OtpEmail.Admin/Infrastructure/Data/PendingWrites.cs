using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using OtpEmail.Admin.Common;

namespace OtpEmail.Admin.Infrastructure.Data;

/// <summary>A write waiting for <see cref="DbWriter"/>.</summary>
internal abstract class PendingWrite
{
    public abstract CancellationToken CancellationToken { get; }

    /// <summary>Runs by itself, never in a batch (its statements execute at once).</summary>
    public abstract bool Alone { get; }

    /// <summary>Stages the write on a batch's context; its answer waits for the batch's commit.</summary>
    public abstract Task StageAsync(AppDbContext db);

    /// <summary>Staged, and refused: what it staged must not be saved.</summary>
    public virtual bool Refused => false;

    /// <summary>The reads its stage makes first, if it declared them (see <see cref="Data.ReadAhead"/>).</summary>
    public virtual ReadAhead? ReadAhead => null;

    /// <summary>Who wrote it, for the log: the calling type's file and member, e.g. <c>VerifyLink.VerifyAsync</c>.</summary>
    public virtual string Caller => GetType().Name;

    /// <summary>The batch was committed: answers with what was staged.</summary>
    public abstract void Answer();

    /// <summary>On a context and transaction of its own, retrying when another writer got in the way.</summary>
    public abstract Task RunAloneAsync(IDbContextFactory<AppDbContext> dbs);

    public abstract void Fail(Exception exception);

    public abstract void Cancel();
}

internal abstract class PendingWrite<T> : PendingWrite
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The answer, once the write is done.</summary>
    public Task<T> Completion => _completion.Task;

    public override void Fail(Exception exception) => _completion.TrySetException(exception);

    public override void Cancel() => _completion.TrySetCanceled(CancellationToken);

    protected void Complete(T value) => _completion.TrySetResult(value);
}

/// <summary>A stage of tracked changes with the answer it gives once they are saved (<paramref name="readCommitted"/>: by itself, see <see cref="DbWriter.WriteAloneAsync"/>).</summary>
internal sealed class StagedWrite<T>(
    Func<AppDbContext, CancellationToken, Task<Staged<T>>> stage, ReadAhead? readAhead, CancellationToken cancellationToken, string callerFile, string callerMember,
    bool readCommitted = false)
    : PendingWrite<Result<T>>
{
    private const int MaxAttempts = 5;

    /// <summary>
    /// The answer when other writers kept changing the same rows through every attempt: a temporary
    /// condition, so the caller hears "try again" (409, code 10, <c>Retry-After</c>), never an internal error.
    /// </summary>
    internal static readonly AppError Contended = new(ErrorCode.Aborted, "WRITE-CONFLICT", "Concurrent changes to the same user kept colliding with this one; try again")
    {
        RetryAfter = TimeSpan.FromSeconds(1),
    };

    private Staged<T> _staged;

    public override CancellationToken CancellationToken => cancellationToken;

    public override bool Alone => readCommitted;

    // Once staged, a write goes through whatever its caller does meanwhile: others share its commit.
    public override async Task StageAsync(AppDbContext db) => _staged = await stage(db, CancellationToken.None);

    public override bool Refused => !_staged.Save;

    public override ReadAhead? ReadAhead => readAhead;

    public override string Caller => $"{Path.GetFileNameWithoutExtension(callerFile)}.{callerMember}";

    public override void Answer() => Complete(_staged.Result);

    // A write refused for what others did meanwhile: a unique value taken, a row changed (on PostgreSQL
    // "could not serialize", which its execution strategy hands over wrapped as a transient failure; or
    // a deadlock with another lane or instance that took the same rows in the other order, its loser aborted),
    // whether by SaveChanges or by a statement a stage ran itself (see PreparedInsert). A database that
    // cannot be reached is no conflict, however EF wraps it: the write fails at once, as unavailable.
    private static bool IsConflict(Exception e) => !DatabaseOutage.IsOutage(e) && IsConflictOrWraps(e);

    private static bool IsConflictOrWraps(Exception e) => e switch
    {
        DbUpdateException => true,
        SqliteException { SqliteErrorCode: SQLitePCL.raw.SQLITE_CONSTRAINT } => true,
        PostgresException { SqlState: PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected } => true,
        _ => e.InnerException is { } inner && IsConflictOrWraps(inner),
    };

    public override async Task RunAloneAsync(IDbContextFactory<AppDbContext> dbs)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await dbs.CreateDbContextAsync();
            await using var transaction = await DbWriter.BeginAsync(db, readCommitted);
            try
            {
                var staged = await stage(db, CancellationToken.None);
                if (staged.Save)
                {
                    await db.SaveChangesAsync(CancellationToken.None);
                    await transaction.CommitAsync(CancellationToken.None);
                }

                Complete(staged.Result);
                return;
            }
            catch (Exception e) when (IsConflict(e))
            {
                // Another writer changed the same rows, or took a unique value, since the stage read them: read again
                // and redo, after a pause that grows and varies, so that colliding writers fall out of step.
                if (attempt == MaxAttempts)
                {
                    Complete(Contended);
                    return;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 10 * attempt)));
            }
        }
    }
}

/// <summary>Statements that run at once (bulk updates and deletes), by themselves.</summary>
internal sealed class StatementWrite(Func<AppDbContext, Task> work, CancellationToken cancellationToken) : PendingWrite<bool>
{
    public override CancellationToken CancellationToken => cancellationToken;

    public override bool Alone => true;

    public override Task StageAsync(AppDbContext db) => throw new InvalidOperationException("Statements run by themselves.");

    public override void Answer() => throw new InvalidOperationException("Statements run by themselves.");

    public override async Task RunAloneAsync(IDbContextFactory<AppDbContext> dbs)
    {
        await using var db = await dbs.CreateDbContextAsync();
        await work(db);
        Complete(true);
    }
}
