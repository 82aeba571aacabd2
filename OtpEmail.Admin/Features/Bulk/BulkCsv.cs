using System.Buffers;
using System.Text;
using OtpEmail.Admin.Common;

namespace OtpEmail.Admin.Features.Bulk;

/// <summary>One data row of a bulk file, as written (checked later, row by row).</summary>
public sealed record BulkRow(int Row, string User, string Address, string Mode, string? UrlTemplate);

/// <summary>
/// Reads a bulk enrolment file: UTF-8 CSV (RFC 4180 quoting, CRLF or LF), a header row naming the
/// columns <c>user</c>, <c>address</c>, <c>mode</c> and optionally <c>url_template</c>, in any order.
/// A file it cannot read is refused whole, naming the line; what a row says is judged per row.
/// It reads the stream block by block: only the rows are kept, never the whole file.
/// </summary>
public static class BulkCsv
{
    public const int MaxRows = 50_000;
    public const int MaxBytes = 10 * 1024 * 1024;
    public const string MediaType = "text/csv";

    private static readonly string[] Required = ["user", "address", "mode"];
    private const string Template = "url_template";

    public static async Task<Result<IReadOnlyList<BulkRow>>> ParseAsync(Stream file, CancellationToken cancellationToken)
    {
        if (file.CanSeek && file.Length - file.Position > MaxBytes)
        {
            return TooLarge;
        }

        using var records = new Reader(file);
        try
        {
            var parsed = await ParseAsync(records, cancellationToken);
            return records.TooLarge ? TooLarge : parsed;
        }
        catch (DecoderFallbackException)
        {
            return Malformed(0, "the file is not UTF-8 text");
        }
    }

    private static async Task<Result<IReadOnlyList<BulkRow>>> ParseAsync(Reader records, CancellationToken cancellationToken)
    {
        var header = await records.NextAsync(cancellationToken);
        if (header.Fields is null)
        {
            return Malformed(header.Line, header.Error ?? "the file is empty: a header row (user,address,mode[,url_template]) is needed");
        }

        var columns = header.Fields.Select(name => name.Trim().ToLowerInvariant()).ToList();
        if (Required.FirstOrDefault(name => !columns.Contains(name)) is { } missing)
        {
            return Malformed(header.Line, $"the header has no column \"{missing}\" (expected user,address,mode[,url_template])");
        }

        if (columns.FirstOrDefault(name => columns.Count(other => other == name) > 1) is { } twice)
        {
            return Malformed(header.Line, $"the header names the column \"{twice}\" twice");
        }

        int user = columns.IndexOf("user"), address = columns.IndexOf("address"), mode = columns.IndexOf("mode"), template = columns.IndexOf(Template);
        var rows = new List<BulkRow>();
        while (await records.NextAsync(cancellationToken) is { Fields: { } fields } record)
        {
            if (fields is [""])
            {
                continue; // a blank line
            }

            if (fields.Count != columns.Count)
            {
                return Malformed(record.Line, $"{fields.Count} fields where the header has {columns.Count}");
            }

            if (rows.Count == MaxRows)
            {
                return Malformed(record.Line, $"more than {MaxRows} rows");
            }

            var urlTemplate = template < 0 || fields[template].Length == 0 ? null : fields[template];
            rows.Add(new BulkRow(rows.Count + 1, fields[user].Trim(), fields[address].Trim(), fields[mode].Trim(), urlTemplate));
        }

        return records.Error is { } error ? Malformed(records.Line, error) : rows;
    }

    private static AppError TooLarge => Malformed(0, $"the file is larger than {MaxBytes / 1024 / 1024} MB");

    private static AppError Malformed(int line, string problem) =>
        AppError.Invalid("BULK-FILE", line > 0 ? $"The file cannot be read: line {line}: {problem}" : $"The file cannot be read: {problem}", "file");

    /// <summary>A record's fields and the line it starts on; no fields at the end of the file or at an error.</summary>
    private readonly record struct Record(List<string>? Fields, int Line, string? Error);

