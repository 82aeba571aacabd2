using System.Text;
using CsvHelper;
using OtpEmail.Admin.Common;

namespace OtpEmail.Admin.Features.Bulk;

/// <summary>One data row of a bulk file, as written (checked later, row by row).</summary>
public sealed record BulkRow(int Row, string User, string Address, string Mode, string? UrlTemplate);

/// <summary>
/// Reads a bulk enrolment file: UTF-8 CSV (RFC 4180 quoting, CRLF or LF), a header row naming the
/// columns <c>user</c>, <c>address</c>, <c>mode</c> and optionally <c>url_template</c>, in any order.
/// A file it cannot read is refused whole, naming the line; what a row says is judged per row.
/// CsvHelper reads the stream as it arrives: only the rows are kept, never the whole file.
/// </summary>
public static class BulkCsv
{
    public const int MaxRows = 50_000;
    public const int MaxBytes = 10 * 1024 * 1024;
    public const string MediaType = "text/csv";

    private static readonly string[] Required = ["user", "address", "mode"];
    private const string Template = "url_template";

    // The header is read as a record, so that it is judged with a line number like any other.
    private static readonly CsvReaderOptions Options = CsvReaderOptions.Default with
    {
        Separator = ',',
        HasHeader = false,
        SkipEmptyLines = false,
        TrackLineNumbers = true,
    };

    public static async Task<Result<IReadOnlyList<BulkRow>>> ParseAsync(Stream file, CancellationToken cancellationToken)
    {
        if (file.CanSeek && file.Length - file.Position > MaxBytes)
        {
            return Malformed(0, TooLarge);
        }

        await using var csv = CsvReader.Create(new CheckedText(file), Options, leaveOpen: false);
        try
        {
            return await ParseAsync(csv, cancellationToken);
        }
        catch (DecoderFallbackException)
        {
            return Malformed(0, "the file is not UTF-8 text");
        }
        catch (UnreadableException problem)
        {
            return Malformed(problem.Line, problem.Message);
        }
    }

    private static async Task<Result<IReadOnlyList<BulkRow>>> ParseAsync(CsvReader csv, CancellationToken cancellationToken)
    {
        if (!await csv.ReadAsync(cancellationToken))
        {
            return Malformed(1, "the file is empty: a header row (user,address,mode[,url_template]) is needed");
        }

        var columns = Enumerable.Range(0, csv.FieldCount).Select(i => csv.GetString(i).Trim().ToLowerInvariant()).ToList();
        if (Required.FirstOrDefault(name => !columns.Contains(name)) is { } missing)
        {
            return Malformed(csv.LineNumber, $"the header has no column \"{missing}\" (expected user,address,mode[,url_template])");
        }

        if (columns.FirstOrDefault(name => columns.Count(other => other == name) > 1) is { } twice)
        {
            return Malformed(csv.LineNumber, $"the header names the column \"{twice}\" twice");
        }

        int user = columns.IndexOf("user"), address = columns.IndexOf("address"), mode = columns.IndexOf("mode"), template = columns.IndexOf(Template);
        var rows = new List<BulkRow>();
        while (await csv.ReadAsync(cancellationToken))
        {
            if (csv.FieldCount == 1 && csv.IsEmpty(0))
            {
                continue; // a blank line
            }

            if (csv.FieldCount != columns.Count)
            {
                return Malformed(csv.LineNumber, $"{csv.FieldCount} fields where the header has {columns.Count}");
            }

            if (rows.Count == MaxRows)
            {
                return Malformed(csv.LineNumber, $"more than {MaxRows} rows");
            }

            var urlTemplate = template < 0 || csv.IsEmpty(template) ? null : csv.GetString(template);
            rows.Add(new BulkRow(rows.Count + 1, csv.GetString(user).Trim(), csv.GetString(address).Trim(), csv.GetString(mode).Trim(), urlTemplate));
        }

        return rows;
    }

    private static string TooLarge => $"the file is larger than {MaxBytes / 1024 / 1024} MB";

    private static AppError Malformed(long line, string problem) =>
        AppError.Invalid("BULK-FILE", line > 0 ? $"The file cannot be read: line {line}: {problem}" : $"The file cannot be read: {problem}", "file");

    private sealed class UnreadableException(long line, string problem) : Exception(problem)
    {
        public long Line { get; } = line;
    }

    /// <summary>
    /// The upload as text for CsvHelper: strict UTF-8, no further than <see cref="MaxBytes"/>, and no further than its
    /// first quoting problem. CsvHelper would find that problem too, but only once it has read the rest of the record:
    /// this finds it where it is, and names the line the record starts on.
    /// </summary>
    private sealed class CheckedText(Stream stream) : TextReader
    {
        private readonly StreamReader _text = new(stream, new UTF8Encoding(true, throwOnInvalidBytes: true), false, 16 * 1024, leaveOpen: true);
        private long _bytes;
        private long _line = 1;
        private long _recordLine = 1;
        private bool _afterCr;
        private State _state = State.FieldStart;

        private enum State
        {
            FieldStart,
            Unquoted,
            Quoted,
            QuoteInQuoted,
        }

        public override int Read() => throw new NotSupportedException("The upload is read asynchronously.");

        public override async ValueTask<int> ReadAsync(Memory<char> buffer, CancellationToken cancellationToken = default)
        {
            var read = await _text.ReadAsync(buffer, cancellationToken);
            _bytes += Encoding.UTF8.GetByteCount(buffer.Span[..read]);
            if (_bytes > MaxBytes)
            {
                throw new UnreadableException(0, TooLarge);
            }

            foreach (var c in buffer.Span[..read])
            {
                Check(c);
            }

            return read > 0 || _state != State.Quoted ? read : throw new UnreadableException(_recordLine, "a quoted field is not closed");
        }

        protected override void Dispose(bool disposing)
        {
            _text.Dispose();
            base.Dispose(disposing);
        }

        // RFC 4180 quoting: a quote opens a field or doubles another inside it. CR, LF and CRLF each end a line.
        private void Check(char c)
        {
            _line += c == '\r' || (c == '\n' && !_afterCr) ? 1 : 0;
            _afterCr = c == '\r';
            _state = (_state, c) switch
            {
                (State.Quoted, '"') => State.QuoteInQuoted,
                (State.Quoted, _) => State.Quoted,
                (State.QuoteInQuoted, '"') => State.Quoted,
                (_, ',' or '\r' or '\n') => State.FieldStart,
                (State.FieldStart, '"') => State.Quoted,
                (State.Unquoted, '"') => throw new UnreadableException(_recordLine, "a quote inside an unquoted field (quote the whole field and double the quote)"),
                _ => State.Unquoted, // text after a closing quote belongs to the field, as CsvHelper reads it
            };
            _recordLine = _state == State.FieldStart && c is '\r' or '\n' ? _line : _recordLine;
        }
    }
}
