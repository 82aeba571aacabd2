using Grpc.Core;
using OtpEmail.Admin.Features.OtpEmail;
using OtpEmail.Admin.Infrastructure.Errors;
using OtpEmail.Admin.Infrastructure.Grpc;
using OtpEmail.Admin.Infrastructure.Idempotency;
using Proto = OtpEmail.Admin.Protos.UserV3Alpha;

namespace OtpEmail.Admin.Grpc;

// The OTP Email operations of the UserService.
public sealed partial class UserGrpcService
{
    [Idempotent]
    public override async Task<Proto.AddOTPEmailAuthenticatorResponse> AddOTPEmailAuthenticator(Proto.AddOTPEmailAuthenticatorRequest request, ServerCallContext context)
    {
        var email = request.Email;
        var added = (await addOtpEmail.HandleAsync(context.Caller(), request.UserId, new AddOtpEmailRequest
        {
            Email = email is null ? null : new SetEmail
            {
                Address = email.Address,
                SendCode = email.VerificationCase == Proto.SetEmail.VerificationOneofCase.SendCode ? FromProto(email.SendCode) : null,
                ReturnCode = email.VerificationCase == Proto.SetEmail.VerificationOneofCase.ReturnCode ? new ReturnEmailVerificationCode() : null,
                IsVerified = email.VerificationCase == Proto.SetEmail.VerificationOneofCase.IsVerified ? email.IsVerified : null,
            },
        }, context.CancellationToken)).OrThrow();
        var response = new Proto.AddOTPEmailAuthenticatorResponse { Details = ToProto(added.Details), OtpEmailId = added.OtpEmailId };
        if (added.VerificationCode is { } code)
        {
            response.VerificationCode = code;
        }

        return response;
    }

    public override async Task<Proto.VerifyOTPEmailRegistrationResponse> VerifyOTPEmailRegistration(Proto.VerifyOTPEmailRegistrationRequest request, ServerCallContext context)
    {
        var verified = (await verifyOtpEmail.HandleAsync(context.Caller(), request.UserId, request.OtpEmailId,
            new VerifyOtpEmailRequest { Code = request.Code }, context.CancellationToken)).OrThrow();
        return new Proto.VerifyOTPEmailRegistrationResponse { Details = ToProto(verified.Details) };
    }

    public override async Task<Proto.RemoveOTPEmailAuthenticatorResponse> RemoveOTPEmailAuthenticator(Proto.RemoveOTPEmailAuthenticatorRequest request, ServerCallContext context)
    {
        var removed = (await removeOtpEmail.HandleAsync(context.Caller(), request.UserId, request.OtpEmailId, context.CancellationToken)).OrThrow();
        return new Proto.RemoveOTPEmailAuthenticatorResponse { Details = ToProto(removed.Details) };
    }

    [Idempotent]
    public override async Task<Proto.ResendOTPEmailCodeResponse> ResendOTPEmailCode(Proto.ResendOTPEmailCodeRequest request, ServerCallContext context)
    {
        var resent = (await resendOtpEmailCode.HandleAsync(context.Caller(), request.UserId, request.OtpEmailId, new ResendOtpEmailCodeRequest
        {
            SendCode = request.VerificationCase == Proto.ResendOTPEmailCodeRequest.VerificationOneofCase.SendCode ? FromProto(request.SendCode) : null,
            ReturnCode = request.VerificationCase == Proto.ResendOTPEmailCodeRequest.VerificationOneofCase.ReturnCode ? new ReturnEmailVerificationCode() : null,
        }, context.CancellationToken)).OrThrow();
        var response = new Proto.ResendOTPEmailCodeResponse { Details = ToProto(resent.Details) };
        if (resent.VerificationCode is { } code)
        {
            response.VerificationCode = code;
        }

        return response;
    }

    private static SendEmailVerificationCode FromProto(Proto.SendEmailVerificationCode sendCode) =>
        new() { UrlTemplate = sendCode.HasUrlTemplate ? sendCode.UrlTemplate : null };
}
