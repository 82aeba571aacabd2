using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace OtpEmail.Admin.Infrastructure.Data;

/// <summary>
/// On PostgreSQL every statement is a round trip, and a stage's writes by statement
/// (<see cref="PreparedInsert{TEntity}"/>, <see cref="PreparedStatement"/>) were one each. Inside a
/// transaction they now wait on the context and go to the server with the next command that has to
/// run, in one round trip (an <see cref="NpgsqlBatch"/>): with the next prepared read
/// (<see cref="PreparedQuery"/>, a statement's <c>RETURNING</c>), or ahead of any command EF Core runs
/// and of the commit (<see cref="Interceptor"/>). In a group commit the rows of one stage thus travel
/// with the first read of the next. Reads in the transaction still see every row written before
/// them. A statement that fails (a unique value taken) fails the command it travels with, in the
/// same transaction: the write is refused as before, only a command later. Out of a transaction, and
/// on SQLite (no round trips to save), statements run at once.
/// </summary>
internal sealed class DeferredWrites
{
    private readonly List<NpgsqlBatchCommand> _commands = [];
    private DbTransaction? _transaction;

    /// <summary>Whether statements on <paramref name="db"/> go by batch: PostgreSQL, in a transaction.</summary>
    public static bool Apply(AppDbContext db) => db is PostgresDbContext && db.Database.CurrentTransaction is not null;

    /// <summary>A statement that changes rows, for the context's transaction (see <see cref="Apply"/>); counts as a write of the stage.</summary>
    public static void Defer(AppDbContext db, NpgsqlBatchCommand command)
    {
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction() ?? throw new InvalidOperationException("Statements wait only in a transaction.");
        var deferred = db.Deferred ??= new DeferredWrites();
        if (!ReferenceEquals(deferred._transaction, transaction))
        {
            deferred._commands.Clear(); // left from a transaction that rolled back (a pooled context comes back with them)
            deferred._transaction = transaction;
        }

        deferred._commands.Add(command);
        db.StatementWrites++;
    }

    /// <summary>Runs <paramref name="read"/>, after the statements waiting, in one round trip; the reader is on the read's rows.</summary>
    public static async Task<DbDataReader> ReadAsync(AppDbContext db, NpgsqlBatchCommand read, CancellationToken cancellationToken)
    {
        var batch = Take(db);
        batch.BatchCommands.Add(read);
        var reader = await batch.ExecuteReaderAsync(cancellationToken);
        while (reader.FieldCount == 0 && await reader.NextResultAsync(cancellationToken))
        {
            // The statements before the read return no rows: on to the read's.
        }

        return reader;
    }

    /// <summary>Sends the statements waiting, if any, in one round trip.</summary>
    public static async Task FlushAsync(AppDbContext db, CancellationToken cancellationToken)
    {
        if (Waiting(db))
        {
            await using var batch = Take(db);
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static void Flush(AppDbContext db)
    {
        if (Waiting(db))
        {
            using var batch = Take(db);
            batch.ExecuteNonQuery();
        }
    }

    private static bool Waiting(AppDbContext db) =>
        db.Deferred is { _commands.Count: > 0 } deferred
        && ReferenceEquals(deferred._transaction, db.Database.CurrentTransaction?.GetDbTransaction());

    // A batch in the context's transaction (its connection is open while the transaction is), with the statements waiting, taken.
    private static NpgsqlBatch Take(AppDbContext db)
    {
        var batch = new NpgsqlBatch(
            (NpgsqlConnection)db.Database.GetDbConnection(), (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction());
        if (Waiting(db))
        {
            foreach (var command in db.Deferred!._commands)
            {
                batch.BatchCommands.Add(command);
            }

            db.Deferred._commands.Clear();
        }

        return batch;
    }

    /// <summary>Sends the waiting statements before any command EF Core runs on the context, and before its commit.</summary>
    public sealed class Interceptor : DbCommandInterceptor, IDbTransactionInterceptor
    {
        public static readonly Interceptor Instance = new();

        private Interceptor()
        {
        }

        public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result) =>
            Before(eventData.Context, result);

        public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result) =>
            Before(eventData.Context, result);

        public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result) =>
            Before(eventData.Context, result);

        public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default) =>
            await BeforeAsync(eventData.Context, result, cancellationToken);

        public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default) =>
            await BeforeAsync(eventData.Context, result, cancellationToken);

        public override async ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default) =>
            await BeforeAsync(eventData.Context, result, cancellationToken);

        public InterceptionResult TransactionCommitting(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result) =>
            Before(eventData.Context, result);

        public async ValueTask<InterceptionResult> TransactionCommittingAsync(
            DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default) =>
            await BeforeAsync(eventData.Context, result, cancellationToken);

        private static T Before<T>(DbContext? context, T result)
        {
            if (context is AppDbContext db)
            {
                Flush(db);
            }

            return result;
        }

        private static async ValueTask<T> BeforeAsync<T>(DbContext? context, T result, CancellationToken cancellationToken)
        {
            if (context is AppDbContext db)
            {
                await FlushAsync(db, cancellationToken);
            }

            return result;
        }
    }
}
