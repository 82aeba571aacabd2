using System.Collections.Frozen;
using Microsoft.Extensions.Options;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Features.Events;

/// <summary>
/// Queues each published event for every enabled endpoint of its organization that wants its type,
/// in the event's own commit: one <c>INSERT … SELECT</c>, kept prepared, and no read.
/// </summary>
public sealed class WebhookFanOut(IOptions<WebhookSettings> settings) : IUserEventFollower
{
    private static readonly PreparedStatement Queue = new($"""
        INSERT INTO "WebhookDeliveries" ("EndpointId", "MessageId", "EventId", "Status", "Attempts", "CreatedAt", "NextAttemptAt", "ExpiresAt")
        SELECT "Id", @p0, @p0, {(int)WebhookDeliveryStatus.Pending}, 0, @p1, @p1, @p2 FROM "WebhookEndpoints"
        WHERE "OrganizationId" = @p3 AND "Enabled" AND ("EventTypes" IS NULL OR "EventTypes" LIKE '%,' || @p4 || ',%' ESCAPE '!')
        """, 5);

    // Each published type as the LIKE above takes it, made once: "_" and "%" in a type are no wildcards
    // ("!" escapes: the same in SQLite and PostgreSQL, whatever their settings).
    private static readonly FrozenDictionary<string, string> Patterns = EventTypes.All.ToFrozenDictionary(
        type => type,
        type => type.Replace("!", "!!", StringComparison.Ordinal).Replace("%", "!%", StringComparison.Ordinal).Replace("_", "!_", StringComparison.Ordinal),
        StringComparer.Ordinal);

    private readonly long _retryFor = (long)settings.Value.RetryFor.TotalMilliseconds;

    public async Task AppendedAsync(AppDbContext db, UserEvent appended, CancellationToken cancellationToken)
    {
        if (EventTypes.PublishedType(appended.Type) is not { } type)
        {
            return;
        }

        var at = appended.OccurredAt.ToUnixTimeMilliseconds(); // as times are stored (AppDbContext)
        await Queue.ExecuteAsync(db, [appended.Id, at, at + _retryFor, appended.OrganizationId, Patterns[type]], cancellationToken);
    }
}
