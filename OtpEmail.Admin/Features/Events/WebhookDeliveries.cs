using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Features.Events;

/// <summary>A delivery as the page and the API show it: never its body or its signature.</summary>
public sealed record WebhookDeliveryView(
    string Id, string MessageId, string EventType, string? EventId, string State, DateTimeOffset CreatedAt, int Attempts, DateTimeOffset? LastAttemptAt,
    int? StatusCode, int? DurationMs, string? LastError, DateTimeOffset? NextAttemptAt);

public sealed record ListWebhookDeliveriesResponse(IReadOnlyList<WebhookDeliveryView> Deliveries);

public sealed record WebhookDeliveryQueued(string DeliveryId, string MessageId);

/// <summary>
/// An endpoint's recent deliveries, "send test event" (a <see cref="WebhookSigner.TestType"/> event
/// through the same queue) and "redeliver" (the same message again, with a fresh day of retries).
/// </summary>
public sealed class WebhookDeliveries(
    IDbContextFactory<AppDbContext> dbs, DbWriter writer, IdGenerator ids, WebhookQueue queue, IOptions<WebhookSettings> settings, TimeProvider time)
{
    public const int Recent = 50;

    public static AppError DeliveryNotFound { get; } = AppError.NotFound("WEBHOOK-DELIVERY-NOTFOUND", "Webhook delivery could not be found");

    public static AppError StillPending { get; } =
        AppError.Precondition("WEBHOOK-DELIVERY-PENDING", "The delivery is still being tried; redeliver it once it is delivered or failed");

    public async Task<Result<ListWebhookDeliveriesResponse>> ListAsync(Caller caller, string webhookId, CancellationToken cancellationToken)
    {
        if (UserAccess.RequirePermission(caller, Permissions.UserRead) is { } denied)
        {
            return denied;
        }

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        if (await EndpointAsync(db, caller, webhookId, cancellationToken) is not { } endpoint)
        {
            return Webhooks.NotFound;
        }

        var rows = await (
            from delivery in db.WebhookDeliveries.AsNoTracking()
            where delivery.EndpointId == endpoint.Id
            orderby delivery.Id descending
            select new { Delivery = delivery, Type = db.Set<UserEvent>().Where(e => e.Id == delivery.EventId).Select(e => e.Type).FirstOrDefault() })
            .Take(Recent).ToListAsync(cancellationToken);
        return new ListWebhookDeliveriesResponse([.. rows.Select(r => View(r.Delivery, r.Type))]);
    }

    public async Task<Result<WebhookDeliveryQueued>> SendTestAsync(Caller caller, string webhookId, CancellationToken cancellationToken)
    {
        if (UserAccess.RequirePermission(caller, Permissions.OrgWrite) is { } denied)
        {
            return denied;
        }

        var queued = await writer.WriteAsync<WebhookDelivery>(async (db, ct) =>
        {
            if (await EndpointAsync(db, caller, webhookId, ct) is not { } endpoint)
            {
                return Webhooks.NotFound;
            }

            var now = time.GetUtcNow();
            var delivery = new WebhookDelivery
            {
                EndpointId = endpoint.Id,
                MessageId = ids.Next(),
                CreatedAt = now,
                NextAttemptAt = now,
                ExpiresAt = now + settings.Value.RetryFor,
            };
            db.WebhookDeliveries.Add(delivery);
            return delivery;
        }, cancellationToken);
        return Queued(queued);
    }

    /// <summary>Sends a delivery's message again (same <c>webhook-id</c>), with a fresh day of retries.</summary>
    public async Task<Result<WebhookDeliveryQueued>> RedeliverAsync(Caller caller, string webhookId, string deliveryId, CancellationToken cancellationToken)
    {
        if (UserAccess.RequirePermission(caller, Permissions.OrgWrite) is { } denied)
        {
            return denied;
        }

        if (!DecimalId.TryParse(deliveryId, out var id))
        {
            return DeliveryNotFound;
        }

        var queued = await writer.WriteAsync<WebhookDelivery>(async (db, ct) =>
        {
            if (await EndpointAsync(db, caller, webhookId, ct) is not { } endpoint)
            {
                return Webhooks.NotFound;
            }

            var delivery = await db.WebhookDeliveries.FirstOrDefaultAsync(d => d.Id == id && d.EndpointId == endpoint.Id, ct);
            if (delivery is null)
            {
                return DeliveryNotFound;
            }

            if (delivery.Status == WebhookDeliveryStatus.Pending)
            {
                return StillPending; // it goes anyway, and may be on its way right now
            }

            var now = time.GetUtcNow();
            (delivery.Status, delivery.NextAttemptAt, delivery.ExpiresAt) = (WebhookDeliveryStatus.Pending, now, now + settings.Value.RetryFor);
            (delivery.ClaimToken, delivery.ClaimedUntil) = (null, null);
            return delivery;
        }, cancellationToken);
        return Queued(queued);
    }

    private Result<WebhookDeliveryQueued> Queued(Result<WebhookDelivery> queued)
    {
        if (!queued.IsSuccess)
        {
            return queued.Error;
        }

        queue.Queue.Notify();
        return new WebhookDeliveryQueued(DecimalId.Format(queued.Value.Id), WebhookSigner.MessageId(queued.Value));
    }

    private static async Task<WebhookEndpoint?> EndpointAsync(AppDbContext db, Caller caller, string webhookId, CancellationToken cancellationToken)
    {
        var endpoint = DecimalId.TryParse(webhookId, out var id) ? await db.WebhookEndpoints.AsNoTracking().FirstOrDefaultAsync(e => e.Id == id, cancellationToken) : null;
        return endpoint is not null && caller.CanActOn(endpoint.OrganizationId) ? endpoint : null;
    }

    private static WebhookDeliveryView View(WebhookDelivery d, string? storedType) => new(
        DecimalId.Format(d.Id),
        WebhookSigner.MessageId(d),
        d.EventId is null ? WebhookSigner.TestType : storedType is null ? "unknown" : EventTypes.PublishedType(storedType) ?? storedType,
        d.EventId is { } eventId ? DecimalId.Format(eventId) : null,
        d.Status switch { WebhookDeliveryStatus.Pending => "pending", WebhookDeliveryStatus.Delivered => "delivered", _ => "failed" },
        d.CreatedAt,
        d.Attempts,
        d.LastAttemptAt,
        d.LastStatusCode,
        d.LastDurationMs,
        d.LastError,
        d.Status == WebhookDeliveryStatus.Pending ? d.NextAttemptAt : null);
}
