using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace OtpEmail.Admin.Infrastructure.Data;

/// <summary>
/// Per-connection settings: WAL with <c>synchronous=NORMAL</c> (durable across process crashes,
/// far fewer fsyncs), foreign keys on, and SQLite's own fine-grained busy wait.
/// </summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    private const string Sql = "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Sql;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
