using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Infrastructure.Email;

public enum OutboxMailStatus
{
    Pending = 1,
    Sent = 2,
    GivenUp = 3,
}

/// <summary>
/// A mail accepted for delivery, written in the same transaction as the change that caused it.
/// Its body (the template's values) is encrypted with ASP.NET Core Data Protection, rendered at
/// delivery, and cleared once sent or given up.
/// </summary>
public sealed class OutboxMail : IQueuedWork
{
    public long Id { get; set; }

    public required string To { get; set; }

    public required string Subject { get; set; }

    /// <summary>Protected <see cref="MailContent"/>; null once the mail is sent or given up.</summary>
    public string? ProtectedBody { get; set; }

    public OutboxMailStatus Status { get; set; } = OutboxMailStatus.Pending;

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>After this the mail is no use (its code expired) and is given up.</summary>
    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    public int Attempts { get; set; }

    public string? LastError { get; set; }

    public DateTimeOffset? SentAt { get; set; }

    /// <summary>When the relay was last tried (sent, refused or unreachable); null before the first try.</summary>
    public DateTimeOffset? LastAttemptAt { get; set; }

    /// <summary>The relay's last answer line (e.g. <c>250 2.0.0 OK</c>, <c>550 mailbox unavailable</c>); null while none answered.</summary>
    public string? RelayResponse { get; set; }

    /// <summary>The organization the mail is sent for, when it is sent for one: whose figures it counts in.</summary>
    public long? OrganizationId { get; set; }

    public long? ClaimToken { get; set; }

    public DateTimeOffset? ClaimedUntil { get; set; }

    /// <summary>
    /// What the mail is about, in the sender's words (e.g. <c>otp_email:106001633909211136</c>): for
    /// people reading the outbox, and for <see cref="MailOutbox.CancelPendingAsync"/>.
    /// </summary>
    public string? Reference { get; set; }
}
