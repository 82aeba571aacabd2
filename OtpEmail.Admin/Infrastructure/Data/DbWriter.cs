using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Infrastructure.Errors;

namespace OtpEmail.Admin.Infrastructure.Data;

/// <summary>
/// Runs a unit of write work on a fresh context, one writer at a time in this process, and
/// retries it when another writer changed the same user meanwhile (optimistic concurrency).
/// </summary>
public sealed class DbWriter(IDbContextFactory<AppDbContext> dbs, WriteGate gate)
{
    private const int MaxAttempts = 3;

    public async Task<Result<T>> RunAsync<T>(Func<AppDbContext, CancellationToken, Task<Result<T>>> work, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            using (await gate.EnterAsync(cancellationToken))
            {
                await using var db = await dbs.CreateDbContextAsync(cancellationToken);
                try
                {
                    return await work(db, cancellationToken);
                }
                catch (DbUpdateConcurrencyException) when (attempt < MaxAttempts)
                {
                    // Someone else appended to the same user; read again and redo.
                }
            }
        }
    }

    /// <summary>A write with no result, e.g. a bulk update.</summary>
    public async Task RunAsync(Func<AppDbContext, Task> work, CancellationToken cancellationToken)
    {
        using (await gate.EnterAsync(cancellationToken))
        {
            await using var db = await dbs.CreateDbContextAsync(cancellationToken);
            await work(db);
        }
    }

    /// <summary>True when the save broke a UNIQUE constraint (SQLite's extended codes 2067 and 1555).</summary>
    public static bool IsUniqueViolation(DbUpdateException exception) =>
        exception.InnerException is SqliteException { SqliteErrorCode: 19, SqliteExtendedErrorCode: 2067 or 1555 };
}
