using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Features.Users;

// POST /v3alpha/users · CreateUser. Requests are all-nullable: the handler decides what is missing.

public sealed record CreateUserRequest
{
    public OrganizationReference? Organization { get; init; }

    public NewUser? User { get; init; }
}

public sealed record OrganizationReference
{
    public string? OrgId { get; init; }
}

public sealed record NewUser
{
    public string? Username { get; init; }

    public string? GivenName { get; init; }

    public string? FamilyName { get; init; }

    /// <summary>A BCP 47 tag (<c>de</c>, <c>pt-BR</c>), as ZITADEL's human profile carries it; optional.</summary>
    public string? PreferredLanguage { get; init; }

    public NewContact? Contact { get; init; }
}

public sealed record NewContact
{
    public NewEmail? Email { get; init; }
}

public sealed record NewEmail
{
    public string? Address { get; init; }

    public bool? IsVerified { get; init; }
}

public sealed record CreateUserResponse(Details Details, string UserId);

/// <summary>Creates a user in an organization the caller may act on; usernames are unique per organization.</summary>
public sealed class CreateUserHandler(DbWriter writer, IdGenerator ids, UserEventLog events, OrganizationTally tally, TimeProvider time)
{
    public const int MaxNameLength = 200;

    /// <summary>The display name, "given family", is stored whole: the two names together fit it.</summary>
    public const int MaxDisplayNameLength = 400;

    private static readonly AppError UsernameTaken =
        AppError.Exists("USER-USERNAME-TAKEN", "A user with this username already exists in the organization", "user.username");

    public async Task<Result<CreateUserResponse>> HandleAsync(Caller caller, CreateUserRequest request, CancellationToken cancellationToken)
    {
        if (UserAccess.RequirePermission(caller, Permissions.UserWrite) is { } denied)
        {
            return denied;
        }

        if (!DecimalId.TryParse(request.Organization?.OrgId, out var orgId))
        {
            return AppError.Invalid("USER-ORGANIZATION-REQUIRED", "organization.orgId is required and must be an organization id", "organization.orgId");
        }

        if (!caller.CanActOn(orgId))
        {
            return UserAccess.OutsideOrganizations;
        }

        var user = request.User;
        if ((CheckName(user?.Username, "user.username") ?? CheckName(user?.GivenName, "user.givenName") ?? CheckName(user?.FamilyName, "user.familyName")) is { } badName)
        {
            return badName;
        }

        var displayName = $"{user!.GivenName} {user.FamilyName}";
        if (displayName.Length > MaxDisplayNameLength)
        {
            return AppError.Invalid(
                "USER-DISPLAYNAME-TOO-LONG",
                $"user.givenName and user.familyName are too long together: the display name they make, \"given family\", has at most {MaxDisplayNameLength} characters",
                "user.familyName");
        }

        if (user.Username!.Any(char.IsWhiteSpace))
        {
            return AppError.Invalid("USER-USERNAME-WHITESPACE", "user.username must not contain spaces", "user.username");
        }

        string? language = null;
        if (user.PreferredLanguage is { Length: > 0 } given)
        {
            var parsed = LanguageTag.Parse(given, "user.preferredLanguage");
            if (!parsed.IsSuccess)
            {
                return parsed.Error;
            }

            language = parsed.Value;
        }

        var email = user.Contact?.Email;
        if (EmailAddress.Check(email?.Address, "user.contact.email.address") is { } badEmail)
        {
            return badEmail;
        }

        return await writer.WriteAsync<CreateUserResponse>(async (db, ct) =>
        {
            if (!await db.Organizations.AnyAsync(o => o.Id == orgId, ct))
            {
                return AppError.NotFound("ORGANIZATION-NOTFOUND", "Organization could not be found");
            }

            if (await db.Users.AnyAsync(u => u.OrganizationId == orgId && u.Username == user.Username, ct))
            {
                return UsernameTaken; // the unique index has the last word when two creates race
            }

            var created = new User
            {
                Id = ids.Next(),
                OrganizationId = orgId,
                Username = user.Username!,
                GivenName = user.GivenName!,
                FamilyName = user.FamilyName!,
                DisplayName = displayName,
                Email = email!.Address!,
                EmailVerified = email.IsVerified ?? false,
                PreferredLanguage = language,
            };
            await Insert.ExecuteAsync(db, created, ct); // stored at once, as its first event is
            var now = time.GetUtcNow();
            var creation = await events.AppendAsync(db, created, UserEventLog.UserCreated, caller, new { created.Username, created.Email, created.PreferredLanguage }, now, ct);
            await tally.CountAsync(db, orgId, now, new TallyChange(Users: 1), ct);
            return new CreateUserResponse(creation.Details(), DecimalId.Format(created.Id));
        }, cancellationToken);
    }

    private static readonly PreparedInsert<User> Insert = new();

    private static AppError? CheckName(string? value, string field) =>
        string.IsNullOrWhiteSpace(value) || value.Length > MaxNameLength || value.Any(char.IsControl)
            ? AppError.Invalid("USER-FIELD-INVALID", $"{field} is required: 1–{MaxNameLength} characters without control characters", field)
            : null;
}
