using OtpEmail.Admin.Features.OtpEmail;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Features.OtpEmail;

/// <summary>
/// The app here looks at its outbox by itself only once an hour: a verification mail that arrives at
/// once went out because the add or the resend that queued it woke the dispatcher.
/// </summary>
public sealed class MailWakeUpTests(MailWakeUpTests.Fixture fixture) : IClassFixture<MailWakeUpTests.Fixture>
{
    [Fact]
    public async Task AnAddBySendCodeWakesTheMailDispatcher()
    {
        var address = ApiClient.NewAddress();

        var added = await fixture.Get<AddOtpEmailHandler>().HandleAsync(Callers.Admin, await fixture.CreateUserAsync(),
            new AddOtpEmailRequest { Email = SetEmail.For(address, VerificationMode.SendCode) }, CancellationToken.None);

        Assert.True(added.IsSuccess, added.Error?.FullMessage);
        Assert.Equal("Acme: verify your email address", (await fixture.Smtp.WaitForMailToAsync(address)).Subject);
    }

    [Fact]
    public async Task AResendBySendCodeWakesTheMailDispatcher()
    {
        var address = ApiClient.NewAddress();
        var (userId, otpId, _) = await fixture.AddReturningCodeAsync(address);

        var resent = await fixture.Get<ResendOtpEmailCodeHandler>().HandleAsync(Callers.Admin, userId, otpId,
            ResendOtpEmailCodeRequest.For(VerificationMode.SendCode), CancellationToken.None);

        Assert.True(resent.IsSuccess, resent.Error?.FullMessage);
        Assert.Equal("Acme: verify your email address", (await fixture.Smtp.WaitForMailToAsync(address)).Subject);
    }

    /// <summary>The handlers' app with an hour between the dispatcher's own looks at the outbox.</summary>
    public sealed class Fixture() : HandlerFixture(new Dictionary<string, string?> { ["Mail:PollInterval"] = "01:00:00" });
}
