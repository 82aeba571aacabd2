using System.Text.RegularExpressions;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.OtpEmail;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Features.OtpEmail;

/// <summary>Resending a code, called directly on a clock the tests move.</summary>
[Collection(HandlerCollection.Name)]
public sealed class ResendOtpEmailCodeTests(HandlerFixture fixture)
{
    [Fact]
    public async Task ResendIssuesANewCodeAndTheOldOneStopsWorking()
    {
        var (userId, otpId, oldCode) = await fixture.AddReturningCodeAsync();

        var resent = await ResendAsync(userId, otpId, VerificationMode.ReturnCode);

        Assert.NotEqual(oldCode, resent.Value.VerificationCode);
        Assert.False((await VerifyAsync(userId, otpId, oldCode)).IsSuccess);
        Assert.True((await VerifyAsync(userId, otpId, resent.Value.VerificationCode!)).IsSuccess);
    }

    [Fact]
    public async Task ResendBySendCodeMailsTheNewCodeAndReturnsNone()
    {
        var address = ApiClient.NewAddress();
        var (userId, otpId, _) = await fixture.AddReturningCodeAsync(address);

        var resent = await ResendAsync(userId, otpId, VerificationMode.SendCode, "https://example.com/v?c={{.Code}}");

        Assert.Null(resent.Value.VerificationCode);
        var mail = await fixture.Smtp.WaitForMailToAsync(address);
        var mailedCode = Regex.Match(mail.TextBody!, "c=([A-Z2-9]{8})").Groups[1].Value;
        Assert.True((await VerifyAsync(userId, otpId, mailedCode)).IsSuccess);
    }

    [Fact]
    public async Task AtMostFiveCodesAnHourThenResourceExhaustedUntilTheHourIsOver()
    {
        var (userId, otpId, _) = await fixture.AddReturningCodeAsync(); // code 1
        for (var i = 2; i <= 5; i++)
        {
            fixture.Clock.Advance(TimeSpan.FromMinutes(1));
            Assert.True((await ResendAsync(userId, otpId, VerificationMode.ReturnCode)).IsSuccess);
        }

        var sixth = await ResendAsync(userId, otpId, VerificationMode.ReturnCode);
        fixture.Clock.Advance(TimeSpan.FromMinutes(56));
        var reopened = await ResendAsync(userId, otpId, VerificationMode.ReturnCode);

        Assert.Equal(ErrorCode.ResourceExhausted, sixth.Error?.Code);
        Assert.InRange(sixth.Error!.RetryAfter!.Value, TimeSpan.FromMinutes(56) - TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(56)); // stored to the millisecond
        Assert.True((await VerifyAsync(userId, otpId, reopened.Value.VerificationCode!)).IsSuccess);
    }

    [Fact]
    public async Task ResendOnAReadyAuthenticatorIsFailedPrecondition()
    {
        var (userId, otpId, code) = await fixture.AddReturningCodeAsync();
        await VerifyAsync(userId, otpId, code);

        Assert.Equal(OtpEmailErrors.AlreadyVerified, (await ResendAsync(userId, otpId, VerificationMode.ReturnCode)).Error);
    }

    [Fact]
    public async Task BadResendRequestsAreInvalidArgument()
    {
        var (userId, otpId, _) = await fixture.AddReturningCodeAsync();
        var resender = fixture.Get<ResendOtpEmailCodeHandler>();

        var both = await resender.HandleAsync(Callers.Admin, userId, otpId, new ResendOtpEmailCodeRequest { SendCode = new(), ReturnCode = new() }, CancellationToken.None);
        var plainHttp = await ResendAsync(userId, otpId, VerificationMode.SendCode, "http://example.com/{{.Code}}");

        Assert.Equal("OTPEMAIL-VERIFICATION-ONEOF", both.Error?.Id);
        Assert.Equal("URLTEMPLATE-SCHEME", plainHttp.Error?.Id);
    }

    private Task<Result<ResendOtpEmailCodeResponse>> ResendAsync(string userId, string otpId, VerificationMode mode, string? template = null) =>
        fixture.Get<ResendOtpEmailCodeHandler>().HandleAsync(Callers.Admin, userId, otpId, ResendOtpEmailCodeRequest.For(mode, template), CancellationToken.None);

    private Task<Result<VerifyOtpEmailResponse>> VerifyAsync(string userId, string otpId, string code) =>
        fixture.Get<VerifyOtpEmailHandler>().HandleAsync(Callers.Admin, userId, otpId, new VerifyOtpEmailRequest { Code = code }, CancellationToken.None);
}
