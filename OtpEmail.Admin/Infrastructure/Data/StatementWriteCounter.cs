using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace OtpEmail.Admin.Infrastructure.Data;

/// <summary>
/// Counts the statements EF Core runs that change rows (<c>ExecuteUpdate</c>, <c>ExecuteDelete</c>,
/// raw SQL) on the context that runs them (<see cref="AppDbContext.StatementWrites"/>), so that the
/// writer knows whether a stage that refused wrote anything.
/// </summary>
internal sealed class StatementWriteCounter : DbCommandInterceptor
{
    public static readonly StatementWriteCounter Instance = new();

    private StatementWriteCounter()
    {
    }

    public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        Count(eventData, result);
        return result;
    }

    public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Count(eventData, result);
        return ValueTask.FromResult(result);
    }

    private static void Count(CommandExecutedEventData eventData, int result)
    {
        if (result != 0 && eventData.Context is AppDbContext db)
        {
            db.StatementWrites++;
        }
    }
}
