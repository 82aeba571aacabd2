using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Infrastructure.Idempotency;

/// <summary>Who sent which key with which request (see <see cref="IdempotencyKey"/>).</summary>
public sealed record IdempotentRequest(string Caller, string Key, string Hash);

public enum ClaimOutcome
{
    /// <summary>The key is this request's now: run it, then <see cref="IdempotencyStore.CompleteAsync"/> or <see cref="IdempotencyStore.ReleaseAsync"/>.</summary>
    Claimed,

    /// <summary>The same request was answered before: send <see cref="Claim.Answer"/> again.</summary>
    Replay,

    /// <summary>The key was used for another request.</summary>
    Reused,

    /// <summary>The first request with the key is still running.</summary>
    InProgress,
}

/// <summary>An answer to keep: when <paramref name="BodyWithoutCode"/> is set, <paramref name="Body"/> carries a verification code.</summary>
public sealed record IdempotentAnswer(int Status, string? ContentType, byte[] Body, byte[]? BodyWithoutCode = null);

/// <summary>A stored answer to replay; <paramref name="CodeExpired"/> when its code was left out because it is no longer valid.</summary>
public sealed record StoredAnswer(int Status, string? ContentType, byte[] Body, bool CodeExpired);

public readonly record struct Claim(ClaimOutcome Outcome, DateTimeOffset ClaimedAt, StoredAnswer? Answer = null);

