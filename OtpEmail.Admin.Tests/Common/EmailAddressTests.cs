using OtpEmail.Admin.Common;

namespace OtpEmail.Admin.Tests.Common;

/// <summary>The contract's address rule, as a table.</summary>
public sealed class EmailAddressTests
{
    [Theory]
    [InlineData("a@b.c")]
    [InlineData("mini@mouse.com")]
    [InlineData("first.last@sub.example.com")]
    [InlineData("Mini.Mouse+otp@Sub.Mouse-House.example")]
    [InlineData("o'brien@example.com")]
    [InlineData("!#$%&'*+/=?^_`{|}~-@example.com")]
    [InlineData("a@0-9.example")]
    public void PlainAddressesPass(string address) => Assert.Null(EmailAddress.Check(address));

    [Theory]
    [InlineData(null, "EMAIL-REQUIRED")]
    [InlineData("", "EMAIL-REQUIRED")]
    [InlineData("plain", "EMAIL-FORMAT")]
    [InlineData("@example.com", "EMAIL-FORMAT")]
    [InlineData("name@", "EMAIL-FORMAT")]
    [InlineData("Mini <mini@mouse.com>", "EMAIL-LOCAL-INVALID")]
    [InlineData("<a@b>", "EMAIL-LOCAL-INVALID")]
    [InlineData("mini@mouse.com\r\nBcc: x@evil.com", "EMAIL-CONTROL-CHARS")]
    [InlineData("mini\n@mouse.com", "EMAIL-CONTROL-CHARS")]
    [InlineData("a\0@b", "EMAIL-CONTROL-CHARS")]
    [InlineData("a@b\r", "EMAIL-CONTROL-CHARS")]
    [InlineData("mi ni@mouse.com", "EMAIL-LOCAL-INVALID")]
    [InlineData(".mini@mouse.com", "EMAIL-LOCAL-INVALID")]
    [InlineData("a.@b", "EMAIL-LOCAL-INVALID")]
    [InlineData("mi..ni@mouse.com", "EMAIL-LOCAL-INVALID")]
    [InlineData("\"mini\"@mouse.com", "EMAIL-LOCAL-INVALID")]
    [InlineData("a(b)@c", "EMAIL-LOCAL-INVALID")]
    [InlineData("a@b@c", "EMAIL-LOCAL-INVALID")]
    [InlineData("mini@mouse..com", "EMAIL-DOMAIN-INVALID")]
    [InlineData("a@b.", "EMAIL-DOMAIN-INVALID")]
    [InlineData("a@.b", "EMAIL-DOMAIN-INVALID")]
    [InlineData("mini@-mouse.com", "EMAIL-DOMAIN-INVALID")]
    [InlineData("a@b-", "EMAIL-DOMAIN-INVALID")]
    [InlineData("mini@mouse_house.com", "EMAIL-DOMAIN-INVALID")]
    [InlineData("mini@mäuse.com", "EMAIL-DOMAIN-INVALID")]
    [InlineData("root@localhost", "EMAIL-DOMAIN-SINGLE-LABEL")]
    [InlineData("a@b", "EMAIL-DOMAIN-SINGLE-LABEL")]
    [InlineData("a@1.2.3.4", "EMAIL-DOMAIN-IP")]
    [InlineData("a@[1.2.3.4]", "EMAIL-DOMAIN-INVALID")]
    public void EverythingElseFailsNamingTheRuleAndTheField(string? address, string id)
    {
        var error = EmailAddress.Check(address, "email.address");

        Assert.NotNull(error);
        Assert.Equal(id, error.Id);
        Assert.Equal(ErrorCode.InvalidArgument, error.Code);
        Assert.Equal("email.address", error.Field);
    }

    [Fact]
    public void LengthLimitsHoldForTheWholeAddressTheLocalPartAndEachLabel()
    {
        var longest = new string('a', 64) + "@" + string.Join('.', Enumerable.Repeat(new string('d', 44), 3)); // 199 characters

        Assert.Null(EmailAddress.Check(longest));
        Assert.Equal("EMAIL-LOCAL-TOO-LONG", EmailAddress.Check(new string('a', 65) + "@example.com")?.Id);
        Assert.Equal("EMAIL-DOMAIN-INVALID", EmailAddress.Check("a@" + new string('b', 64) + ".com")?.Id);
        Assert.Equal("EMAIL-TOO-LONG", EmailAddress.Check("a@" + string.Join('.', Enumerable.Repeat(new string('c', 60), 4)))?.Id);
    }

    [Fact]
    public void TheDuplicateRuleIgnoresCase()
    {
        // The key the unique index on (user, normalized address) compares: the address in lower case, nothing else changed.
        Assert.Equal("mini@mouse.com", EmailAddress.Normalize("Mini@Mouse.COM"));
        Assert.Equal("mini@mouse.com", EmailAddress.Normalize("mini@mouse.com"));
        Assert.Equal("mini+otp@mouse.com", EmailAddress.Normalize("Mini+OTP@Mouse.com")); // a tag is another address here
        Assert.NotEqual(EmailAddress.Normalize("mini@mouse.com"), EmailAddress.Normalize("minnie@mouse.com"));
    }

    [Theory]
    [InlineData("mini@mouse.com", "m•••@mouse.com")]
    [InlineData("a@b", "a•••@b")]
    public void MaskKeepsOnlyTheFirstLetterAndTheDomain(string address, string masked) =>
        Assert.Equal(masked, EmailAddress.Mask(address));

    [Theory]
    [InlineData("Victim+1@Example.org", "victim@example.org")]
    [InlineData("victim+a+b@example.org", "victim@example.org")]
    [InlineData("victim@example.org", "victim@example.org")]
    [InlineData("+tag@example.org", "+tag@example.org")] // nothing before the tag: the address is its own mailbox
    public void TheMailboxDropsTheTagAndTheCase(string address, string mailbox) => Assert.Equal(mailbox, EmailAddress.Mailbox(address));
}
