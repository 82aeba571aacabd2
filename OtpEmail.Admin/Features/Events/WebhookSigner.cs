using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure.Data;
using OtpEmail.Admin.Infrastructure.Json;

namespace OtpEmail.Admin.Features.Events;

/// <summary>
/// What a delivery sends: its body, rendered from the stored event (the same at every try), and its
/// Standard Webhooks headers, signed with the endpoint's secret and, for a day after a rotation, the
/// previous one too.
/// </summary>
public sealed class WebhookSigner(IDataProtectionProvider dataProtection)
{
    internal const string Purpose = "OtpEmail.Admin.Webhooks.v1";

    /// <summary>The type of the event "send test event" sends; not among the published types, so never in the feed.</summary>
    public const string TestType = "webhook.test";

    private static readonly JsonSerializerOptions BodyJson = Json();

    private readonly IDataProtector _secrets = dataProtection.CreateProtector(Purpose);

    public static string MessageId(WebhookDelivery delivery) => $"msg_{DecimalId.Format(delivery.MessageId)}";

    /// <summary>The body of <paramref name="delivery"/>; null when its event is gone.</summary>
    public static async Task<string?> BodyAsync(AppDbContext db, WebhookDelivery delivery, WebhookEndpoint endpoint, CancellationToken cancellationToken)
    {
        if (delivery.EventId is not { } eventId)
        {
            var test = new FeedEvent(DecimalId.Format(delivery.MessageId), TestType, delivery.CreatedAt, DecimalId.Format(endpoint.OrganizationId), null, null,
                "system:webhooks", 0, new JsonObject { ["webhookId"] = DecimalId.Format(endpoint.Id) }, null);
            return JsonSerializer.Serialize(test, BodyJson);
        }

        var stored = await db.Set<UserEvent>().AsNoTracking().FirstOrDefaultAsync(e => e.Id == eventId, cancellationToken);
        return stored is null ? null : JsonSerializer.Serialize(EventTypes.ToFeedEvent(stored, null), BodyJson);
    }

    /// <summary>The three headers of one try at <paramref name="now"/>.</summary>
    public IReadOnlyList<(string Name, string Value)> Headers(WebhookEndpoint endpoint, WebhookDelivery delivery, string body, DateTimeOffset now)
    {
        var secrets = new List<string> { _secrets.Unprotect(endpoint.ProtectedSecret) };
        if (endpoint.ProtectedPreviousSecret is { } previous && endpoint.PreviousSecretUntil > now)
        {
            secrets.Add(_secrets.Unprotect(previous));
        }

        var id = MessageId(delivery);
        return
        [
            (WebhookSignature.IdHeader, id),
            (WebhookSignature.TimestampHeader, now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)),
            (WebhookSignature.SignatureHeader, WebhookSignature.Sign(secrets, id, now, body)),
        ];
    }

    private static JsonSerializerOptions Json()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        ApiJson.Configure(options);
        return options;
    }
}
