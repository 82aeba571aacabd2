using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Features.Events;

/// <summary>
/// Writes what became of each try on the delivery and its endpoint: delivered (the endpoint's run of
/// failures ends), retried later, or failed for good; an endpoint that has failed for
/// <see cref="WebhookSettings.DisableAfterFailingFor"/> is turned off in the same commit, with an event
/// of its organization. Not cancellable: a try that was made must be recorded.
/// </summary>
public sealed class WebhookOutcomes(DbWriter writer, UserEventLog events, IOptions<WebhookSettings> options, TimeProvider time)
{
    /// <summary>The actor of the app's own changes to an endpoint.</summary>
    public static Caller Dispatcher { get; } = new("system:webhooks", null, new HashSet<string>(), null);

    public Task DeliveredAsync(WebhookDelivery delivery, WebhookAttempt attempt) =>
        writer.WriteAsync<bool>(async (db, ct) =>
        {
            if (await Record(db, delivery, attempt, WebhookDeliveryStatus.Delivered, null, ct) == 0)
            {
                return false; // the round's claim ran out and another took the delivery: its outcome is the other's to write
            }

            await db.WebhookEndpoints.Where(e => e.Id == delivery.EndpointId && e.FailingSince != null)
                .ExecuteUpdateAsync(set => set.SetProperty(e => e.FailingSince, (DateTimeOffset?)null), ct);
            return true;
        }, CancellationToken.None);

    /// <summary>A delivery that will not be tried again, without a try now (its endpoint is off, its day is over).</summary>
    public Task FailedAsync(WebhookDelivery delivery, string reason) =>
        writer.WriteAsync<bool>(async (db, ct) =>
        {
            await Mine(db, delivery)
                .ExecuteUpdateAsync(set => set
                    .SetProperty(d => d.Status, WebhookDeliveryStatus.Failed)
                    .SetProperty(d => d.ClaimedUntil, (DateTimeOffset?)null)
                    .SetProperty(d => d.LastError, reason), ct);
            return true;
        }, CancellationToken.None);

    public Task RetryOrFailAsync(WebhookDelivery delivery, WebhookEndpoint endpoint, WebhookAttempt attempt, DateTimeOffset retryAt) =>
        writer.WriteAsync<bool>(async (db, ct) =>
        {
            var status = retryAt < delivery.ExpiresAt ? WebhookDeliveryStatus.Pending : WebhookDeliveryStatus.Failed;
            if (await Record(db, delivery, attempt, status, retryAt, ct) == 0)
            {
                return false;
            }

            var failing = await db.WebhookEndpoints.FirstOrDefaultAsync(e => e.Id == endpoint.Id, ct);
            if (failing is null)
            {
                return true;
            }

            failing.FailingSince ??= attempt.At;
            if (failing.Enabled && failing.FailingSince <= attempt.At - options.Value.DisableAfterFailingFor)
            {
                failing.Enabled = false;
                failing.DisabledReason = $"Every delivery failed since {failing.FailingSince:u}";
                await events.AppendForOrganizationAsync(db, failing.OrganizationId, Webhooks.Disabled, Dispatcher,
                    new { webhookId = failing.Id, reason = failing.DisabledReason }, time.GetUtcNow(), ct);
            }

            return true;
        }, CancellationToken.None);

    private static Task<int> Record(
        AppDbContext db, WebhookDelivery delivery, WebhookAttempt attempt, WebhookDeliveryStatus status, DateTimeOffset? retryAt, CancellationToken cancellationToken) =>
        Mine(db, delivery)
            .ExecuteUpdateAsync(set => set
                .SetProperty(d => d.Status, status)
                .SetProperty(d => d.Attempts, delivery.Attempts + 1)
                .SetProperty(d => d.LastAttemptAt, attempt.At)
                .SetProperty(d => d.LastStatusCode, attempt.StatusCode)
                .SetProperty(d => d.LastDurationMs, attempt.DurationMs)
                .SetProperty(d => d.LastError, attempt.Error)
                .SetProperty(d => d.NextAttemptAt, d => retryAt ?? d.NextAttemptAt)
                .SetProperty(d => d.ClaimedUntil, (DateTimeOffset?)null), cancellationToken);

    // The delivery as the round that claimed it left it: still pending and still its own.
    private static IQueryable<WebhookDelivery> Mine(AppDbContext db, WebhookDelivery delivery) =>
        db.WebhookDeliveries.Where(d => d.Id == delivery.Id && d.ClaimToken == delivery.ClaimToken && d.Status == WebhookDeliveryStatus.Pending);
}
