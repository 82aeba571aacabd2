using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.OtpEmail;
using OtpEmail.Admin.Features.Users;
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
        // On a whole millisecond, as times are stored: the window reopens exactly an hour after code 1.
        fixture.Clock.Advance(TimeSpan.FromTicks(TimeSpan.TicksPerMillisecond - fixture.Clock.GetUtcNow().Ticks % TimeSpan.TicksPerMillisecond));
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
        Assert.Equal("OTPEMAIL-SEND-LIMIT", sixth.Error?.Id);
        Assert.Contains("At most 5 codes an hour", sixth.Error?.Message);
        Assert.InRange(sixth.Error!.RetryAfter!.Value, TimeSpan.FromMinutes(56) - TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(56)); // stored to the millisecond
        Assert.True((await VerifyAsync(userId, otpId, reopened.Value.VerificationCode!)).IsSuccess);
    }

    [Fact]
    public async Task AResendAppendsACodeIssuedEventWithActorAndModeButNoCode()
    {
        var address = ApiClient.NewAddress();
        var (userId, otpId, _) = await fixture.AddReturningCodeAsync(address);
        var actor = Callers.Support(Callers.Acme);

        var resent = await fixture.Get<ResendOtpEmailCodeHandler>().HandleAsync(actor, userId, otpId,
            ResendOtpEmailCodeRequest.For(VerificationMode.ReturnCode), CancellationToken.None);

        Assert.Equal(3, resent.Value.Details.Sequence); // after the user's creation and the add
        Assert.Equal(fixture.Clock.GetUtcNow(), resent.Value.Details.ChangeDate);
        await using var db = fixture.Db();
        var recorded = await db.UserEvents.SingleAsync(e => e.UserId == long.Parse(userId) && e.Sequence == 3);
        Assert.Equal(OtpEmailEvents.CodeIssued, recorded.Type);
        Assert.Equal(actor.Subject, recorded.ActorSubject);
        Assert.Contains(otpId, recorded.Payload);
        Assert.Contains(address, recorded.Payload);
        Assert.Contains("return_code", recorded.Payload);
        Assert.DoesNotContain(resent.Value.VerificationCode!, recorded.Payload, StringComparison.OrdinalIgnoreCase);
        Assert.Single(fixture.App.Logs.Lines, line => line.Contains($"New code for OTP email {otpId} issued by {actor.Subject} (return_code)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EachResendCountsOneCodeIssuedByItsMode()
    {
        var (userId, otpId, _) = await fixture.AddReturningCodeAsync();
        var meters = fixture.Get<IMeterFactory>();
        var issued = new ConcurrentQueue<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == meters && instrument.Name == "otpemail.codes.issued")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) => issued.Enqueue($"{value} {tags[0].Key}={tags[0].Value}"));
        listener.Start();

        await ResendAsync(userId, otpId, VerificationMode.ReturnCode);
        await ResendAsync(userId, otpId, VerificationMode.SendCode);

        Assert.Equal(["1 mode=return_code", "1 mode=send_code"], issued);
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
