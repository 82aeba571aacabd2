using System.Data;
using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace OtpEmail.Admin.Infrastructure.Data;

/// <summary>
/// One command of a kind per connection, reused while the connection stays open. EF Core creates a
/// new command at every execution, and SQLite parses and plans every new command: on the writer's
/// hot path that costs more than running the statement. A command kept here stays prepared on its
/// connection (the writer keeps its SQLite connection open, see <see cref="SqliteWriterContexts"/>);
/// when the connection closes, the command goes with it.
/// </summary>
internal sealed class PreparedCommands
{
    private readonly ConditionalWeakTable<DbConnection, DbCommand> _commands = [];

    /// <summary>
    /// The command for the context's connection (opened if it is not: EF Core closes it with the
    /// context), made by <paramref name="create"/> the first time, in the context's transaction.
    /// </summary>
    public async Task<DbCommand> ForAsync(AppDbContext db, Func<DbConnection, DbCommand> create, CancellationToken cancellationToken)
    {
        var connection = db.Database.GetDbConnection();
        if (connection.State != ConnectionState.Open)
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
        }

        if (!_commands.TryGetValue(connection, out var command))
        {
            var created = create(connection);
            _commands.AddOrUpdate(connection, created);
            StateChangeEventHandler? closed = null;
            closed = (_, change) =>
            {
                if (change.CurrentState == ConnectionState.Closed)
                {
                    connection.StateChange -= closed;
                    _commands.Remove(connection);
                    created.Dispose();
                }
            };
            connection.StateChange += closed;
            command = created;
        }

        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        return command;
    }
}
