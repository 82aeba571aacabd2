using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Data;
using OtpEmail.Admin.Infrastructure.Email;

namespace OtpEmail.Admin.Features.OtpEmail;

// POST /v3alpha/users/{userId}/otp_email/{otpEmailId}/_resend · ResendOTPEmailCode (not in ZITADEL).

public sealed record ResendOtpEmailCodeRequest
{
    public SendEmailVerificationCode? SendCode { get; init; }

    public ReturnEmailVerificationCode? ReturnCode { get; init; }

    /// <summary>The request a form makes: a new code delivered the way <paramref name="mode"/> says.</summary>
    public static ResendOtpEmailCodeRequest For(VerificationMode mode, string? template = null) => new()
    {
        SendCode = mode.SendCode(template),
        ReturnCode = mode.ReturnCode(),
    };
}

public sealed record ResendOtpEmailCodeResponse(Details Details, string? VerificationCode);

/// <summary>Gives a pending authenticator a new code, mailed or returned; the old code stops working.</summary>
public sealed partial class ResendOtpEmailCodeHandler(
    DbWriter writer, UserEventLog events, TimeProvider time, CodeIssuer issuer, MailOutbox outbox, OtpEmailMetrics metrics, ILogger<ResendOtpEmailCodeHandler> logger)
{
    public async Task<Result<ResendOtpEmailCodeResponse>> HandleAsync(
        Caller caller, string userId, string otpEmailId, ResendOtpEmailCodeRequest request, CancellationToken cancellationToken)
    {
        var target = AuthenticatorAccess.Check(caller, userId, otpEmailId);
        if (!target.IsSuccess)
        {
            return target.Error;
        }

        var verification = Verification.Choose(request.SendCode, request.ReturnCode, isVerified: null);
        if (!verification.IsSuccess)
        {
            return verification.Error;
        }

        var resent = await AuthenticatorAccess.ChangeAsync(writer, caller, target.Value,
            (db, user, authenticator, ct) => StageAsync(db, caller, user, authenticator, verification.Value, ct), cancellationToken);
        if (resent.IsSuccess)
        {
            if (verification.Value.Mode == VerificationMode.SendCode)
            {
                outbox.Notify();
            }

            metrics.CodeIssued(verification.Value);
            LogCodeIssued(logger, target.Value.OtpEmailId.ToString(), caller.Subject, verification.Value.Name);
        }

        return resent;
    }

    private async Task<Staged<ResendOtpEmailCodeResponse>> StageAsync(
        AppDbContext db, Caller caller, User user, OtpEmailAuthenticator authenticator, Verification verification, CancellationToken cancellationToken)
    {
        if (authenticator.State == OtpEmailState.Ready)
        {
            return OtpEmailErrors.AlreadyVerified;
        }

        var now = time.GetUtcNow();
        var issued = await issuer.IssueAsync(db, user, authenticator, verification, now, cancellationToken);
        if (!issued.IsSuccess)
        {
            return issued.Error;
        }

        var issue = await events.AppendAsync(db, user, OtpEmailEvents.CodeIssued, caller,
            new { otpEmailId = DecimalId.Format(authenticator.Id), authenticator.Address, Mode = verification.Name }, now, cancellationToken);
        return new ResendOtpEmailCodeResponse(issue.Details(), verification.Mode == VerificationMode.ReturnCode ? issued.Value : null);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "New code for OTP email {OtpEmailId} issued by {Actor} ({Mode})")]
    private static partial void LogCodeIssued(ILogger logger, string otpEmailId, string actor, string mode);
}
