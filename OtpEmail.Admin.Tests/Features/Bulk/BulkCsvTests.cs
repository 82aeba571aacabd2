using System.Text;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.Bulk;

namespace OtpEmail.Admin.Tests.Features.Bulk;

public sealed class BulkCsvTests
{
    [Fact]
    public async Task ReadsQuotedFieldsAnyColumnOrderBlankLinesAndABom()
    {
        var file = "\uFEFFmode,address,user,url_template\r\n" +
            "send_code,a@example.com,ada,\"https://example.com/v?c={{.Code}}&u={{.UserID}}\"\r\n" +
            "\r\n" +
            "return_code,\"b,\"\"odd\"\"@example.com\",106000000000000001,\n" +
            "is_verified,c@example.com,grace,";

        var rows = (await ParseAsync(Encoding.UTF8.GetBytes(file))).Value;

        Assert.Equal(
            [
                new BulkRow(1, "ada", "a@example.com", "send_code", "https://example.com/v?c={{.Code}}&u={{.UserID}}"),
                new BulkRow(2, "106000000000000001", "b,\"odd\"@example.com", "return_code", null),
                new BulkRow(3, "grace", "c@example.com", "is_verified", null),
            ],
            rows);
    }

    [Theory]
    [InlineData("user,address\nada,a@example.com,send_code\n", "line 1: the header has no column \"mode\"")]
    [InlineData("user,address,mode\nada,a@example.com,send_code\ngrace,g@example.com\n", "line 3: 2 fields where the header has 3")]
    [InlineData("user,address,mode\nada,\"a@example.com,send_code\n", "line 2: a quoted field is not closed")]
    [InlineData("user,address,mode\nada,a\"b@example.com,send_code\n", "line 2: a quote inside an unquoted field")]
    [InlineData("user,address,mode\n\"ada\nlovelace\",a@example.com,send_code\nx,y\n", "line 4: 2 fields")]
    [InlineData("", "the file is empty")]
    public async Task AFileItCannotReadIsRefusedWholeNamingTheLine(string file, string problem)
    {
        var parsed = await ParseAsync(Encoding.UTF8.GetBytes(file));

        Assert.Equal(ErrorCode.InvalidArgument, parsed.Error!.Code);
        Assert.Contains(problem, parsed.Error!.Message);
    }

    [Fact]
    public async Task RefusesMoreRowsThanTheLimitAndTextThatIsNotUtf8()
    {
        var tooMany = new StringBuilder("user,address,mode\n");
        for (var i = 0; i <= BulkCsv.MaxRows; i++)
        {
            tooMany.Append("u,a@example.com,send_code\n");
        }

        Assert.Contains($"line {BulkCsv.MaxRows + 2}: more than {BulkCsv.MaxRows} rows", (await ParseAsync(Encoding.UTF8.GetBytes(tooMany.ToString()))).Error!.Message);
        Assert.Contains("not UTF-8", (await ParseAsync([0x75, 0x73, 0xff, 0xfe, 0x0a])).Error!.Message);
    }

    [Fact]
    public async Task ReadsTheUploadAsItArrivesAndNoFurtherThanItsFirstProblem()
    {
        // A few bytes a read, splitting "ë" and "ö" (two bytes each) and CRLF: the same rows as the whole file gives.
        var good = "user,address,mode\r\nzoë,\"z\r\nö@example.com\",send_code\r\nada,a@example.com,is_verified\r\n";
        var rows = (await BulkCsv.ParseAsync(new Upload(good, bytesPerRead: 3, Upload.Then.End), CancellationToken.None)).Value;
        Assert.Equal([new BulkRow(1, "zoë", "z\r\nö@example.com", "send_code", null), new BulkRow(2, "ada", "a@example.com", "is_verified", null)], rows);

        // An upload that cannot be read past its fifth line: the problem is found, and named, without the rest.
        var broken = await BulkCsv.ParseAsync(new Upload(good + "grace,g\"h", bytesPerRead: 7, Upload.Then.Fail), CancellationToken.None);
        Assert.Contains("line 5: a quote inside an unquoted field", broken.Error!.Message);

        // An endless upload is refused once it passes the size limit, not read to its end.
        var endless = await BulkCsv.ParseAsync(new Upload("user,address,mode\nu,a,\"", bytesPerRead: 64 * 1024, Upload.Then.Endless), CancellationToken.None);
        Assert.Equal($"The file cannot be read: the file is larger than {BulkCsv.MaxBytes / 1024 / 1024} MB", endless.Error!.Message);
    }

    private static Task<Result<IReadOnlyList<BulkRow>>> ParseAsync(byte[] file) => BulkCsv.ParseAsync(new MemoryStream(file), CancellationToken.None);

    /// <summary>An upload as a network stream delivers it: not seekable, a few bytes a read; then its end, a failure, or more bytes forever.</summary>
    private sealed class Upload(string text, int bytesPerRead, Upload.Then then) : Stream
    {
        private readonly byte[] _bytes = Encoding.UTF8.GetBytes(text);
        private long _position;

        public enum Then
        {
            End,
            Fail,
            Endless,
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_position >= _bytes.Length && then != Then.Endless)
            {
                return then == Then.End ? 0 : throw new InvalidOperationException("read past where the test allows");
            }

            if (_position > 2L * BulkCsv.MaxBytes)
            {
                throw new InvalidOperationException("read on far past the size limit");
            }

            var n = Math.Min(count, _position < _bytes.Length ? (int)Math.Min(bytesPerRead, _bytes.Length - _position) : bytesPerRead);
            for (var i = 0; i < n; i++, _position++)
            {
                buffer[offset + i] = _position < _bytes.Length ? _bytes[_position] : (byte)'x';
            }

            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
