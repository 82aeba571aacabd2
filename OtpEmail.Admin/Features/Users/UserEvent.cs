using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Features.Users;

/// <summary>
/// One change to a user, or to an organization's settings (then without a user), appended in order.
/// Holds no secret: never a code.
/// </summary>
public sealed class UserEvent
{
    public long Id { get; set; }

    /// <summary>The user changed; null for a change to the organization itself (its mail texts, say).</summary>
    public long? UserId { get; set; }

    public long OrganizationId { get; set; }

    /// <summary>Counts per user from 1, unique with <see cref="UserId"/>; for an organization's own changes, per organization.</summary>
    public long Sequence { get; set; }

    public required string Type { get; set; }

    public DateTimeOffset OccurredAt { get; set; }

    /// <summary>Subject of the staff member or API client that made the change.</summary>
    public required string ActorSubject { get; set; }

    /// <summary>The OAuth client the actor used.</summary>
    public string? ActorClient { get; set; }

    /// <summary>JSON with the event's facts (address, mode, ids).</summary>
    public required string Payload { get; set; }

    /// <summary>The contract's <c>Details</c> of the change this event records.</summary>
    public Details Details() => new(Sequence, OccurredAt, DecimalId.Format(OrganizationId));
}

/// <summary>
/// Told of each event as it is stored, in the same unit of work, so that what must go with the event
/// (a webhook delivery) is committed with it or not at all. Stages only, never saves.
/// </summary>
public interface IUserEventFollower
{
    Task AppendedAsync(AppDbContext db, UserEvent appended, CancellationToken cancellationToken);
}

/// <summary>
/// The user's change log, and the user's version: every change to a user or to what it owns, by any
/// feature, appends an event through <see cref="AppendAsync"/>, numbered from 1 per user. The unique
/// index on (user, sequence) is the user's optimistic lock: of two writers that read the same state
/// and take the same next number, only one can commit.
/// </summary>
public sealed class UserEventLog(IdGenerator ids, IEnumerable<IUserEventFollower> followers)
{
    public const string UserCreated = "user.created";

    private static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly PreparedInsert<UserEvent> Insert = new();

    private readonly IUserEventFollower[] _followers = [.. followers];

    private static readonly CompiledQuery<Func<AppDbContext, long, CancellationToken, Task<long?>>> LastStored = new(() => EF.CompileAsyncQuery(
        (AppDbContext db, long userId, CancellationToken _) => db.Set<UserEvent>().Where(e => e.UserId == userId).Max(e => (long?)e.Sequence)));

    /// <summary>
    /// Stores the next event of <paramref name="user"/> (whose row is stored) at once, in the context's
    /// transaction (see <see cref="PreparedInsert{TEntity}"/>), so that later reads of the same write or
    /// batch see it. <paramref name="lastSequence"/> is the sequence of the user's last event when the
    /// caller read it along with the user (0: none), saving a round trip; null: it is read here. The
    /// payload must hold no secret.
    /// </summary>
    public async Task<UserEvent> AppendAsync(
        AppDbContext db, User user, string type, Caller actor, object payload, DateTimeOffset now, CancellationToken cancellationToken, long? lastSequence = null)
    {
        var last = lastSequence ?? await LastStored.For(db)(db, user.Id, cancellationToken) ?? 0;
        return await StoreAsync(db, user.Id, user.OrganizationId, last + 1, type, actor, payload, now, cancellationToken);
    }

    /// <summary>
    /// Stores the next change to the organization's own settings, numbered per organization; a unique
    /// index on (organization, sequence) of such events is its optimistic lock, as a user's is.
    /// </summary>
    public async Task<UserEvent> AppendForOrganizationAsync(
        AppDbContext db, long organizationId, string type, Caller actor, object payload, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var last = await db.Set<UserEvent>().Where(e => e.UserId == null && e.OrganizationId == organizationId).MaxAsync(e => (long?)e.Sequence, cancellationToken) ?? 0;
        return await StoreAsync(db, null, organizationId, last + 1, type, actor, payload, now, cancellationToken);
    }

    private async Task<UserEvent> StoreAsync(
        AppDbContext db, long? userId, long organizationId, long sequence, string type, Caller actor, object payload, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var entry = new UserEvent
        {
            Id = ids.Next(), // made here, so that storing an event needs no round trip for its key
            UserId = userId,
            OrganizationId = organizationId,
            Sequence = sequence,
            Type = type,
            OccurredAt = now,
            ActorSubject = actor.Subject,
            ActorClient = actor.ClientId,
            Payload = JsonSerializer.Serialize(payload, PayloadJson),
        };
        await Insert.ExecuteAsync(db, entry, cancellationToken);
        foreach (var follower in _followers)
        {
            await follower.AppendedAsync(db, entry, cancellationToken);
        }

        return entry;
    }

    /// <summary>The contract's <c>Details</c> of each user's last change (users without events are left out).</summary>
    public static async Task<Dictionary<long, Details>> LastChangesAsync(AppDbContext db, IReadOnlyCollection<long> userIds, CancellationToken cancellationToken) =>
        await db.Set<UserEvent>().AsNoTracking()
            .Where(e => e.UserId != null && userIds.Contains(e.UserId.Value)
                && e.Sequence == db.Set<UserEvent>().Where(last => last.UserId == e.UserId).Max(last => last.Sequence))
            .ToDictionaryAsync(e => e.UserId!.Value, e => e.Details(), cancellationToken);
}
