using System.Data.Common;

namespace OtpEmail.Admin.Infrastructure.Data;

/// <summary>
/// A statement of hand-written SQL that both providers understand (quoted names, <c>@p0</c>…
/// parameters, <c>ON CONFLICT … DO UPDATE</c>, <c>RETURNING</c>), run in the context's transaction
/// by a command kept prepared (see <see cref="PreparedCommands"/>): for counters a stage keeps with
/// an atomic <c>n = n + x</c>, never read, changed and written back.
/// </summary>
public sealed class PreparedStatement(string sql, int parameters)
{
    private readonly PreparedCommands _commands = new();

    /// <summary>Runs the statement with <paramref name="arguments"/> as <c>@p0</c>, <c>@p1</c>, …; counts as a write of the stage.</summary>
    public async Task ExecuteAsync(AppDbContext db, object[] arguments, CancellationToken cancellationToken)
    {
        var command = await CommandAsync(db, arguments, cancellationToken);
        await command.ExecuteNonQueryAsync(cancellationToken);
        db.StatementWrites++;
    }

    /// <summary>Runs the statement and reads what it returns (its <c>RETURNING</c> clause); counts as a write of the stage.</summary>
    public async Task<DbDataReader> ExecuteReaderAsync(AppDbContext db, object[] arguments, CancellationToken cancellationToken)
    {
        var command = await CommandAsync(db, arguments, cancellationToken);
        db.StatementWrites++;
        return await command.ExecuteReaderAsync(cancellationToken);
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
