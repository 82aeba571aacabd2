using OtpEmail.Admin.Common;

namespace OtpEmail.Admin.Features.OtpEmail;

/// <summary>
/// How an address gets verified: the contract's <c>verification</c> oneof, and the one name the
/// handlers, the staff form and the resend dialog use for it.
/// </summary>
public enum VerificationMode
{
    /// <summary>The app emails the user a link with the code (the contract's <c>sendCode</c>, and its default).</summary>
    SendCode,

    /// <summary>The code comes back in the response, once (<c>returnCode</c>).</summary>
    ReturnCode,

    /// <summary>Ready at once, no code (<c>isVerified: true</c>); not for a resend.</summary>
    AlreadyVerified,
}

// The oneof's members on the wire.

public sealed record SendEmailVerificationCode
{
    public string? UrlTemplate { get; init; }
}

public sealed record ReturnEmailVerificationCode;

/// <summary>A checked choice of <see cref="VerificationMode"/>, with the link template for send code.</summary>
public sealed record Verification(VerificationMode Mode, UrlTemplate? Template)
{
    /// <summary>The mode as events and logs name it: the contract's oneof member.</summary>
    public string Name => Mode switch
    {
        VerificationMode.SendCode => "send_code",
        VerificationMode.ReturnCode => "return_code",
        _ => "is_verified",
    };

    /// <summary>
    /// At most one member (none means send code without a template); isVerified only as true; a
    /// template checked for form here and for its rendered link when the code is known.
    /// </summary>
    public static Result<Verification> Choose(SendEmailVerificationCode? sendCode, ReturnEmailVerificationCode? returnCode, bool? isVerified)
    {
        var members = (sendCode is null ? 0 : 1) + (returnCode is null ? 0 : 1) + (isVerified is null ? 0 : 1);
        if (members > 1)
        {
            return AppError.Invalid("OTPEMAIL-VERIFICATION-ONEOF", "Set only one of sendCode, returnCode and isVerified");
        }

        if (isVerified is false)
        {
            return AppError.Invalid("OTPEMAIL-ISVERIFIED-FALSE", "email.isVerified must be true when present", "email.isVerified");
        }

        if (isVerified is true)
        {
            return new Verification(VerificationMode.AlreadyVerified, null);
        }

        if (returnCode is not null)
        {
            return new Verification(VerificationMode.ReturnCode, null);
        }

        if (sendCode?.UrlTemplate is not { } template)
        {
            return new Verification(VerificationMode.SendCode, null);
        }

        var parsed = UrlTemplate.Parse(template);
        return parsed.IsSuccess ? new Verification(VerificationMode.SendCode, parsed.Value) : parsed.Error;
    }
}

/// <summary>A mode as the wire's oneof members, for forms that build requests.</summary>
public static class VerificationModeWire
{
    /// <param name="template">For send code: the link template; blank means the default link.</param>
    public static SendEmailVerificationCode? SendCode(this VerificationMode mode, string? template) =>
        mode == VerificationMode.SendCode
            ? new SendEmailVerificationCode { UrlTemplate = string.IsNullOrWhiteSpace(template) ? null : template.Trim() }
            : null;

    public static ReturnEmailVerificationCode? ReturnCode(this VerificationMode mode) =>
        mode == VerificationMode.ReturnCode ? new ReturnEmailVerificationCode() : null;

    public static bool? IsVerified(this VerificationMode mode) =>
        mode == VerificationMode.AlreadyVerified ? true : null;
}
