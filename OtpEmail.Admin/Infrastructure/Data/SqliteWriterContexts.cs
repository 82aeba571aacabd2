using System.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace OtpEmail.Admin.Infrastructure.Data;

/// <summary>
/// The contexts <see cref="DbWriter"/> writes with on SQLite: all on one connection, kept open for the
/// writer's lifetime, so that the statements it runs on every write stay prepared (see
/// <see cref="PreparedQuery"/>). The writer uses one context at a time, so one connection serves
/// it; it is opened again if it was ever closed. (A larger page cache for it was tried: SQLite
/// clears the cache often enough that clearing a large one cost more than it saved.)
/// </summary>
internal sealed class SqliteWriterContexts : IDbContextFactory<AppDbContext>, IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly PooledDbContextFactory<SqliteDbContext> _contexts;

    /// <param name="options">The app's options, so that the writer's contexts share its model (and compiled queries).</param>
    public SqliteWriterContexts(DbContextOptions<SqliteDbContext> options, string connectionString)
    {
        _connection = new SqliteConnection(connectionString);
        _contexts = new PooledDbContextFactory<SqliteDbContext>(new DbContextOptionsBuilder<SqliteDbContext>(options).UseSqlite(_connection).Options);
    }

    public AppDbContext CreateDbContext()
    {
        if (_connection.State != ConnectionState.Open)
        {
            _connection.Open();
            SqlitePragmas.Apply(_connection);
        }

        return _contexts.CreateDbContext();
    }

    public Task<AppDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) => Task.FromResult(CreateDbContext());

    public void Dispose() => _connection.Dispose();
}
