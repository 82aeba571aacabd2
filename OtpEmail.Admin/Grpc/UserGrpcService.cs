using Google.Protobuf.WellKnownTypes;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.OtpEmail;
using OtpEmail.Admin.Features.Users;
using Proto = OtpEmail.Admin.Protos.UserV3Alpha;

namespace OtpEmail.Admin.Grpc;

/// <summary>
/// The gRPC door of <c>zitadel.user.v3alpha.UserService</c>, one proto service over two features:
/// the user operations (UserGrpcService.Users.cs) and the OTP Email ones (UserGrpcService.OtpEmail.cs).
/// Translation only: each method maps the proto request to the feature's, calls its handler, and maps
/// the result back (errors become the status through <c>OrThrow</c>).
/// </summary>
public sealed partial class UserGrpcService(
    CreateUserHandler createUser,
    GetUserHandler getUser,
    SearchUsersHandler searchUsers,
    AddOtpEmailHandler addOtpEmail,
    VerifyOtpEmailHandler verifyOtpEmail,
    ResendOtpEmailCodeHandler resendOtpEmailCode,
    RemoveOtpEmailHandler removeOtpEmail) : Proto.UserService.UserServiceBase
{
    private static Proto.Details ToProto(Details details) => new()
    {
        Sequence = (ulong)details.Sequence,
        ChangeDate = Timestamp.FromDateTimeOffset(details.ChangeDate),
        ResourceOwner = details.ResourceOwner,
    };
}
