using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Features.Audit;

/// <summary>What a change reports back: the user's last event (the contract's <c>Details</c>).</summary>
public sealed record Details(
    [property: JsonNumberHandling(JsonNumberHandling.WriteAsString | JsonNumberHandling.AllowReadingFromString)] long Sequence,
    DateTimeOffset ChangeDate,
    string ResourceOwner)
{
    public static Details Of(User user) =>
        new(user.Sequence, user.ChangeDate, user.OrganizationId.ToString(CultureInfo.InvariantCulture));
}

public static class UserEventTypes
{
    public const string UserCreated = "user.created";
    public const string OtpEmailAdded = "otp_email.added";
    public const string OtpEmailVerified = "otp_email.verified";
    public const string OtpEmailVerificationFailed = "otp_email.verification_failed";
    public const string OtpEmailCodeIssued = "otp_email.code_issued";
    public const string OtpEmailRemoved = "otp_email.removed";
}

public static class UserEvents
{
    private static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>
    /// Appends the next event of a tracked <paramref name="user"/>: bumps its sequence (a concurrency
    /// token) so two writers cannot take the same number. The payload must hold no secret.
    /// </summary>
    public static UserEvent Append(AppDbContext db, User user, string type, Caller actor, object payload, DateTimeOffset now)
    {
        user.Sequence++;
        user.ChangeDate = now;
        var entry = new UserEvent
        {
            UserId = user.Id,
            OrganizationId = user.OrganizationId,
            Sequence = user.Sequence,
            Type = type,
            OccurredAt = now,
            ActorSubject = actor.Subject,
            ActorClient = actor.ClientId,
            Payload = JsonSerializer.Serialize(payload, PayloadJson),
        };
        db.UserEvents.Add(entry);
        return entry;
    }
}
