using Grpc.Core;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure.Errors;
using OtpEmail.Admin.Infrastructure.Grpc;
using OtpEmail.Admin.Infrastructure.Idempotency;
using Proto = OtpEmail.Admin.Protos.UserV3Alpha;

namespace OtpEmail.Admin.Grpc;

// The user operations of the UserService.
public sealed partial class UserGrpcService
{
    [Idempotent]
    public override async Task<Proto.CreateUserResponse> CreateUser(Proto.CreateUserRequest request, ServerCallContext context)
    {
        var user = request.User;
        var email = user?.Contact?.Email;
        var created = (await createUser.HandleAsync(context.Caller(), new CreateUserRequest
        {
            Organization = request.Organization is null ? null : new OrganizationReference { OrgId = request.Organization.OrgId },
            User = user is null ? null : new NewUser
            {
                Username = user.Username,
                GivenName = user.GivenName,
                FamilyName = user.FamilyName,
                PreferredLanguage = user.HasPreferredLanguage ? user.PreferredLanguage : null,
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
        var found = (await getUser.HandleAsync(context.Caller(), request.UserId, context.CancellationToken)).OrThrow();
        return new Proto.GetUserResponse { User = ToProto(found.User) };
    }

    public override async Task<Proto.SearchUsersResponse> SearchUsers(Proto.SearchUsersRequest request, ServerCallContext context)
    {
        var found = (await searchUsers.HandleAsync(context.Caller(), new SearchUsersRequest
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

    private static Proto.User ToProto(UserView user) => new()
    {
        UserId = user.UserId,
        Details = ToProto(user.Details),
        Username = user.Username,
        GivenName = user.GivenName,
        FamilyName = user.FamilyName,
        DisplayName = user.DisplayName,
        PreferredLanguage = user.PreferredLanguage ?? "",
        State = user.State switch
        {
            UserState.Active => Proto.UserState.Active,
            UserState.Inactive => Proto.UserState.Inactive,
            UserState.Deleted => Proto.UserState.Deleted,
            _ => Proto.UserState.Unspecified,
        },
        Contact = new Proto.Contact { Email = new Proto.Email { Address = user.Contact.Email.Address, IsVerified = user.Contact.Email.IsVerified } },
        Authenticators = new Proto.Authenticators
        {
            OtpEmail = { user.Authenticators.OtpEmail.Select(a => new Proto.OTPEmail { OtpEmailId = a.OtpEmailId, Address = a.Address, IsVerified = a.IsVerified }) },
        },
    };
}
