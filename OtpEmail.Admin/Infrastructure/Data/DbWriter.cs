using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Common;

namespace OtpEmail.Admin.Infrastructure.Data;

/// <summary>
/// Persists staged writes, one writer at a time in this process. A stage reads what it needs and
/// changes tracked entities on the context it is given; the writer saves them, and the answer is
/// returned once they are committed. When another writer changed the same row meanwhile (optimistic
/// concurrency) or inserted the same key (a counter row, say), the stage runs again on fresh data.
/// </summary>
public sealed class DbWriter(IDbContextFactory<AppDbContext> dbs, WriteGate gate)
{
    private const int MaxAttempts = 3;

    /// <param name="onUniqueViolation">
    /// The answer when saving breaks a unique index (a duplicate that won a race); without it, the stage
    /// runs again and sees the other writer's row.
    /// </param>
    public async Task<Result<T>> WriteAsync<T>(
        Func<AppDbContext, CancellationToken, Task<Staged<T>>> stage, CancellationToken cancellationToken, OtpError? onUniqueViolation = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            using (await gate.EnterAsync(cancellationToken))
            {
                await using var db = await dbs.CreateDbContextAsync(cancellationToken);
                var staged = await stage(db, cancellationToken);
                if (!staged.Save)
                {
                    return staged.Result;
                }

                try
                {
                    await db.SaveChangesAsync(cancellationToken);
                    return staged.Result;
                }
                catch (DbUpdateConcurrencyException) when (attempt < MaxAttempts)
                {
                    // Someone else changed the same row; read again and redo.
                }
                catch (DbUpdateException e) when (IsUniqueViolation(e) && (onUniqueViolation is not null || attempt < MaxAttempts))
                {
                    if (onUniqueViolation is not null)
                    {
                        return onUniqueViolation;
                    }
                }
            }
        }
    }

    /// <summary>A write that runs its own statements, e.g. a bulk update.</summary>
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
