using System.Collections;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace OtpEmail.Admin.Infrastructure.Data;

/// <summary>
/// The prepared reads a write makes first, declared before it is staged (see
/// <see cref="DbWriter.WriteAsync{T}(Func{AppDbContext, CancellationToken, Task{Staged{T}}}, ReadAhead, CancellationToken, InOrderWith?, string, string)"/>).
/// On PostgreSQL a group commit sends the declared reads of its writes to the server in one round
/// trip, as the first statements of its transaction (so they see the snapshot every later read of
/// the transaction sees), and each stage takes its answers from here instead of waiting for a round
/// trip of its own. A write's reads are taken ahead only when no earlier stage of the batch can have
/// changed what they read: every write before it declared its reads, and none of those names any of
/// its <see cref="Keys"/> (what its reads and writes are about: the user, the mailbox). Any other
/// read goes to the server as before; on SQLite (no round trips to save) all do.
/// </summary>
/// <param name="keys">What the write reads and changes, compared by value: a later write naming one of them reads afresh.</param>
/// <param name="reads">Each read as the stage will make it: the query and its arguments.</param>
public sealed class ReadAhead(object[] keys, params (PreparedQuery Query, object[] Arguments)[] reads)
{
    private readonly (PreparedQuery Query, object[] Arguments)[] _reads = reads;
    private Result?[]? _results; // for each read once fetched; null once the stage took it

    internal IReadOnlyList<object> Keys => keys;

    /// <summary>How many of the reads fetched for it the stage did not make (none fetched: 0).</summary>
    internal int Unread => _results?.Count(result => result is not null) ?? 0;

    /// <summary>Whether its reads were fetched ahead in the last batch it was in.</summary>
    internal bool Fetched => _results is not null;

    /// <summary>
    /// The same reads and keys, and one more read about rows no other write of a batch that declares
    /// its reads changes (e.g. a bulk row's own row and its job: only the row's own write changes the
    /// row, and the writes that change a job's state declare no reads, so none is read ahead after them).
    /// </summary>
    public ReadAhead With(PreparedQuery query, object[] arguments) => new(keys, [.. _reads, (query, arguments)]);

    /// <summary>
    /// Fetches, in one round trip, the reads of the batch's writes that may be read ahead (in order, up
    /// to the first write that declared none); the others' stages read as they go.
    /// </summary>
    internal static async Task FetchAsync(AppDbContext db, IReadOnlyList<ReadAhead?> writes, CancellationToken cancellationToken)
    {
        foreach (var write in writes)
        {
            write?._results = null; // nothing fetched for an earlier batch is served in this one
        }

        HashSet<object> named = [];
        List<ReadAhead> fetched = [];
        foreach (var write in writes)
        {
            if (write is null)
            {
                break; // a write whose reads are unknown may change anything a later one reads
            }

            if (!write.Keys.Any(named.Contains))
            {
                fetched.Add(write);
            }

            named.UnionWith(write.Keys);
        }

        if (fetched.Count < 2)
        {
            return; // one read saves no round trip: the stage's own read carries what waits
        }

        await using var batch = new NpgsqlBatch(
            (NpgsqlConnection)db.Database.GetDbConnection(), (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction());
        foreach (var write in fetched)
        {
            foreach (var (query, arguments) in write._reads)
            {
                batch.BatchCommands.Add(query.BatchCommand(db, arguments));
            }
        }

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        foreach (var write in fetched)
        {
            var results = new Result?[write._reads.Length];
            for (var i = 0; i < results.Length; i++)
            {
                List<object[]> rows = [];
                while (await reader.ReadAsync(cancellationToken))
                {
                    var row = new object[reader.FieldCount];
                    reader.GetValues(row);
                    rows.Add(row);
                }

                results[i] = new Result(reader.FieldCount, rows);
                await reader.NextResultAsync(cancellationToken);
            }

            write._results = results;
        }
    }

    /// <summary>The rows of <paramref name="query"/> with <paramref name="arguments"/> if they were fetched ahead for the stage running on <paramref name="db"/>, once; else null.</summary>
    internal static DbDataReader? Take(AppDbContext db, PreparedQuery query, object[] arguments)
    {
        if (db.ReadAhead is not { _results: { } results } write)
        {
            return null;
        }

        for (var i = 0; i < results.Length; i++)
        {
            if (results[i] is { } result && ReferenceEquals(write._reads[i].Query, query) && write._reads[i].Arguments.SequenceEqual(arguments))
            {
                results[i] = null; // a second read of the same rows may follow the stage's own writes: it goes to the server
                return new RowsReader(result);
            }
        }

        return null;
    }

    private sealed record Result(int FieldCount, List<object[]> Rows);

    /// <summary>A fetched read's rows, read as the stage reads a command's.</summary>
    private sealed class RowsReader(Result result) : DbDataReader
    {
        private int _row = -1;

        private object[] Row => _row >= 0 && _row < result.Rows.Count ? result.Rows[_row] : throw new InvalidOperationException("No row is current.");

        public override int FieldCount => result.FieldCount;

        public override bool HasRows => result.Rows.Count > 0;

        public override bool IsClosed => false;

        public override int RecordsAffected => -1;

        public override int Depth => 0;

        public override object this[int ordinal] => GetValue(ordinal);

        public override object this[string name] => throw new NotSupportedException("Rows read ahead are read by position.");

        public override bool Read() => ++_row < result.Rows.Count;

        public override Task<bool> ReadAsync(CancellationToken cancellationToken) => Task.FromResult(Read());

        public override bool NextResult() => false;

        public override object GetValue(int ordinal) => Row[ordinal];

        public override int GetValues(object[] values)
        {
            var count = Math.Min(values.Length, FieldCount);
            Array.Copy(Row, values, count);
            return count;
        }

        public override bool IsDBNull(int ordinal) => Row[ordinal] is DBNull;

        public override bool GetBoolean(int ordinal) => (bool)Row[ordinal];

        public override byte GetByte(int ordinal) => (byte)Row[ordinal];

        public override char GetChar(int ordinal) => (char)Row[ordinal];

        public override short GetInt16(int ordinal) => (short)Row[ordinal];

        public override int GetInt32(int ordinal) => (int)Row[ordinal];

        public override long GetInt64(int ordinal) => (long)Row[ordinal];

        public override float GetFloat(int ordinal) => (float)Row[ordinal];

        public override double GetDouble(int ordinal) => (double)Row[ordinal];

        public override decimal GetDecimal(int ordinal) => (decimal)Row[ordinal];

        public override DateTime GetDateTime(int ordinal) => (DateTime)Row[ordinal];

        public override Guid GetGuid(int ordinal) => (Guid)Row[ordinal];

        public override string GetString(int ordinal) => (string)Row[ordinal];

        public override Type GetFieldType(int ordinal) => Row[ordinal].GetType();

        public override string GetDataTypeName(int ordinal) => GetFieldType(ordinal).Name;

        public override string GetName(int ordinal) => throw new NotSupportedException("Rows read ahead are read by position.");

        public override int GetOrdinal(string name) => throw new NotSupportedException("Rows read ahead are read by position.");

        public override long GetBytes(int ordinal, long dataOffset, byte[]? buffer, int bufferOffset, int length) =>
            throw new NotSupportedException("Rows read ahead hold no streams.");

        public override long GetChars(int ordinal, long dataOffset, char[]? buffer, int bufferOffset, int length) =>
            throw new NotSupportedException("Rows read ahead hold no streams.");

        public override IEnumerator GetEnumerator() => new DbEnumerator(this);
    }
}
