using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace OtpEmail.Admin.Infrastructure.Data;

/// <summary>
/// Inserts an entity at once, in the context's transaction, by a command kept prepared (see
/// <see cref="PreparedCommands"/>), instead of tracking it for <c>SaveChanges</c>: for the rows the
/// writer adds on every write of a kind. The statement comes from EF Core's model (table, columns,
/// value conversions), once per provider. Later reads in the same transaction see the row; a
/// unique value already taken fails the insert with the provider's exception. On PostgreSQL the
/// insert waits for the next command, to go with it in one round trip, and the rows of one table that
/// wait together go as one statement, a column an array (see <see cref="DeferredWrites.Insert"/>).
/// </summary>
public sealed class PreparedInsert<TEntity>
    where TEntity : class
{
    private readonly ConcurrentDictionary<Type, Template> _templates = new();
    private readonly PreparedCommands _commands = new();

    public async Task ExecuteAsync(AppDbContext db, TEntity entity, CancellationToken cancellationToken)
    {
        var template = _templates.GetOrAdd(db.GetType(), _ => Generate(db));
        if (DeferredWrites.Apply(db))
        {
            DeferredWrites.Insert(db, template.Rows!, [.. template.Columns.Select(column => column.ValueOf(entity))]);
            return;
        }

        var command = await _commands.ForAsync(db, template.CreateCommand, cancellationToken);
        for (var i = 0; i < template.Columns.Length; i++)
        {
            command.Parameters[i].Value = template.Columns[i].ValueOf(entity);
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
        db.StatementWrites++;
    }

    /// <summary>
    /// Inserts many rows in the context's transaction: on PostgreSQL by one binary <c>COPY</c> (a bulk
    /// job's rows: 50,000 tracked by EF Core took seconds of CPU to save), elsewhere by the prepared insert, row by row.
    /// </summary>
    public async Task InsertManyAsync(AppDbContext db, IEnumerable<TEntity> entities, CancellationToken cancellationToken)
    {
        if (db is not PostgresDbContext)
        {
            foreach (var entity in entities)
            {
                await ExecuteAsync(db, entity, cancellationToken);
            }

            return;
        }

        var template = _templates.GetOrAdd(db.GetType(), _ => Generate(db));
        await DeferredWrites.FlushAsync(db, cancellationToken); // what waits goes first, in its order
        await db.Database.OpenConnectionAsync(cancellationToken);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var copy = await connection.BeginBinaryImportAsync(template.Copy, cancellationToken);
        foreach (var entity in entities)
        {
            await copy.StartRowAsync(cancellationToken);
            foreach (var column in template.Columns)
            {
                var value = column.ValueOf(entity);
                await (value is DBNull
                    ? copy.WriteNullAsync(cancellationToken)
                    : copy.WriteAsync(value, column.Mapping.StoreTypeNameBase, cancellationToken));
            }

            db.StatementWrites++;
        }

        await copy.CompleteAsync(cancellationToken);
    }

    private static Template Generate(AppDbContext db)
    {
        var entityType = db.Model.FindEntityType(typeof(TEntity)) ?? throw new InvalidOperationException($"{typeof(TEntity).Name} is not mapped.");
        var table = StoreObjectIdentifier.Table(entityType.GetTableName()!, entityType.GetSchema());
        var sql = db.GetService<ISqlGenerationHelper>();
        var columns = entityType.GetProperties()
            .Where(p => p.GetColumnName(table) is not null && p.ValueGenerated != ValueGenerated.OnAddOrUpdate)
            .Select((p, i) => new Column(p, p.GetRelationalTypeMapping(), sql.DelimitIdentifier(p.GetColumnName(table)!), sql.GenerateParameterName($"p{i}")))
            .ToArray();
        var into = $"{sql.DelimitIdentifier(table.Name, table.Schema)} ({string.Join(", ", columns.Select(c => c.Name))})";
        var rows = db is PostgresDbContext
            ? new DeferredWrites.RowsInsert(
                table.Name,
                [.. entityType.GetForeignKeys().Select(key => key.PrincipalEntityType.GetTableName()!).Where(name => name != table.Name).Distinct()],
                // The arrays' types without a length: a cast to varchar(200) would cut a longer value, where the column refuses it.
                $"INSERT INTO {into} SELECT * FROM unnest({string.Join(", ", columns.Select((c, i) => $"${i + 1}::{c.Mapping.StoreTypeNameBase}[]"))})",
                [.. columns.Select(c => c.ElementType)])
            : null;
        return new Template($"INSERT INTO {into} VALUES ({string.Join(", ", columns.Select(c => c.Parameter))})", $"COPY {into} FROM STDIN (FORMAT BINARY)", rows, columns);
    }

    private sealed record Column(IProperty Property, RelationalTypeMapping Mapping, string Name, string Parameter)
    {
        /// <summary>The type of the column's values as the provider takes them, null where the column allows it: an array's element.</summary>
        public Type ElementType
        {
            get
            {
                var type = Mapping.Converter?.ProviderClrType ?? Mapping.ClrType;
                return Property.IsNullable && type.IsValueType && Nullable.GetUnderlyingType(type) is null ? typeof(Nullable<>).MakeGenericType(type) : type;
            }
        }

        public DbParameter CreateParameter(DbCommand command) => Mapping.CreateParameter(command, Parameter, value: null, Property.IsNullable);

        public object ValueOf(TEntity entity)
        {
            var value = Property.GetGetter().GetClrValueUsingContainingEntity(entity);
            return (value is null ? null : Mapping.Converter?.ConvertToProvider(value) ?? value) ?? DBNull.Value;
        }
    }

    /// <param name="Rows">On PostgreSQL, the insert of the rows that wait together (see <see cref="DeferredWrites.Insert"/>).</param>
    private sealed record Template(string Sql, string Copy, DeferredWrites.RowsInsert? Rows, Column[] Columns)
    {
        public DbCommand CreateCommand(DbConnection connection)
        {
            var command = connection.CreateCommand();
            command.CommandText = Sql;
            foreach (var column in Columns)
            {
                command.Parameters.Add(column.CreateParameter(command));
            }

            return command;
        }
    }
}
