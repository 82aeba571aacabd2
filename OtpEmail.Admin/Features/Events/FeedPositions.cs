using System.Globalization;
using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Features.Events;

/// <summary>
/// Reads the feed in an order no later commit can reach behind. On PostgreSQL each event row holds the
/// id of the transaction that wrote it (column <c>TransactionId</c>, <c>xid8</c>, defaulting to
/// <c>pg_current_xact_id()</c>; made by the <c>EventFeed</c> migration, outside the EF model) and the
/// feed is ordered by (transaction, id) and shows only rows of transactions older than the oldest one
/// still running (<c>pg_snapshot_xmin</c>): every transaction that can still commit has a larger id
/// than any row handed out. SQLite has one writer, which numbers events as it commits them: id order
/// is commit order there.
/// </summary>
public static class FeedPositions
{
    private const string PostgresFeed = """
        SELECT e."Id", e."TransactionId"::text::bigint AS "Transaction", e."UserId", e."OrganizationId", e."Sequence",
               e."Type", e."OccurredAt", e."ActorSubject", e."ActorClient", e."Payload"
        FROM "UserEvents" e
        WHERE e."TransactionId" < pg_snapshot_xmin(pg_current_snapshot())
          AND (e."TransactionId", e."Id") > ({0}::text::xid8, {1})
          AND e."Type" = ANY({2})
          {3}
        ORDER BY e."TransactionId", e."Id"
        LIMIT {4}
        """;

    public static async Task<IReadOnlyList<(UserEvent Event, FeedPosition Position)>> ReadAsync(
        AppDbContext db, FeedPosition after, string[] types, long[]? organizations, int limit, CancellationToken cancellationToken)
    {
        if (db is PostgresDbContext)
        {
            object[] arguments = [after.Transaction.ToString(CultureInfo.InvariantCulture), after.EventId, types, organizations ?? [], limit];
            var sql = PostgresFeed.Replace("{3}", organizations is null ? "" : "AND e.\"OrganizationId\" = ANY({3})", StringComparison.Ordinal);
            var rows = await db.Database.SqlQueryRaw<FeedRow>(sql, arguments).ToListAsync(cancellationToken);
            return [.. rows.Select(r => (r.ToEvent(), new FeedPosition(r.Transaction, r.Id)))];
        }

        var events = db.UserEvents.AsNoTracking().Where(e => e.Id > after.EventId && types.Contains(e.Type));
        if (organizations is not null)
        {
            events = events.Where(e => organizations.Contains(e.OrganizationId));
        }

        var stored = await events.OrderBy(e => e.Id).Take(limit).ToListAsync(cancellationToken);
        return [.. stored.Select(e => (e, new FeedPosition(0, e.Id)))];
    }

    private sealed class FeedRow
    {
        public long Id { get; init; }

        public long Transaction { get; init; }

        public long? UserId { get; init; }

        public long OrganizationId { get; init; }

        public long Sequence { get; init; }

        public required string Type { get; init; }

        public long OccurredAt { get; init; }

        public required string ActorSubject { get; init; }

        public string? ActorClient { get; init; }

        public required string Payload { get; init; }

        public UserEvent ToEvent() => new()
        {
            Id = Id,
            UserId = UserId,
            OrganizationId = OrganizationId,
            Sequence = Sequence,
            Type = Type,
            OccurredAt = DateTimeOffset.FromUnixTimeMilliseconds(OccurredAt),
            ActorSubject = ActorSubject,
            ActorClient = ActorClient,
            Payload = Payload,
        };
    }
}
