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
/// on SQLite (no round trips to save), statements run at once. A stage may also ask whether a row
/// exists and learn the answer after its next read (<see cref="Ask"/>): the question goes with it.
/// The rows that wait for one table go as one statement (<see cref="Insert"/>).
/// </summary>
internal sealed partial class DeferredWrites
{
    private readonly List<NpgsqlBatchCommand> _commands = [];
    private readonly List<Answer> _answers = []; // for the questions among the commands, in their order
    private readonly Dictionary<RowsInsert, Rows> _rows = []; // the inserts among the commands that further rows may join, by table
    private readonly Dictionary<SumKey, object[]> _sums = []; // for each statement and row summed, its arguments so far
    private DbTransaction? _transaction;

    /// <summary>Whether statements on <paramref name="db"/> go by batch: PostgreSQL, in a transaction.</summary>
    public static bool Apply(AppDbContext db) => db is PostgresDbContext && db.Database.CurrentTransaction is not null;

    /// <summary>A statement that changes rows, for the context's transaction (see <see cref="Apply"/>); counts as a write of the stage.</summary>
    public static void Defer(AppDbContext db, NpgsqlBatchCommand command)
    {
        For(db).Add(command);
        db.StatementWrites++;
    }

    /// <summary>
    /// Amounts for a row, added to those other stages of the transaction gave the same statement and row
    /// (its first <paramref name="keys"/> arguments, at most three); the statement runs once a row, with
    /// the commit (see <see cref="PreparedStatement.SumAsync"/>). Counts as a write of the stage.
    /// </summary>
    public static void Sum(AppDbContext db, PreparedStatement statement, object[] arguments, int keys)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(keys, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(keys, 3);
        var sums = For(db)._sums;
        var key = new SumKey(statement, arguments[0], keys > 1 ? arguments[1] : null, keys > 2 ? arguments[2] : null);
        if (sums.TryGetValue(key, out var summed))
        {
            for (var i = keys; i < arguments.Length; i++)
            {
                summed[i] = (long)summed[i] + (long)arguments[i];
            }
        }
        else
        {
            // Checked on the first amounts of a row, not only when a second adds to them (which a test of one count would not reach).
            if (arguments.Skip(keys).Any(amount => amount is not long))
            {
                throw new ArgumentException("The amounts a statement sums are longs.", nameof(arguments));
            }

            sums[key] = [.. arguments];
        }

        db.StatementWrites++;
    }

    /// <summary>
    /// Whether <paramref name="query"/> finds a row, answered once the next command has run (it goes
    /// with it, in one round trip); for a stage that needs the answer only after its next read.
    /// </summary>
    public static Answer Ask(AppDbContext db, NpgsqlBatchCommand query)
    {
        var deferred = For(db);
        var answer = new Answer();
        deferred.Add(query);
        deferred._answers.Add(answer);
        return answer;
    }

    /// <summary>Runs <paramref name="read"/>, after the statements waiting, in one round trip; the reader is on the read's rows.</summary>
    public static async Task<DbDataReader> ReadAsync(AppDbContext db, NpgsqlBatchCommand read, CancellationToken cancellationToken)
    {
        var (batch, answers) = Take(db);
        batch.BatchCommands.Add(read);
        var reader = await batch.ExecuteReaderAsync(cancellationToken);
        try
        {
            await AnswerAsync(reader, answers, cancellationToken);
            while (reader.FieldCount == 0 && await reader.NextResultAsync(cancellationToken))
            {
                // The statements before the read return no rows: on to the read's.
            }

            return reader;
        }
        catch
        {
            await reader.DisposeAsync(); // a statement before the read failed: the connection is free for the rollback
            throw;
        }
    }

    /// <summary>Sends the statements waiting, if any, in one round trip.</summary>
    public static async Task FlushAsync(AppDbContext db, CancellationToken cancellationToken)
    {
        if (Waiting(db))
        {
            var (batch, answers) = Take(db);
            await using (batch)
            {
                await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
                await AnswerAsync(reader, answers, cancellationToken);
            }
        }
    }

    private static void Flush(AppDbContext db)
    {
        if (Waiting(db))
        {
            var (batch, answers) = Take(db);
            using (batch)
            {
                using var reader = batch.ExecuteReader();
                foreach (var answer in answers)
                {
                    while (reader.FieldCount == 0 && reader.NextResult())
                    {
                    }

                    answer.Found = reader.Read();
                    reader.NextResult();
                }
            }
        }
    }

