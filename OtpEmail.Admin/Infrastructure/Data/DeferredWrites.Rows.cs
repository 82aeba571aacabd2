using Npgsql;

namespace OtpEmail.Admin.Infrastructure.Data;

// The rows that wait for one table, gathered into one statement: an INSERT ... SELECT FROM unnest, a column an array.
internal sealed partial class DeferredWrites
{
    /// <summary>
    /// A row for <paramref name="insert"/>'s table (its <paramref name="values"/> as the provider takes them, null as
    /// <see cref="DBNull"/>), for the context's transaction (see <see cref="Apply"/>); counts as a write of the stage.
    /// It joins the rows already waiting for that table, which go as one statement where the first of them
    /// waited: a row of every add of a group commit in one statement, where it was a statement for each, each
    /// value a parameter. Unless a statement or question that waits since names the table, or a table the rows
    /// refer to, or a row waits since for a table the rows refer to: the rows from then on go after it, in a
    /// statement of their own, so that it finds the tables as it would have, row by row, and a row's parent is
    /// stored before it.
    /// </summary>
    public static void Insert(AppDbContext db, RowsInsert insert, object[] values)
    {
        var deferred = For(db);
        if (!deferred._rows.TryGetValue(insert, out var rows))
        {
            deferred.CloseWhere(waiting => waiting.References.Contains(insert.Table)); // a row that may be its rows' parent goes first
            rows = new Rows(insert);
            deferred._rows.Add(insert, rows);
            deferred._commands.Add(rows.Command);
        }

        rows.Values.Add(values);
        db.StatementWrites++;
    }

    private void CloseWhere(Func<RowsInsert, bool> closes)
    {
        foreach (var (insert, rows) in _rows)
        {
            if (closes(insert))
            {
                rows.Close();
                _rows.Remove(insert);
            }
        }
    }

    /// <summary>
    /// The insert of many rows into <paramref name="table"/> in one statement (<paramref name="sql"/>, <c>INSERT …
    /// SELECT * FROM unnest($1::…[], …)</c>): each column's values go as one array of <paramref name="columns"/>' type.
    /// <paramref name="references"/>: the tables its rows' foreign keys refer to.
    /// </summary>
    public sealed class RowsInsert(string table, string[] references, string sql, Type[] columns)
    {
        public string Table { get; } = table;

        public string[] References { get; } = references;

        public string Sql { get; } = sql;

        public Type[] Columns { get; } = columns;
    }

    // The rows waiting for an insert, sent by its command once it takes no more.
    private sealed class Rows(RowsInsert insert)
    {
        public NpgsqlBatchCommand Command { get; } = new(insert.Sql);

        public List<object[]> Values { get; } = [];

        public void Close()
        {
            for (var column = 0; column < insert.Columns.Length; column++)
            {
                var array = Array.CreateInstance(insert.Columns[column], Values.Count);
                for (var row = 0; row < Values.Count; row++)
                {
                    array.SetValue(Values[row][column] is DBNull ? null : Values[row][column], row);
                }

                Command.Parameters.Add(new NpgsqlParameter { Value = array });
            }
        }
    }
}
