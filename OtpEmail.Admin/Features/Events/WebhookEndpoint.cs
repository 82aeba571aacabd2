using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Features.Events;

/// <summary>
/// A receiver of an organization's events: its URL, the event types it wants (null: all), and its
/// signing secrets, encrypted at rest (a signer needs them back, so a hash would not do).
/// </summary>
public sealed class WebhookEndpoint
{
    public long Id { get; set; }

    public long OrganizationId { get; set; }

    public required string Url { get; set; }

    /// <summary>The published types wanted, as <c>,type,type,</c> (matched in SQL by the fan-out); null: every type.</summary>
    public string? EventTypes { get; set; }

    public bool Enabled { get; set; } = true;

    /// <summary>Why the endpoint was turned off by the app (it failed for days), if it was.</summary>
    public string? DisabledReason { get; set; }

    /// <summary>The signing secret (<c>whsec_…</c>), protected with ASP.NET Core Data Protection.</summary>
    public required string ProtectedSecret { get; set; }

    /// <summary>The secret before the last rotation, which also signs until <see cref="PreviousSecretUntil"/>.</summary>
    public string? ProtectedPreviousSecret { get; set; }

    public DateTimeOffset? PreviousSecretUntil { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public required string CreatedBy { get; set; }

    /// <summary>When the current run of failed deliveries began; null while the last delivery succeeded.</summary>
    public DateTimeOffset? FailingSince { get; set; }
}

public enum WebhookDeliveryStatus
{
    Pending = 1,
    Delivered = 2,
    Failed = 3,
}

/// <summary>
/// One event (or test event) on its way to one endpoint, queued in the same commit as the event and
/// sent at least once, always as the same message (<c>webhook-id</c>: <c>msg_</c> + <see cref="MessageId"/>).
/// Holds no body: it is rendered from the event at each try, the same each time.
/// </summary>
public sealed class WebhookDelivery : IQueuedWork
{
    public long Id { get; set; }

    public long EndpointId { get; set; }

    /// <summary>The event's id, or for a test event one of its own.</summary>
    public long MessageId { get; set; }

    /// <summary>The stored event delivered; null for a test event.</summary>
    public long? EventId { get; set; }

    public WebhookDeliveryStatus Status { get; set; } = WebhookDeliveryStatus.Pending;

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    /// <summary>Retries stop here (24 hours after the event); the delivery is failed.</summary>
    public DateTimeOffset ExpiresAt { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset? LastAttemptAt { get; set; }

    /// <summary>The receiver's HTTP status at the last try; null when none answered.</summary>
    public int? LastStatusCode { get; set; }

    public int? LastDurationMs { get; set; }

    public string? LastError { get; set; }

    public long? ClaimToken { get; set; }

    public DateTimeOffset? ClaimedUntil { get; set; }
}
