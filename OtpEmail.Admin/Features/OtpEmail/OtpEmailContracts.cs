using OtpEmail.Admin.Features.Audit;

namespace OtpEmail.Admin.Features.OtpEmail;

// The v3alpha wire shapes (JSON names are the camelCase of these; snake_case is accepted too).
// Every member is nullable: presence and validity are rules of the service, not of the parser.

public sealed record AddOtpEmailRequest
{
    public SetEmail? Email { get; init; }
}

public sealed record SetEmail
{
    public string? Address { get; init; }

    public SendEmailVerificationCode? SendCode { get; init; }

    public ReturnEmailVerificationCode? ReturnCode { get; init; }

    public bool? IsVerified { get; init; }
}

public sealed record SendEmailVerificationCode
{
    public string? UrlTemplate { get; init; }
}

public sealed record ReturnEmailVerificationCode;

public sealed record AddOtpEmailResponse(Details Details, string OtpEmailId, string? VerificationCode);

public sealed record VerifyOtpEmailRequest
{
    public string? Code { get; init; }
}

public sealed record VerifyOtpEmailResponse(Details Details);

public sealed record ResendOtpEmailCodeRequest
{
    public SendEmailVerificationCode? SendCode { get; init; }

    public ReturnEmailVerificationCode? ReturnCode { get; init; }
}

public sealed record ResendOtpEmailCodeResponse(Details Details, string? VerificationCode);

public sealed record RemoveOtpEmailResponse(Details Details);
