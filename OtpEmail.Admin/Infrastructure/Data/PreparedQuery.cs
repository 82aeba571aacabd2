using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace OtpEmail.Admin.Infrastructure.Data;

/// <summary>
/// A query on the writer's hot path: the SQL EF Core generates for <paramref name="shape"/>, once per
/// provider, run by a command kept prepared (see <see cref="PreparedCommands"/>). The caller reads
/// the row by position, in the order of the query's projection.
/// </summary>
/// <param name="shape">The query, built from <paramref name="sentinels"/>: each argument becomes one SQL parameter.</param>
/// <param name="sentinels">Sample arguments, each distinct, by which the generated parameters are told apart.</param>
public sealed class PreparedQuery(Func<AppDbContext, object[], IQueryable> shape, params object[] sentinels)
{
    private readonly ConcurrentDictionary<Type, Template> _templates = new();
    private readonly PreparedCommands _commands = new();

    /// <summary>
    /// A locking clause the query ends with on PostgreSQL (<c>FOR SHARE</c>): the rows it finds stay as they were
    /// read until the transaction ends, and in a repeatable-read transaction a row changed since its snapshot fails
    /// the read (and the stage runs again). SQLite's one writer needs none.
    /// </summary>
    public string? PostgresLock { get; init; }

    /// <summary>Runs the query with <paramref name="arguments"/> (in the order of the sentinels), in the context's transaction.</summary>
    public async Task<DbDataReader> ExecuteReaderAsync(AppDbContext db, object[] arguments, CancellationToken cancellationToken)
    {
        if (ReadAhead.Take(db, this, arguments) is { } fetched)
        {
            return fetched; // fetched with the batch's other reads, at its start
        }

        var template = TemplateFor(db);
        if (DeferredWrites.Apply(db))
        {
            return await DeferredWrites.ReadAsync(db, Batched(template, arguments), cancellationToken); // with the statements waiting, in one round trip
        }

        var command = await _commands.ForAsync(db, template.CreateCommand, cancellationToken);
        for (var i = 0; i < template.Arguments.Length; i++)
        {
            if (template.Arguments[i] >= 0)
            {
                command.Parameters[i].Value = arguments[template.Arguments[i]];
            }
        }

        return await command.ExecuteReaderAsync(cancellationToken);
    }

    /// <summary>
    /// Whether the query finds a row: from the reads fetched ahead if it is one of them; else on
    /// PostgreSQL in a transaction the question goes with the stage's next command, in its round trip,
    /// and is answered after it; elsewhere at once.
    /// </summary>
    internal async Task<DeferredWrites.Answer> AskAsync(AppDbContext db, object[] arguments, CancellationToken cancellationToken)
    {
        if (DeferredWrites.Apply(db) && db.ReadAhead is not { Fetched: true })
        {
            return DeferredWrites.Ask(db, BatchCommand(db, arguments));
        }

        // Elsewhere, and when the stage's reads were fetched ahead (its next read may not go to the server): asked now,
        // answered from those reads if it is one of them.
        await using var found = await ExecuteReaderAsync(db, arguments, cancellationToken);
        return DeferredWrites.Answer.Given(await found.ReadAsync(cancellationToken));
    }

    /// <summary>The query with <paramref name="arguments"/>, for a batch of commands on PostgreSQL.</summary>
    internal NpgsqlBatchCommand BatchCommand(AppDbContext db, object[] arguments) => Batched(TemplateFor(db), arguments);

    private Template TemplateFor(AppDbContext db) => _templates.GetOrAdd(db.GetType(), _ => Generate(db));

    private static NpgsqlBatchCommand Batched(Template template, object[] arguments)
    {
        var command = new NpgsqlBatchCommand(template.PositionalSql);
        for (var i = 0; i < template.Parameters.Length; i++)
        {
            var value = template.Arguments[i] >= 0 ? arguments[template.Arguments[i]] : template.Parameters[i].Value;
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        }

        return command;
    }

    private Template Generate(AppDbContext db)
    {
        using var generated = shape(db, sentinels).CreateDbCommand();
        var parameters = generated.Parameters.Cast<DbParameter>().ToArray();
        var arguments = parameters.Select(p => Array.FindIndex(sentinels, s => s.Equals(p.Value))).ToArray();
        var sql = PostgresLock is { } locking && db is PostgresDbContext ? $"{generated.CommandText}\n{locking}" : generated.CommandText;
        return new Template(sql, [.. parameters.Select(p => (p.ParameterName, p.Value))], arguments);
    }

    /// <param name="Parameters">Each parameter, with the value it keeps when no argument gives it one (a constant EF Core parameterized).</param>
    /// <param name="Arguments">For each parameter, the argument that gives its value, or -1.</param>
    private sealed record Template(string Sql, (string Name, object? Value)[] Parameters, int[] Arguments)
    {
        private string? _positional;

        /// <summary>The SQL for a batch on PostgreSQL, its parameters by position (see <see cref="Data.PositionalSql"/>).</summary>
        public string PositionalSql => _positional ??= Data.PositionalSql.From(Sql, [.. Parameters.Select(p => p.Name)]);

        public DbCommand CreateCommand(DbConnection connection)
        {
            var command = connection.CreateCommand();
            command.CommandText = Sql;
            foreach (var (name, value) in Parameters)
            {
                var parameter = command.CreateParameter(); // its type follows its value, as EF Core's did
                parameter.ParameterName = name;
                parameter.Value = value;
                command.Parameters.Add(parameter);
            }

            return command;
        }
    }
}
