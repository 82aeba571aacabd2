using OtpEmail.Admin.Features.OtpEmail;

namespace OtpEmail.Admin.Tests.TestSupport;

/// <summary>Authenticators made through the handlers, for tests of what comes after the add.</summary>
public static class Authenticators
{
    /// <summary>A new user with a pending authenticator added in return-code mode: its ids and code.</summary>
    public static async Task<(string UserId, string OtpEmailId, string Code)> AddReturningCodeAsync(this HandlerFixture fixture, string? address = null)
    {
        var userId = await fixture.CreateUserAsync();
        var added = await fixture.Get<AddOtpEmailHandler>().HandleAsync(Callers.Admin, userId,
            new AddOtpEmailRequest { Email = SetEmail.For(address ?? ApiClient.NewAddress(), VerificationMode.ReturnCode) }, CancellationToken.None);
        return (userId, added.Value.OtpEmailId, added.Value.VerificationCode!);
    }
}
