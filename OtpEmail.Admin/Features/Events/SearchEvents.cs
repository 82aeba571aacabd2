using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Features.Events;

// POST /v3alpha/events/_search · the event feed.

public sealed record SearchEventsRequest
{
    public string? AfterPosition { get; init; }

    public IReadOnlyList<string>? Types { get; init; }

    public string? OrganizationId { get; init; }

    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public int? Limit { get; init; }
}

public sealed record SearchEventsResponse(IReadOnlyList<FeedEvent> Events, string NextPosition);

/// <summary>
/// The event feed: the caller's organizations' published events, oldest first, after a position.
/// A reader that asks again with <c>nextPosition</c> never misses an event and never sees one twice
/// (see <see cref="FeedPositions"/> and docs/design.md).
/// </summary>
public sealed class SearchEventsHandler(IDbContextFactory<AppDbContext> dbs)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public async Task<Result<SearchEventsResponse>> HandleAsync(Caller caller, SearchEventsRequest request, CancellationToken cancellationToken)
    {
        if (UserAccess.RequirePermission(caller, Permissions.UserRead) is { } denied)
        {
            return denied;
        }

        if (request.Limit is < 0 or > MaxLimit)
        {
            return AppError.Invalid("EVENTS-LIMIT", $"limit must be 0–{MaxLimit} (0 means the default, {DefaultLimit})", "limit");
        }

        if (!FeedPosition.TryParse(request.AfterPosition, out var after))
        {
            return AppError.Invalid("EVENTS-POSITION", "afterPosition must be a nextPosition the feed answered", "afterPosition");
        }

        if (request.Types?.FirstOrDefault(t => !EventTypes.All.Contains(t, StringComparer.Ordinal)) is { } unknown)
        {
            return AppError.Invalid("EVENTS-TYPE", $"Unknown event type '{unknown}'; known: {string.Join(", ", EventTypes.All)}", "types");
        }

        var organizations = caller.Organizations is { } allowed ? allowed.ToArray() : null;
        if (!string.IsNullOrEmpty(request.OrganizationId))
        {
            if (!DecimalId.TryParse(request.OrganizationId, out var organization))
            {
                return AppError.Invalid("EVENTS-ORGANIZATION", "organizationId must be an organization id", "organizationId");
            }

            if (!caller.CanActOn(organization))
            {
                return AppError.Denied("EVENTS-ORGANIZATION-DENIED", "The caller may not read this organization's events");
            }

            organizations = [organization];
        }

        var types = EventTypes.StoredTypes(request.Types is { Count: > 0 } chosen ? chosen : null);
        var limit = request.Limit is null or 0 ? DefaultLimit : request.Limit.Value;
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var rows = await FeedPositions.ReadAsync(db, after, types, organizations, limit, cancellationToken);
        var events = rows.Select(r => EventTypes.ToFeedEvent(r.Event, r.Position.ToString())).ToList();
        return new SearchEventsResponse(events, (rows.Count > 0 ? rows[^1].Position : after).ToString());
    }
}

/// <summary>
/// A place in the feed: the writing transaction's id (PostgreSQL's <c>xid8</c>; 0 on SQLite) and the
/// event's id. Written <c>transaction.id</c>; readers treat it as opaque.
/// </summary>
public readonly record struct FeedPosition(long Transaction, long EventId)
{
    public static readonly FeedPosition Start = new(0, 0);

    public static bool TryParse(string? text, out FeedPosition position)
    {
        position = Start;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        var parts = text.Split('.');
        if (parts.Length == 2
            && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var transaction)
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var eventId))
        {
            position = new FeedPosition(transaction, eventId);
            return true;
        }

        return false;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Transaction}.{EventId}");
}
