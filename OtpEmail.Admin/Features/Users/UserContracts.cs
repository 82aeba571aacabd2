using System.Text.Json.Serialization;
using OtpEmail.Admin.Features.Audit;

namespace OtpEmail.Admin.Features.Users;

// v3alpha wire shapes for users. Requests are all-nullable: the service decides what is missing.

public sealed record UserView(
    string UserId,
    Details Details,
    string Username,
    string GivenName,
    string FamilyName,
    string DisplayName,
    string State,
    ContactView Contact,
    AuthenticatorsView Authenticators);

public sealed record ContactView(EmailView Email);

public sealed record EmailView(string Address, bool IsVerified);

public sealed record AuthenticatorsView(IReadOnlyList<OtpEmailView> OtpEmail);

public sealed record OtpEmailView(string OtpEmailId, string Address, bool IsVerified);

public sealed record GetUserResponse(UserView User);

public sealed record SearchUsersRequest
{
    public string? Query { get; init; }

    public string? OrganizationId { get; init; }

    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public long? Offset { get; init; }

    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public int? Limit { get; init; }
}

public sealed record SearchUsersResponse(SearchDetails Details, IReadOnlyList<UserView> Result);

public sealed record SearchDetails([property: JsonNumberHandling(JsonNumberHandling.WriteAsString)] long TotalResult);

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

// Shapes for the staff pages (richer than the wire: organization names, states, who and when).

public sealed record UserSummary(string UserId, string DisplayName, string Username, string Email, string OrganizationName);

public sealed record UserProfile(
    string UserId,
    string DisplayName,
    string Username,
    string Email,
    bool EmailVerified,
    string OrganizationId,
    string OrganizationName,
    IReadOnlyList<AuthenticatorSummary> OtpEmails);

public sealed record AuthenticatorSummary(
    string OtpEmailId,
    string Address,
    OtpEmail.OtpEmailState State,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset? VerifiedAt);
