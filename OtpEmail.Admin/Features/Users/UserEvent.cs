using System.Text.Json;
using System.Text.Json.Serialization;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Features.Users;

/// <summary>One change to a user, appended in order. Holds no secret: never a code.</summary>
public sealed class UserEvent
{
    public long Id { get; set; }

    public long UserId { get; set; }

    public long OrganizationId { get; set; }

    /// <summary>Counts per user from 1; unique with <see cref="UserId"/>.</summary>
    public long Sequence { get; set; }

    public required string Type { get; set; }

    public DateTimeOffset OccurredAt { get; set; }

    /// <summary>Subject of the staff member or API client that made the change.</summary>
    public required string ActorSubject { get; set; }

    /// <summary>The OAuth client the actor used.</summary>
    public string? ActorClient { get; set; }

    /// <summary>JSON with the event's facts (address, mode, ids).</summary>
    public required string Payload { get; set; }
}

/// <summary>
/// The user's change log: every change to a user, by any feature, appends an event through
/// <see cref="Append"/>, which also moves the user's sequence and change date.
/// </summary>
public static class UserEventLog
{
    public const string UserCreated = "user.created";

    private static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>
    /// Stages the next event of a tracked <paramref name="user"/>: bumps its sequence (a concurrency
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

/// <summary>The event types features append, for filters; each feature adds its own at start-up.</summary>
public sealed class UserEventTypes
{
    public List<string> Names { get; } = [UserEventLog.UserCreated];
}
