namespace OtpEmail.Admin.Features.Audit;

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
