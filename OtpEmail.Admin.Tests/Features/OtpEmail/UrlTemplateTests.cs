using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.OtpEmail;

namespace OtpEmail.Admin.Tests.Features.OtpEmail;

/// <summary>The link-template rule, as a table: its form when parsed, its link when rendered.</summary>
public sealed class UrlTemplateTests
{
    [Theory]
    [InlineData("", "URLTEMPLATE-LENGTH")]
    [InlineData("https://example.com/{{.Email}}", "URLTEMPLATE-PLACEHOLDER")]
    [InlineData("https://example.com/{{ .Code }}", "URLTEMPLATE-PLACEHOLDER")]
    [InlineData("https://example.com/{{.Code}", "URLTEMPLATE-UNBALANCED")]
    [InlineData("https://example.com/{{.Code}}}}", "URLTEMPLATE-UNBALANCED")]
    [InlineData("https://example.com/.Code}}", "URLTEMPLATE-UNBALANCED")]
    [InlineData("https://example.com/{{.Code", "URLTEMPLATE-UNBALANCED")]
    [InlineData("http://example.com/verify?code={{.Code}}", "URLTEMPLATE-SCHEME")]
    [InlineData("/verify?code={{.Code}}", "URLTEMPLATE-SCHEME")] // a rooted path reads as a file: URL
    [InlineData("verify?code={{.Code}}", "URLTEMPLATE-NOT-ABSOLUTE")]
    [InlineData("javascript:alert({{.Code}})", "URLTEMPLATE-SCHEME")]
    [InlineData("ftp://example.com/{{.Code}}", "URLTEMPLATE-SCHEME")]
    [InlineData("https://user:pass@example.com/{{.Code}}", "URLTEMPLATE-USERINFO")]
    public void BadTemplatesAreRefusedNamingTheRuleAndTheField(string text, string id)
    {
        var parsed = UrlTemplate.Parse(text);
        var error = parsed.IsSuccess ? parsed.Value.Render("1", "CODE2345", "2").Error : parsed.Error;

        Assert.NotNull(error);
        Assert.Equal(id, error.Id);
        Assert.Equal(ErrorCode.InvalidArgument, error.Code);
        Assert.Equal(UrlTemplate.Field, error.Field);
    }

    [Fact]
    public void ATemplateIsAtMost200Characters()
    {
        Assert.True(UrlTemplate.Parse("https://example.com/" + new string('a', 180)).IsSuccess);
        Assert.Equal("URLTEMPLATE-LENGTH", UrlTemplate.Parse("https://example.com/" + new string('a', 181)).Error?.Id);
    }

    [Theory]
    [InlineData("http://localhost:8080/verify/{{.Code}}")]
    [InlineData("http://127.0.0.1/verify/{{.Code}}")]
    [InlineData("http://[::1]/verify/{{.Code}}")]
    [InlineData("https://example.com/static-link")]
    public void LoopbackHttpAndAnyHttpsRender(string text) =>
        Assert.True(UrlTemplate.Parse(text).Value.Render("1", "CODE2345", "2").IsSuccess);

    [Fact]
    public void PlaceholderValuesAreUrlEncodedWhenRendered()
    {
        var template = UrlTemplate.Parse("https://example.com/v/{{.UserID}}?c={{.Code}}&o={{.OrgID}}").Value;

        var link = template.Render("a b/c", "X&Y=Z", "o?#").Value;

        Assert.Equal("https://example.com/v/a%20b%2Fc?c=X%26Y%3DZ&o=o%3F%23", link.AbsoluteUri);
    }

    [Fact]
    public void EachPlaceholderMayAppearMoreThanOnce()
    {
        var template = UrlTemplate.Parse("https://example.com/{{.Code}}/{{.Code}}").Value;

        Assert.Equal("https://example.com/ABC/ABC", template.Render("1", "ABC", "2").Value.AbsoluteUri);
    }

    [Fact]
    public void AValueCannotTurnTheLinkIntoAnotherHost()
    {
        var template = UrlTemplate.Parse("https://{{.UserID}}.example.com/").Value;

        var link = template.Render("evil.com/x", "C", "O");

        // The slash is encoded, which leaves no valid host: refused rather than sent somewhere else.
        Assert.False(link.IsSuccess, link.IsSuccess ? $"rendered {link.Value.AbsoluteUri}" : null);
        Assert.Equal("URLTEMPLATE-NOT-ABSOLUTE", link.Error.Id);
    }

    [Theory]
    [InlineData("https://example.com/{{.UserID}}{{.Code}}{{.OrgID}}", true)]
    [InlineData("https://example.com/{{.Code}}}", true)] // a lone brace is just text
    [InlineData("https://example.com/{{.Code}}{{", false)]
    [InlineData("https://example.com/}}{{.Code}}", false)]
    [InlineData("https://example.com/{{.code}}", false)]
    [InlineData("https://example.com/{{}}", false)]
    public void ParseAcceptsOnlyTheThreePlaceholders(string text, bool valid) =>
        Assert.Equal(valid, UrlTemplate.Parse(text).IsSuccess);
}
