using Grpc.Core;
using OtpEmail.Admin.Protos.UserV3Alpha;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Infrastructure.Http;

/// <summary>What responses say about how they may be used: framing, sniffing, referrers, caching.</summary>
[Collection(ApiCollection.Name)]
public sealed class HttpHardeningTests(ApiFixture fixture)
{
    [Fact]
    public async Task ApiAnswersAreNeverCachedEvenOnSuccess()
    {
        var userId = await fixture.Api.CreateUserAsync();

        var read = await fixture.Api.GetAsync($"/v3alpha/users/{userId}");

        Assert.Equal(200, read.Status);
        Assert.Equal("no-store", read.Headers.CacheControl?.ToString());
        Assert.Equal("nosniff", read.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Theory]
    [InlineData(GrpcTransport.WebBinary)]
    [InlineData(GrpcTransport.WebText)]
    public async Task GrpcWebAnswersThatCarryACodeAreNeverCached(GrpcTransport transport)
    {
        var client = GrpcClients.Create(fixture.App, fixture.Api.Http, transport);
        var auth = await fixture.Api.AuthAsync();
        var userId = await fixture.Api.CreateUserAsync();

        using var add = client.AddOTPEmailAuthenticatorAsync(new AddOTPEmailAuthenticatorRequest
        {
            UserId = userId,
            Email = new SetEmail { Address = ApiClient.NewAddress(), ReturnCode = new ReturnEmailVerificationCode() },
        }, auth);
        var added = await add.ResponseAsync;
        using var resend = client.ResendOTPEmailCodeAsync(new ResendOTPEmailCodeRequest
        {
            UserId = userId,
            OtpEmailId = added.OtpEmailId,
            ReturnCode = new ReturnEmailVerificationCode(),
        }, auth);
        var resent = await resend.ResponseAsync;

        Assert.Matches("^[A-Z2-9]{8}$", added.VerificationCode);
        Assert.Equal("no-store", CacheControl(await add.ResponseHeadersAsync));
        Assert.Matches("^[A-Z2-9]{8}$", resent.VerificationCode);
        Assert.Equal("no-store", CacheControl(await resend.ResponseHeadersAsync));
    }

    [Fact]
    public async Task TheVerificationPageIsNeitherCachedNorNamedAsReferrer()
    {
        using var response = await fixture.Api.Http.GetAsync("/otp-email/verify?userID=1&code=ABCDEFGH&orgID=1");

        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task PagesCarryAPolicyThatAllowsOnlyThisSitesScriptsAndNoFraming()
    {
        using var response = await fixture.Api.Http.GetAsync("/not-a-page");

        var policy = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self'", policy);
        Assert.Contains("connect-src 'self'", policy);
        Assert.Contains("object-src 'none'", policy);
        Assert.Contains("frame-ancestors 'none'", policy);
        Assert.DoesNotContain("unsafe-eval", policy);
        Assert.Equal("same-origin", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
    }

    private static string? CacheControl(Metadata headers) => headers.GetValue("cache-control");
}
