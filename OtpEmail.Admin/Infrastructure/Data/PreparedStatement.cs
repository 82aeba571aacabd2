using System.Data.Common;
using Npgsql;

namespace OtpEmail.Admin.Infrastructure.Data;

/// <summary>
/// A statement of hand-written SQL that both providers understand (quoted names, <c>@p0</c>…
/// parameters, <c>ON CONFLICT … DO UPDATE</c>, <c>RETURNING</c>), run in the context's transaction
/// by a command kept prepared (see <see cref="PreparedCommands"/>): for counters a stage keeps with
/// an atomic <c>n = n + x</c>, never read, changed and written back. On PostgreSQL it goes with the
/// next command, in one round trip (see <see cref="DeferredWrites"/>).
/// </summary>
public sealed class PreparedStatement(string sql, int parameters)
{
    private readonly PreparedCommands _commands = new();
    private string? _positional; // made when first needed: on PostgreSQL

    /// <summary>Runs the statement with <paramref name="arguments"/> as <c>@p0</c>, <c>@p1</c>, …; counts as a write of the stage.</summary>
    public async Task ExecuteAsync(AppDbContext db, object[] arguments, CancellationToken cancellationToken)
    {
        if (DeferredWrites.Apply(db))
        {
            DeferredWrites.Defer(db, Batched(arguments));
            return;
        }

        var command = await CommandAsync(db, arguments, cancellationToken);
        await command.ExecuteNonQueryAsync(cancellationToken);
        db.StatementWrites++;
    }

    /// <summary>
    /// Runs a statement that adds amounts to a row (an upsert of <c>n = n + x</c>) with
    /// <paramref name="arguments"/>: the first <paramref name="keys"/> name the row, the others are the
    /// amounts (<see cref="long"/>). On PostgreSQL, in a transaction, the amounts of all its stages add
    /// up and the statement runs once a row, with the commit (see <see cref="DeferredWrites.Sum"/>); reads
    /// before the commit do not see them. Counts as a write of the stage.
    /// </summary>
    public Task SumAsync(AppDbContext db, object[] arguments, int keys, CancellationToken cancellationToken)
    {
        if (!DeferredWrites.Apply(db))
        {
            return ExecuteAsync(db, arguments, cancellationToken);
        }

        DeferredWrites.Sum(db, this, arguments, keys);
        return Task.CompletedTask;
    }

    /// <summary>Runs the statement and reads what it returns (its <c>RETURNING</c> clause); counts as a write of the stage.</summary>
    public async Task<DbDataReader> ExecuteReaderAsync(AppDbContext db, object[] arguments, CancellationToken cancellationToken)
    {
        db.StatementWrites++;
        if (DeferredWrites.Apply(db))
        {
            return await DeferredWrites.ReadAsync(db, Batched(arguments), cancellationToken);
        }

        var command = await CommandAsync(db, arguments, cancellationToken);
        return await command.ExecuteReaderAsync(cancellationToken);
    }

    internal NpgsqlBatchCommand Batched(object[] arguments)
    {
        var command = new NpgsqlBatchCommand(_positional ??= PositionalSql.From(sql, [.. Enumerable.Range(0, parameters).Select(i => $"p{i}")]));
        for (var i = 0; i < parameters; i++)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = arguments[i] ?? DBNull.Value });
        }

        return command;
    }

    private async Task<DbCommand> CommandAsync(AppDbContext db, object[] arguments, CancellationToken cancellationToken)
    {
        var command = await _commands.ForAsync(db, Create, cancellationToken);
        for (var i = 0; i < parameters; i++)
        {
            command.Parameters[i].Value = arguments[i];
        }

        return command;
    }

    private DbCommand Create(DbConnection connection)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        for (var i = 0; i < parameters; i++)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = $"@p{i}";
            command.Parameters.Add(parameter);
        }

        return command;
    }
}
