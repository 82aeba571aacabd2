using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace OtpEmail.Admin.Infrastructure.Data;

/// <summary>
/// Per-connection settings: WAL with <c>synchronous=NORMAL</c> (durable across process crashes,
/// far fewer fsyncs), foreign keys on, and SQLite's own fine-grained busy wait. Set once per SQLite
/// connection: a pooled connection keeps them between opens.
/// </summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    private const string Sql = "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;";

    private static readonly ConditionalWeakTable<object, object> Configured = [];

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (FirstOpen(connection))
        {
            Apply(connection);
        }
    }

    // SQLite's commands run synchronously whichever way they are called.
    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        ConnectionOpened(connection, eventData);
        return Task.CompletedTask;
    }

    /// <summary>Sets them on a connection (also one opened without EF Core, see <see cref="SqliteWriterContexts"/>).</summary>
    public static void Apply(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Sql;
        command.ExecuteNonQuery();
    }

    // The native handle outlives the pooled SqliteConnection objects that borrow it.
    private static bool FirstOpen(DbConnection connection) =>
        connection is not SqliteConnection { Handle: { } handle } || Configured.TryAdd(handle, handle);
}
