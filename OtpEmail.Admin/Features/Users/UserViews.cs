using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Features.Users;

// A user as GetUser and SearchUsers return it on the wire.

public sealed record UserView(
    string UserId,
    Details Details,
    string Username,
    string GivenName,
    string FamilyName,
    string DisplayName,
    string? PreferredLanguage,
    [property: JsonConverter(typeof(UserStateJson))] UserState State,
    ContactView Contact,
    AuthenticatorsView Authenticators);

public sealed record ContactView(EmailView Email);

public sealed record EmailView(string Address, bool IsVerified);

public sealed record AuthenticatorsView(IReadOnlyList<OtpEmailView> OtpEmail);

public sealed record OtpEmailView(string OtpEmailId, string Address, bool IsVerified);

/// <summary>
/// The live authenticators a user's view lists. The Users feature does not know them: the feature
/// that owns them (OtpEmail) supplies this.
/// </summary>
public interface IUserAuthenticators
{
    /// <summary>Each user's live OTP Email authenticators, oldest first; users without any may be left out.</summary>
    Task<IReadOnlyDictionary<long, IReadOnlyList<OtpEmailView>>> OtpEmailsAsync(AppDbContext db, IReadOnlyCollection<long> userIds, CancellationToken cancellationToken);
}

/// <summary>Builds the wire view of users.</summary>
public sealed class UserViews(IUserAuthenticators authenticators)
{
    /// <summary>The users' views, in the order of <paramref name="userIds"/>.</summary>
    public async Task<IReadOnlyList<UserView>> LoadAsync(AppDbContext db, IReadOnlyList<long> userIds, CancellationToken cancellationToken)
    {
        var users = await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, cancellationToken);
        var changes = await UserEventLog.LastChangesAsync(db, users.Keys, cancellationToken);
        var otpEmails = await authenticators.OtpEmailsAsync(db, users.Keys, cancellationToken);
        return userIds.Where(users.ContainsKey)
            .Select(id => View(users[id], changes.GetValueOrDefault(id), otpEmails.GetValueOrDefault(id) ?? []))
            .ToList();
    }

    // A user without events (loaded in bulk, not created here) reports sequence 0.
    private static UserView View(User user, Details? lastChange, IReadOnlyList<OtpEmailView> otpEmails) => new(
        DecimalId.Format(user.Id),
        lastChange ?? new Details(0, default, DecimalId.Format(user.OrganizationId)),
        user.Username,
        user.GivenName,
        user.FamilyName,
        user.DisplayName,
        user.PreferredLanguage,
        user.State,
        new ContactView(new EmailView(user.Email, user.EmailVerified)),
        new AuthenticatorsView(otpEmails));
}

/// <summary>The proto enum names on the JSON wire: <c>USER_STATE_ACTIVE</c>, …</summary>
public sealed class UserStateJson : JsonConverter<UserState>
{
    public override UserState Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetString() switch
        {
            "USER_STATE_ACTIVE" => UserState.Active,
            "USER_STATE_INACTIVE" => UserState.Inactive,
            "USER_STATE_DELETED" => UserState.Deleted,
            var other => throw new JsonException($"Unknown user state {other}"),
        };

    public override void Write(Utf8JsonWriter writer, UserState value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value switch
        {
            UserState.Active => "USER_STATE_ACTIVE",
            UserState.Inactive => "USER_STATE_INACTIVE",
            _ => "USER_STATE_DELETED",
        });
}
