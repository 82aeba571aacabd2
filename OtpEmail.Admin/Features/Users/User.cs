namespace OtpEmail.Admin.Features.Users;

public enum UserState
{
    Active = 1,
    Inactive = 2,
    Deleted = 3,
}

public sealed class User
{
    /// <summary>An 18-digit time-ordered id; also the row id the search index points at.</summary>
    public long Id { get; set; }

    public long OrganizationId { get; set; }

    public required string Username { get; set; }

    public required string GivenName { get; set; }

    public required string FamilyName { get; set; }

    public required string DisplayName { get; set; }

    public required string Email { get; set; }

    public bool EmailVerified { get; set; }

    /// <summary>The language the user reads (a BCP 47 tag), for its mail and the verification page; null: the organization's.</summary>
    public string? PreferredLanguage { get; set; }

    public UserState State { get; set; } = UserState.Active;
}
