using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.OtpEmail;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure.Email;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Features.OtpEmail;

/// <summary>Removing an authenticator, called directly.</summary>
[Collection(HandlerCollection.Name)]
public sealed class RemoveOtpEmailTests(HandlerFixture fixture)
{
    [Fact]
    public async Task ARemovedAuthenticatorIsNotListedNorVerifiableAndItsAddressCanBeAddedAgain()
    {
        var address = ApiClient.NewAddress();
        var (userId, otpId, code) = await fixture.AddReturningCodeAsync(address);

        var removed = await RemoveAsync(userId, otpId);
        var user = await fixture.Get<GetUserHandler>().HandleAsync(Callers.Admin, userId, CancellationToken.None);
        var verify = await fixture.Get<VerifyOtpEmailHandler>().HandleAsync(Callers.Admin, userId, otpId, new VerifyOtpEmailRequest { Code = code }, CancellationToken.None);
        var removeAgain = await RemoveAsync(userId, otpId);
        var readded = await fixture.Get<AddOtpEmailHandler>().HandleAsync(Callers.Admin, userId,
            new AddOtpEmailRequest { Email = SetEmail.For(address, VerificationMode.AlreadyVerified) }, CancellationToken.None);

        Assert.Equal(3, removed.Value.Details.Sequence);
        Assert.Empty(user.Value.User.Authenticators.OtpEmail);
        Assert.Equal(OtpEmailId.NotFound, verify.Error);
        Assert.Equal(OtpEmailId.NotFound, removeAgain.Error);
        Assert.True(readded.IsSuccess);
    }

    [Fact]
    public async Task ItsPendingMailIsNeverSent()
    {
        await fixture.Smtp.StopAsync(); // the mail waits in the outbox
        try
        {
            var userId = await fixture.CreateUserAsync();
            var address = ApiClient.NewAddress();
            var added = await fixture.Get<AddOtpEmailHandler>().HandleAsync(Callers.Admin, userId,
                new AddOtpEmailRequest { Email = SetEmail.For(address, VerificationMode.SendCode) }, CancellationToken.None);

            await RemoveAsync(userId, added.Value.OtpEmailId);

            await using var db = fixture.Db();
            var mail = await db.OutboxMails.SingleAsync(m => m.To == address);
            Assert.Equal(OutboxMailStatus.GivenUp, mail.Status);
            Assert.Null(mail.ProtectedBody);
            Assert.Equal($"otp_email:{added.Value.OtpEmailId}", mail.Reference);
        }
        finally
        {
            await fixture.Smtp.StartAsync(fixture.Smtp.Port);
        }
    }

    private Task<Result<RemoveOtpEmailResponse>> RemoveAsync(string userId, string otpId) =>
        fixture.Get<RemoveOtpEmailHandler>().HandleAsync(Callers.Admin, userId, otpId, CancellationToken.None);
}
