using System.ComponentModel.DataAnnotations;

namespace OtpEmail.Admin.Features.Events;

/// <summary><c>Webhooks:*</c>: how deliveries go out.</summary>
public sealed class WebhookSettings : IValidatableObject
{
    public const string Section = "Webhooks";

    /// <summary>How often the dispatcher looks for due deliveries when nothing wakes it (events do not: they are queued inside other writes).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a receiver has to answer a delivery before it counts as failed (and is retried).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a delivery is retried after its event; then it is failed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan RetryFor { get; set; } = TimeSpan.FromHours(24);

    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(10);

    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>An endpoint whose deliveries have all failed for this long is turned off, with an event of its organization.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan DisableAfterFailingFor { get; set; } = TimeSpan.FromDays(5);

    [Range(1, 1000)]
    public int BatchSize { get; set; } = 20;

    /// <summary>Deliveries of one round sent at once.</summary>
    [Range(1, 64)]
    public int Concurrency { get; set; } = 8;

    /// <summary>How long a round holds its deliveries (see <c>Mail:ClaimLease</c>); longer than a round's sends take.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromMinutes(2);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // A round starts no send after half its lease, and a send takes at most Timeout: it must end before the lease does.
        if (Timeout >= ClaimLease / 2)
        {
            yield return new ValidationResult("Setting 'Webhooks:Timeout' must be under half of 'Webhooks:ClaimLease'.", [nameof(Timeout)]);
        }
    }
}
