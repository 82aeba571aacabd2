using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Features.Audit;

/// <summary>An event as the audit pages list it; <see cref="UserId"/> is null for a change to the organization itself.</summary>
public sealed record EventRow(long Sequence, string? UserId, string? UserName, string Organization, string Type, DateTimeOffset OccurredAt, string Actor, string? Address);

public sealed record EventPage(IReadOnlyList<EventRow> Rows, int Total);

/// <summary>What to narrow the event list to; empty members mean "any".</summary>
public sealed record EventFilter(string? OrganizationId = null, string? Actor = null, string? Type = null);

/// <summary>
/// Reads the users' change log (<see cref="UserEventLog"/>, written by every feature): one user's
/// events, or all of them by organization, actor and type.
/// </summary>
public sealed class AuditService(IDbContextFactory<AppDbContext> dbs)
{
    public const int MaxPageSize = 200;

    /// <summary>A user's events, newest first.</summary>
    public async Task<Result<EventPage>> ForUserAsync(Caller caller, string userId, int skip, int take, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var user = await UserAccess.ReadAsync(db, caller, Permissions.UserRead, userId, cancellationToken);
        if (!user.IsSuccess)
        {
            return user.Error;
        }

        return await PageAsync(db, db.UserEvents.Where(e => e.UserId == user.Value.Id).OrderByDescending(e => e.Sequence), skip, take, cancellationToken);
    }

    /// <summary>All events the caller may see, newest first, narrowed by <paramref name="filter"/>.</summary>
    public async Task<Result<EventPage>> ListAsync(Caller caller, EventFilter filter, int skip, int take, CancellationToken cancellationToken)
    {
        if (UserAccess.RequirePermission(caller, Permissions.UserRead) is { } denied)
        {
            return denied;
        }

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var events = db.UserEvents.AsQueryable();
        if (caller.Organizations is { } allowed)
        {
            events = events.Where(e => allowed.Contains(e.OrganizationId));
        }

        if (!string.IsNullOrEmpty(filter.OrganizationId))
        {
            if (!DecimalId.TryParse(filter.OrganizationId, out var org))
            {
                return AppError.Invalid("AUDIT-ORGANIZATION", "The organization filter must be an organization id");
            }

            events = events.Where(e => e.OrganizationId == org);
        }

        if (!string.IsNullOrWhiteSpace(filter.Actor))
        {
            var actor = filter.Actor.Trim();
            events = events.Where(e => e.ActorSubject == actor || e.ActorClient == actor);
        }

        if (!string.IsNullOrWhiteSpace(filter.Type))
        {
            events = events.Where(e => e.Type == filter.Type);
        }

        return await PageAsync(db, events.OrderByDescending(e => e.Id), skip, take, cancellationToken); // ids follow time
    }

    /// <summary>The organizations the caller may see, for filters.</summary>
    public async Task<IReadOnlyList<Organization>> OrganizationsAsync(Caller caller, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var organizations = await db.Organizations.AsNoTracking().OrderBy(o => o.Name).ToListAsync(cancellationToken);
        return organizations.Where(o => caller.CanActOn(o.Id)).ToList();
    }

    private static async Task<EventPage> PageAsync(AppDbContext db, IQueryable<UserEvent> events, int skip, int take, CancellationToken cancellationToken)
    {
        var total = await events.CountAsync(cancellationToken);
        var rows = await events
            .Skip(Math.Max(0, skip))
            .Take(Math.Clamp(take, 1, MaxPageSize))
            .Select(e => new
            {
                Event = e,
                User = db.Set<User>().Where(u => u.Id == e.UserId).Select(u => u.DisplayName).FirstOrDefault(),
                Organization = db.Set<Organization>().Where(o => o.Id == e.OrganizationId).Select(o => o.Name).First(),
            })
            .AsNoTracking()
            .ToListAsync(cancellationToken);
        return new EventPage(
            rows.Select(r => new EventRow(
                r.Event.Sequence,
                r.Event.UserId is { } userId ? DecimalId.Format(userId) : null,
                r.User,
                r.Organization,
                r.Event.Type,
                r.Event.OccurredAt,
                r.Event.ActorClient is { } client && client != r.Event.ActorSubject ? $"{r.Event.ActorSubject} ({client})" : r.Event.ActorSubject,
                AddressIn(r.Event.Payload))).ToList(),
            total);
    }

    // Payloads hold facts, never codes; the page shows only the address (or, for mail texts, the language).
    private static string? AddressIn(string payload)
    {
        using var json = JsonDocument.Parse(payload);
        return json.RootElement.TryGetProperty("address", out var address) ? address.GetString()
            : json.RootElement.TryGetProperty("email", out var email) ? email.GetString()
            : json.RootElement.TryGetProperty("language", out var language) ? language.GetString()
            : null;
    }
}
