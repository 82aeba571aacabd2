using OtpEmail.Admin.Common;

namespace OtpEmail.Admin.Features.OtpEmail;

/// <summary>The errors the OTP Email operations share; each operation raises its own others in place.</summary>
public static class OtpEmailErrors
{
    public const string AddressField = "email.address";

    public static AppError AlreadyRegistered { get; } =
        AppError.Exists("OTPEMAIL-ALREADY-EXISTS", "This address is already registered as an OTP Email authenticator for the user", AddressField);

    public static AppError AlreadyVerified { get; } =
        AppError.Precondition("OTPEMAIL-ALREADY-VERIFIED", "The OTP Email authenticator is already verified");

    public static AppError CodeInvalidated { get; } =
        AppError.Precondition("OTPEMAIL-CODE-INVALIDATED", "The code is no longer valid after too many wrong tries; request a new one");

    public static AppError CodeExpired { get; } =
        AppError.Precondition("OTPEMAIL-CODE-EXPIRED", "The code has expired; request a new one");

    public static AppError LinkFailed { get; } =
        AppError.Invalid("OTPEMAIL-LINK-FAILED", "This link could not verify an email address. It may be wrong, used or expired");

    public static AppError CodeWrong(bool invalidated) =>
        AppError.Invalid("OTPEMAIL-CODE-WRONG", invalidated
            ? "The code is wrong; it is now invalidated after too many wrong tries"
            : "The code is wrong", "code");
}

/// <summary>The event types the OTP Email operations append to the user's log; payloads never hold a code.</summary>
public static class OtpEmailEvents
{
    public const string Added = "otp_email.added";
    public const string CodeIssued = "otp_email.code_issued";
    public const string VerificationFailed = "otp_email.verification_failed";
    public const string Verified = "otp_email.verified";
    public const string Removed = "otp_email.removed";
    public const string MailSent = "otp_email.mail_sent";
    public const string MailFailed = "otp_email.mail_failed";

    public static readonly string[] All = [Added, CodeIssued, VerificationFailed, Verified, Removed, MailSent, MailFailed];
}