    // The questions' result sets come first among those with columns (statements that change rows have none), in order;
    // the reader is left on the last question's, for the next result set.
    private static async Task AnswerAsync(DbDataReader reader, List<Answer> answers, CancellationToken cancellationToken)
    {
        for (var i = 0; i < answers.Count; i++)
        {
            while (reader.FieldCount == 0 && await reader.NextResultAsync(cancellationToken))
            {
            }

            answers[i].Found = await reader.ReadAsync(cancellationToken);
            await reader.NextResultAsync(cancellationToken);
        }
    }

    private static DeferredWrites For(AppDbContext db)
    {
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction() ?? throw new InvalidOperationException("Statements wait only in a transaction.");
        var deferred = db.Deferred ??= new DeferredWrites();
        if (!ReferenceEquals(deferred._transaction, transaction))
        {
            deferred.Begin(transaction); // what is left is a transaction's that rolled back (a pooled context comes back with it)
        }

        return deferred;
    }

    // A transaction begins on the context: nothing a transaction before left (one that rolled back) goes with it, even
    // on a connection whose driver hands out its transaction object again (so the check in For cannot tell them apart).
    private static void Started(AppDbContext db, DbTransaction transaction) => db.Deferred?.Begin(transaction);

    private void Begin(DbTransaction transaction)
    {
        _commands.Clear();
        _answers.Clear();
        _rows.Clear();
        _sums.Clear();
        _transaction = transaction;
    }

    // A statement or question to wait: the inserts of the tables it names, or whose rows refer to a table it names, take no more rows (see Insert).
    private void Add(NpgsqlBatchCommand command)
    {
        CloseWhere(waiting => command.CommandText.Contains(waiting.Table, StringComparison.Ordinal)
            || waiting.References.Any(table => command.CommandText.Contains(table, StringComparison.Ordinal)));
        _commands.Add(command);
    }

    // At the commit, the sums become statements: the last to go.
    private static void Settle(AppDbContext db)
    {
        if (db.Deferred is { _sums.Count: > 0 } deferred && ReferenceEquals(deferred._transaction, db.Database.CurrentTransaction?.GetDbTransaction()))
        {
            foreach (var (key, arguments) in deferred._sums)
            {
                deferred.Add(key.Statement.Batched(arguments));
            }

            deferred._sums.Clear();
        }
    }

    private static bool Waiting(AppDbContext db) =>
        db.Deferred is { _commands.Count: > 0 } deferred
        && ReferenceEquals(deferred._transaction, db.Database.CurrentTransaction?.GetDbTransaction());

    // A batch in the context's transaction (its connection is open while the transaction is), with the statements waiting
    // and the answers they owe, taken.
    private static (NpgsqlBatch Batch, List<Answer> Answers) Take(AppDbContext db)
    {
        var batch = new NpgsqlBatch(
            (NpgsqlConnection)db.Database.GetDbConnection(), (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction());
        if (!Waiting(db))
        {
            return (batch, []);
        }

        foreach (var rows in db.Deferred!._rows.Values)
        {
            rows.Close();
        }

        db.Deferred._rows.Clear();
        foreach (var command in db.Deferred._commands)
        {
            batch.BatchCommands.Add(command);
        }

        List<Answer> answers = [.. db.Deferred._answers];
        db.Deferred._commands.Clear();
        db.Deferred._answers.Clear();
        return (batch, answers);
    }

    /// <summary>The answer to a question asked with <see cref="Ask"/>, or given at once.</summary>
    public sealed class Answer
    {
        private bool? _found;

        public static Answer Given(bool found) => new() { _found = found };

        /// <summary>Whether the query found a row; known once the command it went with has run.</summary>
        public bool Found
        {
            get => _found ?? throw new InvalidOperationException("The question has not gone to the server yet: ask for its answer after the stage's next read.");
            internal set => _found = value;
        }

        /// <summary>The answer, sending the question (and the statements waiting) now if no command has taken it yet.</summary>
        public async ValueTask<bool> FoundAsync(AppDbContext db, CancellationToken cancellationToken)
        {
            if (_found is null)
            {
                await FlushAsync(db, cancellationToken);
            }

            return Found;
        }
    }

    /// <summary>A statement and the row it sums into, by its key arguments (compared by value).</summary>
    private readonly record struct SumKey(PreparedStatement Statement, object First, object? Second, object? Third);
}