    /// <summary>
    /// Splits the stream into records of fields, decoding strict UTF-8 a block at a time;
    /// <see cref="Line"/> is where the current record starts.
    /// </summary>
    private sealed class Reader(Stream stream) : IDisposable
    {
        private const int BlockSize = 16 * 1024;
        private readonly Decoder _decoder = new UTF8Encoding(false, throwOnInvalidBytes: true).GetDecoder();
        private readonly byte[] _bytes = ArrayPool<byte>.Shared.Rent(BlockSize);
        private readonly char[] _chars = ArrayPool<char>.Shared.Rent(BlockSize + 8); // a block's bytes, and a character begun in the block before
        private int _position;
        private int _length;
        private long _bytesRead;
        private bool _ended;
        private bool _started;
        private int _nextLine = 1;

        public int Line { get; private set; }

        public string? Error { get; private set; }

        /// <summary>Whether the stream went on past <see cref="MaxBytes"/>: the reading stopped there.</summary>
        public bool TooLarge { get; private set; }

        public async ValueTask<Record> NextAsync(CancellationToken cancellationToken)
        {
            Line = _nextLine;
            if (!_started)
            {
                _started = true;
                while (await PeekAsync(cancellationToken) == '\uFEFF')
                {
                    _position++; // a byte order mark
                }
            }

            if (await PeekAsync(cancellationToken) < 0)
            {
                return new Record(null, Line, null);
            }

            var fields = new List<string>();
            var field = new StringBuilder();
            var quoted = false;
            while (await PeekAsync(cancellationToken) is var next and >= 0)
            {
                var c = (char)next;
                _position++;
                if (quoted)
                {
                    if (c == '"' && await PeekAsync(cancellationToken) == '"')
                    {
                        field.Append('"');
                        _position++;
                    }
                    else if (c == '"')
                    {
                        quoted = false;
                    }
                    else
                    {
                        _nextLine += c == '\n' ? 1 : 0;
                        field.Append(c);
                    }
                }
                else if (c == '"' && field.Length == 0)
                {
                    quoted = true;
                }
                else if (c == ',')
                {
                    fields.Add(field.ToString());
                    field.Clear();
                }
                else if (c is '\r' or '\n')
                {
                    if (c == '\r' && await PeekAsync(cancellationToken) == '\n')
                    {
                        _position++;
                    }

                    _nextLine++;
                    fields.Add(field.ToString());
                    return new Record(fields, Line, null);
                }
                else if (c == '"')
                {
                    return Failed("a quote inside an unquoted field (quote the whole field and double the quote)");
                }
                else
                {
                    field.Append(c);
                }
            }

            if (quoted)
            {
                return Failed("a quoted field is not closed");
            }

            fields.Add(field.ToString());
            return new Record(fields, Line, null);
        }

        public void Dispose()
        {
            ArrayPool<byte>.Shared.Return(_bytes);
            ArrayPool<char>.Shared.Return(_chars);
        }

        private Record Failed(string error)
        {
            Error = error;
            return new Record(null, Line, error);
        }

        // The next character without taking it; -1 at the end of the file.
        private ValueTask<int> PeekAsync(CancellationToken cancellationToken) =>
            _position < _length ? ValueTask.FromResult<int>(_chars[_position]) : FillAsync(cancellationToken);

        private async ValueTask<int> FillAsync(CancellationToken cancellationToken)
        {
            while (_position >= _length && !_ended)
            {
                var read = await stream.ReadAsync(_bytes.AsMemory(0, BlockSize), cancellationToken);
                _bytesRead += read;
                if (_bytesRead > MaxBytes)
                {
                    TooLarge = _ended = true;
                    return -1;
                }

                _ended = read == 0;
                _length = _decoder.GetChars(_bytes, 0, read, _chars, 0, flush: _ended);
                _position = 0;
            }

            return _position < _length ? _chars[_position] : -1;
        }
    }
}
