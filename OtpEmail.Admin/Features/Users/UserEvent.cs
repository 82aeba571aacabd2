using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Features.Users;

/// <summary>One change to a user, appended in order. Holds no secret: never a code.</summary>
public sealed class UserEvent
{
    public long Id { get; set; }

    public long UserId { get; set; }

    public long OrganizationId { get; set; }

    /// <summary>Counts per user from 1; unique with <see cref="UserId"/>.</summary>
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
/// The user's change log, and the user's version: every change to a user or to what it owns (its
/// authenticators), by any feature, appends an event through <see cref="AppendAsync"/>, numbered from
/// 1 per user. The unique index on (user, sequence) is the user's optimistic lock: two writers that
/// read the same state both take the same next number, and only one of them can commit.
/// </summary>
public sealed class UserEventLog(IdGenerator ids)
{
    public const string UserCreated = "user.created";

    private static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly PreparedInsert<UserEvent> Insert = new();

    private static readonly CompiledQuery<Func<AppDbContext, long, CancellationToken, Task<long?>>> LastStored = new(() => EF.CompileAsyncQuery(
        (AppDbContext db, long userId, CancellationToken _) => db.Set<UserEvent>().Where(e => e.UserId == userId).Max(e => (long?)e.Sequence)));

    /// <summary>
    /// Stages the next event of <paramref name="user"/>, after those stored and those already staged on
    /// <paramref name="db"/>. The payload must hold no secret.
    /// </summary>
    public async Task<UserEvent> AppendAsync(
        AppDbContext db, User user, string type, Caller actor, object payload, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var entry = Next(db, user, await LastStored.For(db)(db, user.Id, cancellationToken), type, actor, payload, now);
        db.UserEvents.Add(entry);
        return entry;
    }

    /// <summary>
    /// Stores the next event of <paramref name="user"/> at once, in the context's transaction (see
    /// <see cref="PreparedInsert{TEntity}"/>), for a caller whose query read the sequence of the user's
    /// last stored event along with the user (null: none), saving round trips on a hot path.
    /// </summary>
    public async Task<UserEvent> InsertAsync(
        AppDbContext db, User user, long? lastStored, string type, Caller actor, object payload, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var entry = Next(db, user, lastStored, type, actor, payload, now);
        await Insert.ExecuteAsync(db, entry, cancellationToken);
        return entry;
    }

    /// <summary>The contract's <c>Details</c> of each user's last change (users without events are left out).</summary>
    public static async Task<Dictionary<long, Details>> LastChangesAsync(AppDbContext db, IReadOnlyCollection<long> userIds, CancellationToken cancellationToken) =>
        await db.Set<UserEvent>().AsNoTracking()
            .Where(e => userIds.Contains(e.UserId)
                && e.Sequence == db.Set<UserEvent>().Where(last => last.UserId == e.UserId).Max(last => last.Sequence))
            .ToDictionaryAsync(e => e.UserId, e => e.Details(), cancellationToken);

    // After the last stored and the last staged on the context (events of this user staged earlier in the same batch).
    private UserEvent Next(AppDbContext db, User user, long? lastStored, string type, Caller actor, object payload, DateTimeOffset now)
    {
        var last = lastStored ?? 0;
        foreach (var entry in db.ChangeTracker.Entries<UserEvent>())
        {
            if (entry.State == EntityState.Added && entry.Entity.UserId == user.Id)
            {
                last = Math.Max(last, entry.Entity.Sequence);
            }
        }

        return new UserEvent
        {
            Id = ids.Next(), // made here, so that saving an event needs no round trip for its key
            UserId = user.Id,
            OrganizationId = user.OrganizationId,
            Sequence = last + 1,
            Type = type,
            OccurredAt = now,
            ActorSubject = actor.Subject,
            ActorClient = actor.ClientId,
            Payload = JsonSerializer.Serialize(payload, PayloadJson),
        };
    }
}

/// <summary>The event types features append, for filters; each feature adds its own at start-up.</summary>
public sealed class UserEventTypes
{
    public List<string> Names { get; } = [UserEventLog.UserCreated];
}
