using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace OtpEmail.Admin.Infrastructure.Data;

internal sealed partial class DeferredWrites
{
    /// <summary>Sends the waiting statements before any command EF Core runs on the context, and before its commit; forgets what a transaction that rolled back left.</summary>
    public sealed class Interceptor : DbCommandInterceptor, IDbTransactionInterceptor
    {
        public static readonly Interceptor Instance = new();

        private Interceptor()
        {
        }

        public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result) =>
            Before(eventData.Context, result);

        public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result) =>
            Before(eventData.Context, result);

        public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result) =>
            Before(eventData.Context, result);

        public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default) =>
            await BeforeAsync(eventData.Context, result, cancellationToken);

        public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default) =>
            await BeforeAsync(eventData.Context, result, cancellationToken);

        public override async ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default) =>
            await BeforeAsync(eventData.Context, result, cancellationToken);

        public InterceptionResult TransactionCommitting(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result) =>
            Before(Settled(eventData.Context), result);

        public async ValueTask<InterceptionResult> TransactionCommittingAsync(
            DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default) =>
            await BeforeAsync(Settled(eventData.Context), result, cancellationToken);

        public DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
        {
            if (eventData.Context is AppDbContext db)
            {
                Started(db, result);
            }

            return result;
        }

        public ValueTask<DbTransaction> TransactionStartedAsync(
            DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(TransactionStarted(connection, eventData, result));

        private static DbContext? Settled(DbContext? context)
        {
            if (context is AppDbContext db)
            {
                Settle(db);
            }

            return context;
        }

        private static T Before<T>(DbContext? context, T result)
        {
            if (context is AppDbContext db)
            {
                Flush(db);
            }

            return result;
        }

        private static async ValueTask<T> BeforeAsync<T>(DbContext? context, T result, CancellationToken cancellationToken)
        {
            if (context is AppDbContext db)
            {
                await FlushAsync(db, cancellationToken);
            }

            return result;
        }
    }
}
