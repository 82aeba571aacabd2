using System.Text;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.Bulk;

namespace OtpEmail.Admin.Tests.Features.Bulk;

public sealed class BulkCsvTests
{
    [Fact]
    public void ReadsQuotedFieldsAnyColumnOrderBlankLinesAndABom()
    {
        var file = "\uFEFFmode,address,user,url_template\r\n" +
            "send_code,a@example.com,ada,\"https://example.com/v?c={{.Code}}&u={{.UserID}}\"\r\n" +
            "\r\n" +
            "return_code,\"b,\"\"odd\"\"@example.com\",106000000000000001,\n" +
            "is_verified,c@example.com,grace,";

        var rows = BulkCsv.Parse(Encoding.UTF8.GetBytes(file)).Value;

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
    public void AFileItCannotReadIsRefusedWholeNamingTheLine(string file, string problem)
    {
        var parsed = BulkCsv.Parse(Encoding.UTF8.GetBytes(file));

        Assert.Equal(ErrorCode.InvalidArgument, parsed.Error!.Code);
        Assert.Contains(problem, parsed.Error!.Message);
    }

    [Fact]
    public void RefusesMoreRowsThanTheLimitAndTextThatIsNotUtf8()
    {
        var tooMany = new StringBuilder("user,address,mode\n");
        for (var i = 0; i <= BulkCsv.MaxRows; i++)
        {
            tooMany.Append("u,a@example.com,send_code\n");
        }

        Assert.Contains($"line {BulkCsv.MaxRows + 2}: more than {BulkCsv.MaxRows} rows", BulkCsv.Parse(Encoding.UTF8.GetBytes(tooMany.ToString())).Error!.Message);
        Assert.Contains("not UTF-8", BulkCsv.Parse([0x75, 0x73, 0xff, 0xfe, 0x0a]).Error!.Message);
    }
}
