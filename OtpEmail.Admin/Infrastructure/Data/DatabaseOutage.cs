using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;
using OtpEmail.Admin.Common;

namespace OtpEmail.Admin.Infrastructure.Data;

/// <summary>
/// Whether the database can be reached, learnt from the failures and successes of real work: the one
/// place that tells "the database is away" (a temporary condition, answered 503 / UNAVAILABLE) from
/// any other failure, and logs an outage once when it starts and once when it ends.
/// </summary>
public sealed partial class DatabaseOutage(TimeProvider time, ILogger<DatabaseOutage> logger)
{
    /// <summary>The answer on every door while the database cannot be reached.</summary>
    public static AppError Error { get; } = new(ErrorCode.Unavailable, "DATABASE-UNAVAILABLE", "The database cannot be reached; try again")
    {
        RetryAfter = TimeSpan.FromSeconds(1),
    };

    private readonly Lock _gate = new();
    private volatile bool _down;
    private DateTimeOffset _since;
    private long _failures;

    /// <summary>True from the first failure of an outage to the first success after it.</summary>
    public bool IsDown => _down;

    /// <summary>When the current outage was first noticed; null while the database answers.</summary>
    public DateTimeOffset? Since
    {
        get
        {
            lock (_gate)
            {
                return _down ? _since : null;
            }
        }
    }

    /// <summary>
    /// True when <paramref name="exception"/> (or what it wraps: EF's <c>DbUpdateException</c>, an
    /// execution strategy's <c>InvalidOperationException</c>) says the database cannot be reached or is
    /// shutting down or starting up; false for every other failure, including conflicts and bad SQL.
    /// </summary>
    public static bool IsOutage(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException postgres:
                    return IsUnavailableState(postgres.SqlState);
                case NpgsqlException npgsql:
                    // Not a server's answer: the connection failed (socket, stream, timeout), or could not be had.
                    return npgsql.IsTransient;
                case SqliteException sqlite:
                    return sqlite.SqliteErrorCode is SQLitePCL.raw.SQLITE_CANTOPEN or SQLitePCL.raw.SQLITE_IOERR;
            }
        }

        return false;
    }

    /// <summary>SQLSTATE class 08 (connection), 57P01–57P03 (shut down, crashed, starting up), 53300 (no connection slot free).</summary>
    public static bool IsUnavailableState(string sqlState) =>
        sqlState.StartsWith("08", StringComparison.Ordinal)
        || sqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow
            or PostgresErrorCodes.TooManyConnections;

    /// <summary>Records <paramref name="exception"/> when it is an outage's; true then: the caller answers with <see cref="Error"/>.</summary>
    public bool TryReport(Exception exception)
    {
        if (!IsOutage(exception))
        {
            return false;
        }

        Report(exception);
        return true;
    }

    /// <summary>A failure of an outage: the first one logs that the outage started, with its message (never a stack trace).</summary>
    public void Report(Exception exception)
    {
        lock (_gate)
        {
            _failures++;
            if (_down)
            {
                return;
            }

            _since = time.GetUtcNow();
            _failures = 1;
            _down = true;
        }

        LogUnreachable(logger, Describe(exception));
    }

    /// <summary>The database answered: ends an outage (logged with its length). A volatile read when there is none.</summary>
    public void Recovered()
    {
        if (!_down)
        {
            return;
        }

        TimeSpan lasted;
        long failures;
        lock (_gate)
        {
            if (!_down)
            {
                return;
            }

            _down = false;
            lasted = time.GetUtcNow() - _since;
            failures = _failures;
        }

        LogReachable(logger, lasted, failures);
    }

    /// <summary>
    /// EF Core logs each failed query, save, command and connection with its stack trace, before the
    /// app answers it; the app logs every failure where it answers it (and an outage once), so EF's
    /// copies go to Debug rather than repeat an outage per request.
    /// </summary>
    public static DbContextOptionsBuilder LogFailuresWhereAnswered(DbContextOptionsBuilder options) =>
        options.ConfigureWarnings(warnings => warnings.Log(
            (CoreEventId.QueryIterationFailed, LogLevel.Debug),
            (CoreEventId.SaveChangesFailed, LogLevel.Debug),
            (RelationalEventId.CommandError, LogLevel.Debug),
            (RelationalEventId.ConnectionError, LogLevel.Debug),
            (RelationalEventId.TransactionError, LogLevel.Debug)));

    // The database exception's message and what it wraps: "Failed to connect to 127.0.0.1:5432: Connection refused".
    private static string Describe(Exception exception)
    {
        var e = exception;
        while (e.InnerException is { } inner && e is not (NpgsqlException or SqliteException))
        {
            e = inner;
        }

        return e.InnerException is { } cause ? $"{e.Message}: {cause.Message}" : e.Message;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning,
        Message = "Database unreachable: {Reason}. Requests are answered 503 / UNAVAILABLE (Retry-After: 1) until it answers again")]
    private static partial void LogUnreachable(ILogger logger, string reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information,
        Message = "Database reachable again after {Duration}; {Failures} failures were answered as unavailable meanwhile")]
    private static partial void LogReachable(ILogger logger, TimeSpan duration, long failures);
}
