using Microsoft.Extensions.Options;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Features.OtpEmail;

/// <summary>
/// Records one try of a code against a tracked authenticator: on a match it becomes ready; on a miss
/// the failed try counts, and the code is invalidated at the limit. Either outcome is staged with
/// its event, to be saved whatever the answer.
/// </summary>
public sealed class CodeAttempts(VerificationCodes codes, UserEventLog events, EnrolmentCounts counts, IOptions<OtpSettings> otp, TimeProvider time)
{
    public const int MaxCodeLength = 200;

    public async Task<Result<Details>> RecordAsync(
        AppDbContext db, Caller caller, User user, OtpEmailAuthenticator authenticator, string code, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (authenticator.State == OtpEmailState.Ready)
        {
            return OtpEmailErrors.AlreadyVerified;
        }

        if (authenticator.CodeHash is null)
        {
            return OtpEmailErrors.CodeInvalidated;
        }

        if (authenticator.CodeExpiresAt <= now)
        {
            return OtpEmailErrors.CodeExpired;
        }

        var otpEmailId = DecimalId.Format(authenticator.Id);
        if (!codes.Matches(code, authenticator.CodeHash))
        {
            authenticator.FailedAttempts++;
            var invalidated = authenticator.FailedAttempts >= otp.Value.MaxFailedAttempts;
            if (invalidated)
            {
                authenticator.ForgetCode();
            }

            await events.AppendAsync(db, user, OtpEmailEvents.VerificationFailed, caller,
                new { otpEmailId, authenticator.Address, authenticator.FailedAttempts, Invalidated = invalidated }, now, cancellationToken);
            return OtpEmailErrors.CodeWrong(invalidated);
        }

        authenticator.State = OtpEmailState.Ready;
        authenticator.VerifiedAt = now;
        authenticator.ForgetCode();
        var verification = await events.AppendAsync(db, user, OtpEmailEvents.Verified, caller, new { otpEmailId, authenticator.Address }, now, cancellationToken);
        await counts.VerifiedAsync(db, user, now, cancellationToken);
        return verification.Details();
    }
}
