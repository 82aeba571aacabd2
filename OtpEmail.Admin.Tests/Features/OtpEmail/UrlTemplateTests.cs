using OtpEmail.Admin.Features.OtpEmail;

namespace OtpEmail.Admin.Tests.Features.OtpEmail;

public sealed class UrlTemplateTests
{
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
        Assert.False(link.IsSuccess && link.Value.Host == "evil.com");
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