/// <summary>
/// The one core of idempotent retries, used by both doors: a key is claimed by inserting its row
/// (unique per caller; a second instance's insert conflicts and reads the row instead), the answer is
/// stored when the request is done, and the row is deleted when it must run again for real.
/// </summary>
public sealed partial class IdempotencyStore(
    DbWriter writer, IDataProtectionProvider protection, IOptions<IdempotencySettings> settings, TimeProvider time, ILogger<IdempotencyStore> logger)
{
    /// <summary>A claim still running after this was left by an instance that stopped mid-request: it is taken over.</summary>
    public static readonly TimeSpan RunningLease = TimeSpan.FromMinutes(2);

    private static readonly TimeSpan CleanUpEvery = TimeSpan.FromMinutes(1);

    private readonly IDataProtector _protector = protection.CreateProtector("OtpEmail.Admin.Idempotency.v1");
    private long _nextCleanUp;

    public async Task<Claim> ClaimAsync(IdempotentRequest request, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds()); // as stored
        await CleanUpIfDueAsync(now);
        var protectedReplay = false;
        var claim = (await writer.WriteAsync<Claim>(async (db, token) =>
        {
            var record = await FindAsync(db, request, token);
            if (record is null)
            {
                record = new IdempotencyRecord { Caller = request.Caller, Key = request.Key, RequestHash = request.Hash };
                db.IdempotencyRecords.Add(record);
                Reset(record, request, now);
                return new Claim(ClaimOutcome.Claimed, now);
            }

            if (record.ExpiresAt <= now || (record.State == IdempotencyState.Running && record.CreatedAt + RunningLease <= now))
            {
                Reset(record, request, now);
                return new Claim(ClaimOutcome.Claimed, now);
            }

            if (!string.Equals(record.RequestHash, request.Hash, StringComparison.Ordinal))
            {
                return new Claim(ClaimOutcome.Reused, now);
            }

            if (record.State == IdempotencyState.Running)
            {
                return new Claim(ClaimOutcome.InProgress, now);
            }

            protectedReplay = record.ProtectedBody is not null && record.CodeValidUntil > now;
            var body = protectedReplay ? record.ProtectedBody! : record.Body ?? [];
            if (!protectedReplay)
            {
                record.ProtectedBody = null; // no longer replayable: erased
            }

            return new Claim(ClaimOutcome.Replay, now, new StoredAnswer(record.Status, record.ContentType, body, CodeExpired: record.CodeValidUntil is not null && !protectedReplay));
        }, cancellationToken)).Value;
        if (claim.Outcome == ClaimOutcome.Replay)
        {
            LogReplay(logger, request.Caller);
            if (protectedReplay)
            {
                return claim with { Answer = claim.Answer! with { Body = _protector.Unprotect(claim.Answer.Body) } };
            }
        }

        return claim;
    }

    /// <summary>Keeps the answer of a claimed request for its retries.</summary>
    public async Task CompleteAsync(IdempotentRequest request, DateTimeOffset claimedAt, IdempotentAnswer answer)
    {
        var protectedBody = answer.BodyWithoutCode is null ? null : _protector.Protect(answer.Body);
        var lifetime = settings.Value.CodeLifetime;
        await writer.WriteAsync<bool>(async (db, token) =>
        {
            var record = await FindAsync(db, request, token);
            if (record is null || record.State != IdempotencyState.Running || record.CreatedAt != claimedAt)
            {
                return false; // taken over meanwhile: that request's answer counts
            }

            record.State = IdempotencyState.Done;
            record.Status = answer.Status;
            record.ContentType = answer.ContentType;
            record.Body = answer.BodyWithoutCode ?? answer.Body;
            record.ProtectedBody = protectedBody;
            record.CodeValidUntil = protectedBody is null ? null : claimedAt + lifetime; // the code was issued after the claim
            return true;
        }, CancellationToken.None);
    }

    /// <summary>Gives the key back (a server error, a timeout): a retry runs for real.</summary>
    public async Task ReleaseAsync(IdempotentRequest request, DateTimeOffset claimedAt) =>
        await writer.WriteAsync<bool>(async (db, token) =>
        {
            var record = await FindAsync(db, request, token);
            if (record is null || record.State != IdempotencyState.Running || record.CreatedAt != claimedAt)
            {
                return false;
            }

            db.IdempotencyRecords.Remove(record);
            return true;
        }, CancellationToken.None);

    /// <summary>Answers kept: successes and refusals (4xx), but not a limit (429), which is over later.</summary>
    public static bool Keeps(int httpStatus) => httpStatus is >= 200 and < 500 and not StatusCodes.Status429TooManyRequests;

    // A stage before this one in the writer's batch may have added the row, not yet saved: look there first.
    private static async Task<IdempotencyRecord?> FindAsync(AppDbContext db, IdempotentRequest request, CancellationToken cancellationToken) =>
        db.IdempotencyRecords.Local.FirstOrDefault(r => r.Caller == request.Caller && r.Key == request.Key)
        ?? await db.IdempotencyRecords.SingleOrDefaultAsync(r => r.Caller == request.Caller && r.Key == request.Key, cancellationToken);

    private void Reset(IdempotencyRecord record, IdempotentRequest request, DateTimeOffset now)
    {
        record.RequestHash = request.Hash;
        record.State = IdempotencyState.Running;
        record.CreatedAt = now;
        record.ExpiresAt = now + settings.Value.IdempotencyKeyLifetime;
        record.Status = 0;
        record.ContentType = null;
        record.Body = null;
        record.ProtectedBody = null;
        record.CodeValidUntil = null;
    }

    // At most once a minute per instance, on the way of a request: expired keys go, expired codes are erased.
    private async Task CleanUpIfDueAsync(DateTimeOffset now)
    {
        var due = Interlocked.Read(ref _nextCleanUp);
        if (now.ToUnixTimeMilliseconds() < due
            || Interlocked.CompareExchange(ref _nextCleanUp, (now + CleanUpEvery).ToUnixTimeMilliseconds(), due) != due)
        {
            return;
        }

        await writer.RunAsync(async db =>
        {
            await db.IdempotencyRecords.Where(r => r.ExpiresAt <= now).ExecuteDeleteAsync();
            await db.IdempotencyRecords.Where(r => r.ProtectedBody != null && r.CodeValidUntil <= now)
                .ExecuteUpdateAsync(set => set.SetProperty(r => r.ProtectedBody, (byte[]?)null));
        }, CancellationToken.None);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Replayed a stored answer for an Idempotency-Key of {Caller}")]
    private static partial void LogReplay(ILogger logger, string caller);
}
