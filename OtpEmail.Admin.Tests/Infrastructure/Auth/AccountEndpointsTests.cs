using OtpEmail.Admin.Infrastructure.Auth;

namespace OtpEmail.Admin.Tests.Infrastructure.Auth;

/// <summary>Where staff are sent after signing in or out: only to a path on this site.</summary>
public sealed class AccountEndpointsTests
{
    [Theory]
    [InlineData("/")]
    [InlineData("/users/106001633909211136")]
    [InlineData("/events?type=otp_email.added")]
    public void PathsOnThisSiteAreKept(string url) => Assert.Equal(url, AccountEndpoints.LocalOrRoot(url));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example")]
    [InlineData("/\\evil.example")]
    [InlineData("/\t/evil.example")]
    [InlineData("/\n/evil.example")]
    [InlineData("/\r\\evil.example")]
    [InlineData("evil.example")]
    [InlineData("javascript:alert(1)")]
    public void EverythingElseIsTheStartPage(string? url) => Assert.Equal("/", AccountEndpoints.LocalOrRoot(url));
}
