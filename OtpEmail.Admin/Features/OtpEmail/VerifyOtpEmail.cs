using OtpEmail.Admin.Common;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Features.OtpEmail;

// POST /v3alpha/users/{userId}/otp_email/{otpEmailId}/verify · VerifyOTPEmailRegistration.

public sealed record VerifyOtpEmailRequest
{
    public string? Code { get; init; }
}

public sealed record VerifyOtpEmailResponse(Details Details);

/// <summary>
/// Verifies a pending authenticator with the code its user received: single use, case-insensitive,
/// until it expires; the fifth wrong try invalidates the code.
/// </summary>
public sealed partial class VerifyOtpEmailHandler(DbWriter writer, CodeAttempts attempts, OtpEmailMetrics metrics, ILogger<VerifyOtpEmailHandler> logger)
{
    public async Task<Result<VerifyOtpEmailResponse>> HandleAsync(
        Caller caller, string userId, string otpEmailId, VerifyOtpEmailRequest request, CancellationToken cancellationToken)
    {
        var target = AuthenticatorAccess.Check(caller, userId, otpEmailId);
        if (!target.IsSuccess)
        {
            return target.Error;
        }

        if (request.Code is not { Length: > 0 and <= CodeAttempts.MaxCodeLength } code)
        {
            return AppError.Invalid("OTPEMAIL-CODE-LENGTH", $"code is required: 1–{CodeAttempts.MaxCodeLength} characters", "code");
        }

        var verified = await AuthenticatorAccess.ChangeAsync(writer, caller, target.Value, async (db, user, authenticator, ct) =>
        {
            var attempt = await attempts.RecordAsync(db, caller, user, authenticator, code, ct);
            return attempt.IsSuccess
                ? new VerifyOtpEmailResponse(attempt.Value)
                : Staged<VerifyOtpEmailResponse>.Recorded(attempt.Error);
        }, cancellationToken);
        metrics.Verification("api", verified);
        if (verified.IsSuccess)
        {
            LogVerified(logger, target.Value.OtpEmailId.ToString(), caller.Subject);
        }

        return verified;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "OTP email {OtpEmailId} verified by {Actor}")]
    private static partial void LogVerified(ILogger logger, string otpEmailId, string actor);
}
