using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Data;
using OtpEmail.Admin.Infrastructure.Email;

namespace OtpEmail.Admin.Features.OtpEmail;

// DELETE /v3alpha/users/{userId}/otp_email/{otpEmailId} · RemoveOTPEmailAuthenticator.

public sealed record RemoveOtpEmailResponse(Details Details);

/// <summary>
/// Removes an authenticator: it is no longer listed, its code stops working, its pending mail is
/// never sent, and the address may be added again.
/// </summary>
public sealed partial class RemoveOtpEmailHandler(
    DbWriter writer, UserEventLog events, TimeProvider time, MailOutbox outbox, EnrolmentCounts counts, ILogger<RemoveOtpEmailHandler> logger)
{
    public async Task<Result<RemoveOtpEmailResponse>> HandleAsync(Caller caller, string userId, string otpEmailId, CancellationToken cancellationToken)
    {
        var target = AuthenticatorAccess.Check(caller, userId, otpEmailId);
        if (!target.IsSuccess)
        {
            return target.Error;
        }

        var removed = await AuthenticatorAccess.ChangeAsync<RemoveOtpEmailResponse>(writer, caller, target.Value, async (db, user, authenticator, ct) =>
        {
            var (was, now) = (authenticator.State, time.GetUtcNow());
            authenticator.State = OtpEmailState.Removed;
            authenticator.ForgetCode();
            var removal = await events.AppendAsync(db, user, OtpEmailEvents.Removed, caller,
                new { otpEmailId = DecimalId.Format(authenticator.Id), authenticator.Address }, now, ct);
            await counts.RemovedAsync(db, user, was, now, ct);
            await outbox.CancelPendingAsync(db, authenticator.MailReference, "the authenticator was removed", ct);
            return new RemoveOtpEmailResponse(removal.Details());
        }, cancellationToken);
        if (removed.IsSuccess)
        {
            LogRemoved(logger, target.Value.OtpEmailId.ToString(), caller.Subject);
        }

        return removed;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "OTP email {OtpEmailId} removed by {Actor}")]
    private static partial void LogRemoved(ILogger logger, string otpEmailId, string actor);
}
