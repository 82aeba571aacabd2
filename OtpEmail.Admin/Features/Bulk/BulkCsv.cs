using System.Text;
using OtpEmail.Admin.Common;

namespace OtpEmail.Admin.Features.Bulk;

/// <summary>One data row of a bulk file, as written (checked later, row by row).</summary>
public sealed record BulkRow(int Row, string User, string Address, string Mode, string? UrlTemplate);

/// <summary>
/// Reads a bulk enrolment file: UTF-8 CSV (RFC 4180 quoting, CRLF or LF), a header row naming the
/// columns <c>user</c>, <c>address</c>, <c>mode</c> and optionally <c>url_template</c>, in any order.
/// A file it cannot read is refused whole, naming the line; what a row says is judged per row.
/// </summary>
public static class BulkCsv
{
    public const int MaxRows = 50_000;
    public const int MaxBytes = 10 * 1024 * 1024;
    public const string MediaType = "text/csv";

    private static readonly string[] Required = ["user", "address", "mode"];
    private const string Template = "url_template";

    public static Result<IReadOnlyList<BulkRow>> Parse(ReadOnlySpan<byte> file)
    {
        if (file.Length > MaxBytes)
        {
            return Malformed(0, $"the file is larger than {MaxBytes / 1024 / 1024} MB");
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(file);
        }
        catch (DecoderFallbackException)
        {
            return Malformed(0, "the file is not UTF-8 text");
        }

        var records = new Reader(text.TrimStart('\uFEFF'));
        if (!records.Next(out var header, out var headerLine, out var error))
        {
            return Malformed(headerLine, error ?? "the file is empty: a header row (user,address,mode[,url_template]) is needed");
        }

        var columns = header.Select(name => name.Trim().ToLowerInvariant()).ToList();
        if (Required.FirstOrDefault(name => !columns.Contains(name)) is { } missing)
        {
            return Malformed(headerLine, $"the header has no column \"{missing}\" (expected user,address,mode[,url_template])");
        }

        if (columns.FirstOrDefault(name => columns.Count(other => other == name) > 1) is { } twice)
        {
            return Malformed(headerLine, $"the header names the column \"{twice}\" twice");
        }

        int user = columns.IndexOf("user"), address = columns.IndexOf("address"), mode = columns.IndexOf("mode"), template = columns.IndexOf(Template);
        var rows = new List<BulkRow>();
        while (records.Next(out var fields, out var line, out error))
        {
            if (fields is [""])
            {
                continue; // a blank line
            }

            if (fields.Count != columns.Count)
            {
                return Malformed(line, $"{fields.Count} fields where the header has {columns.Count}");
            }

            if (rows.Count == MaxRows)
            {
                return Malformed(line, $"more than {MaxRows} rows");
            }

            var urlTemplate = template < 0 || fields[template].Length == 0 ? null : fields[template];
            rows.Add(new BulkRow(rows.Count + 1, fields[user].Trim(), fields[address].Trim(), fields[mode].Trim(), urlTemplate));
        }

        return error is null ? rows : Malformed(records.Line, error);
    }

    private static OtpError Malformed(int line, string problem) =>
        OtpError.Invalid("BULK-FILE", line > 0 ? $"The file cannot be read: line {line}: {problem}" : $"The file cannot be read: {problem}", "file");

    /// <summary>Splits the text into records of fields; <see cref="Line"/> is where the current record starts.</summary>
    private sealed class Reader(string text)
    {
        private int _position;
        private int _nextLine = 1;

        public int Line { get; private set; }

        public bool Next(out List<string> fields, out int line, out string? error)
        {
            fields = [];
            error = null;
            line = Line = _nextLine;
            if (_position >= text.Length)
            {
                return false;
            }

            var field = new StringBuilder();
            var quoted = false;
            while (_position < text.Length)
            {
                var c = text[_position++];
                if (quoted)
                {
                    if (c == '"' && _position < text.Length && text[_position] == '"')
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
                    if (c == '\r' && _position < text.Length && text[_position] == '\n')
                    {
                        _position++;
                    }

                    _nextLine++;
                    fields.Add(field.ToString());
                    return true;
                }
                else if (c == '"')
                {
                    error = "a quote inside an unquoted field (quote the whole field and double the quote)";
                    return false;
                }
                else
                {
                    field.Append(c);
                }
            }

            if (quoted)
            {
                error = "a quoted field is not closed";
                return false;
            }

            fields.Add(field.ToString());
            return true;
        }
    }
}
