using Microsoft.Data.Sqlite;

namespace OtpEmail.Admin.Infrastructure.Data;

/// <summary>
/// Copies the SQLite write-ahead log back into the database file, on a connection of its own, a few
/// times a second. SQLite would otherwise do it inside a commit of the writer every thousand pages,
/// and every write queued behind that commit would wait for the copy and its fsync; here it runs
/// beside the writer (a passive checkpoint neither blocks nor waits for readers and writers), and
/// the writer reuses the log from its start once it has all been copied.
/// </summary>
internal sealed partial class SqliteCheckpointer(string connectionString, ILogger<SqliteCheckpointer> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var connection = new SqliteConnection(connectionString);
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                if (connection.State != System.Data.ConnectionState.Open)
                {
                    await connection.OpenAsync(stoppingToken);
                    SqlitePragmas.Apply(connection);
                }

                await using var checkpoint = connection.CreateCommand();
                checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
                await checkpoint.ExecuteNonQueryAsync(stoppingToken);
            }
            catch (SqliteException e)
            {
                // The next tick tries again; SQLite's own checkpoints on other connections still run.
                LogFailed(logger, e.Message);
                await connection.CloseAsync();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A WAL checkpoint failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);
}
