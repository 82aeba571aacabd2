using OtpEmail.Admin.Features.OtpEmail;

namespace OtpEmail.Admin.Tests.Features.OtpEmail;

public sealed class EmailAddressTests
{
    [Theory]
    [InlineData("a@b")]
    [InlineData("first.last@sub.example.com")]
    [InlineData("x+tag@example.com")]
    [InlineData("!#$%&'*+/=?^_`{|}~-@example.com")]
    [InlineData("a@0-9.example")]
    public void PlainAddressesPass(string address) => Assert.Null(EmailAddress.Check(address));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("a@b@c")]
    [InlineData("a@b.")]
    [InlineData("a@.b")]
    [InlineData("a.@b")]
    [InlineData("a@b-")]
    [InlineData("a\0@b")]
    [InlineData("a@b\r")]
    [InlineData("<a@b>")]
    [InlineData("a(b)@c")]
    public void EverythingElseFails(string? address) => Assert.NotNull(EmailAddress.Check(address));

    [Fact]
    public void TheDuplicateRuleIgnoresCase() =>
        Assert.Equal(EmailAddress.Normalize("Mini@Mouse.COM"), EmailAddress.Normalize("mini@mouse.com"));

    [Theory]
    [InlineData("mini@mouse.com", "m•••@mouse.com")]
    [InlineData("a@b", "a•••@b")]
    public void MaskKeepsOnlyTheFirstLetterAndTheDomain(string address, string masked) =>
        Assert.Equal(masked, EmailAddress.Mask(address));
}
