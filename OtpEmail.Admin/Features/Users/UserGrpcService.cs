using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using OtpEmail.Admin.Features.OtpEmail;
using OtpEmail.Admin.Infrastructure.Errors;
using OtpEmail.Admin.Infrastructure.Grpc;
using Proto = OtpEmail.Admin.Protos.UserV3Alpha;

namespace OtpEmail.Admin.Features.Users;

/// <summary>
/// The gRPC door of <c>zitadel.user.v3alpha.UserService</c>: translation only. The user operations
/// are here; the OTP Email ones are in Features/OtpEmail/UserGrpcService.OtpEmail.cs.
/// </summary>
public sealed partial class UserGrpcService(UserService users, OtpEmailService otpEmails) : Proto.UserService.UserServiceBase
{
    public override async Task<Proto.CreateUserResponse> CreateUser(Proto.CreateUserRequest request, ServerCallContext context)
    {
        var user = request.User;
        var email = user?.Contact?.Email;
        var created = (await users.CreateAsync(context.Caller(), new CreateUserRequest
        {
            Organization = request.Organization is null ? null : new OrganizationReference { OrgId = request.Organization.OrgId },
            User = user is null ? null : new NewUser
            {
                Username = user.Username,
                GivenName = user.GivenName,
                FamilyName = user.FamilyName,
                Contact = email is null ? null : new NewContact
                {
                    Email = new NewEmail { Address = email.Address, IsVerified = email.HasIsVerified ? email.IsVerified : null },
                },
            },
        }, context.CancellationToken)).OrThrow();
        return new Proto.CreateUserResponse { Details = ToProto(created.Details), UserId = created.UserId };
    }

    public override async Task<Proto.GetUserResponse> GetUser(Proto.GetUserRequest request, ServerCallContext context)
    {
        var found = (await users.GetAsync(context.Caller(), request.UserId, context.CancellationToken)).OrThrow();
        return new Proto.GetUserResponse { User = ToProto(found.User) };
    }

    public override async Task<Proto.SearchUsersResponse> SearchUsers(Proto.SearchUsersRequest request, ServerCallContext context)
    {
        var found = (await users.SearchAsync(context.Caller(), new SearchUsersRequest
        {
            Query = request.Query,
            OrganizationId = request.HasOrganizationId ? request.OrganizationId : null,
            Offset = (long)Math.Min(request.Offset, long.MaxValue),
            Limit = (int)Math.Min(request.Limit, int.MaxValue),
        }, context.CancellationToken)).OrThrow();
        return new Proto.SearchUsersResponse
        {
            Details = new Proto.ListDetails { TotalResult = (ulong)found.Details.TotalResult },
            Result = { found.Result.Select(ToProto) },
        };
    }

    private static Proto.Details ToProto(Audit.Details details) => new()
    {
        Sequence = (ulong)details.Sequence,
        ChangeDate = Timestamp.FromDateTimeOffset(details.ChangeDate),
        ResourceOwner = details.ResourceOwner,
    };

    private static Proto.User ToProto(UserView user) => new()
    {
        UserId = user.UserId,
        Details = ToProto(user.Details),
        Username = user.Username,
        GivenName = user.GivenName,
        FamilyName = user.FamilyName,
        DisplayName = user.DisplayName,
        State = user.State switch
        {
            "USER_STATE_ACTIVE" => Proto.UserState.Active,
            "USER_STATE_INACTIVE" => Proto.UserState.Inactive,
            "USER_STATE_DELETED" => Proto.UserState.Deleted,
            _ => Proto.UserState.Unspecified,
        },
        Contact = new Proto.Contact { Email = new Proto.Email { Address = user.Contact.Email.Address, IsVerified = user.Contact.Email.IsVerified } },
        Authenticators = new Proto.Authenticators
        {
            OtpEmail = { user.Authenticators.OtpEmail.Select(a => new Proto.OTPEmail { OtpEmailId = a.OtpEmailId, Address = a.Address, IsVerified = a.IsVerified }) },
        },
    };
}
