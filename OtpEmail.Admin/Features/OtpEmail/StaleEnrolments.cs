using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Features.OtpEmail;

/// <summary>A pending authenticator whose code ran out (or was used up) before anyone verified it.</summary>
public sealed record StaleEnrolment(
    string UserId, string UserName, long OrganizationId, string OtpEmailId, string Address, DateTimeOffset AddedAt, DateTimeOffset? CodeExpiredAt);

/// <summary>A page of stale enrolments; <see cref="Total"/> is exact up to <see cref="StaleEnrolments.MaxTotal"/>.</summary>
public sealed record StalePage(IReadOnlyList<StaleEnrolment> Rows, int Total)
{
    public bool TotalIsExact => Total <= StaleEnrolments.MaxTotal;
}

/// <summary>What one resend from the list did: null <see cref="Refusal"/> means a new code went out.</summary>
public sealed record StaleResend(StaleEnrolment Enrolment, AppError? Refusal);

/// <summary>
/// The enrolments that stalled, newest first, in the organizations the caller may see, and a new code
/// for some of them: each through the resend operation, with its rate limits and its refusals.
/// </summary>
public sealed class StaleEnrolments(IDbContextFactory<AppDbContext> dbs, ResendOtpEmailCodeHandler resender, TimeProvider time)
{
    /// <summary>Counted exactly up to here, like a search's total: past it, counting would read them all.</summary>
    public const int MaxTotal = 10_000;

    public const int MaxPageSize = 200;

    public async Task<Result<StalePage>> PageAsync(Caller caller, int skip, int take, CancellationToken cancellationToken)
    {
        if (UserAccess.RequirePermission(caller, Permissions.UserRead) is { } denied)
        {
            return denied;
        }

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var rows = await Rows(db, caller, now).Skip(Math.Max(0, skip)).Take(Math.Clamp(take, 1, MaxPageSize)).ToListAsync(cancellationToken);
        var total = caller.Organizations is null
            ? await Stale(db, now).OrderByDescending(a => a.Id).Take(MaxTotal + 1).CountAsync(cancellationToken) // no user to look at: the index alone
            : await Rows(db, caller, now).Take(MaxTotal + 1).CountAsync(cancellationToken);
        return new StalePage(rows, total);
    }

    /// <summary>Every stale enrolment the caller may see, newest first, read a page at a time (for the export).</summary>
    public async IAsyncEnumerable<StaleEnrolment> AllAsync(Caller caller, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (UserAccess.RequirePermission(caller, Permissions.UserRead) is not null)
        {
            yield break;
        }

        var now = time.GetUtcNow();
        var before = long.MaxValue;
        while (true)
        {
            await using var db = await dbs.CreateDbContextAsync(cancellationToken);
            var after = before;
            var page = await Rows(db, caller, now, after).Take(1000).ToListAsync(cancellationToken);
            foreach (var row in page)
            {
                yield return row;
            }

            if (page.Count < 1000)
            {
                yield break;
            }

            before = long.Parse(page[^1].OtpEmailId, System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>A new code by email for each chosen enrolment, one after another, each within its own limits.</summary>
    public async Task<IReadOnlyList<StaleResend>> ResendAsync(Caller caller, IReadOnlyList<StaleEnrolment> chosen, CancellationToken cancellationToken)
    {
        var outcomes = new List<StaleResend>(chosen.Count);
        foreach (var enrolment in chosen)
        {
            var resent = await resender.HandleAsync(caller, enrolment.UserId, enrolment.OtpEmailId, ResendOtpEmailCodeRequest.For(VerificationMode.SendCode), cancellationToken);
            outcomes.Add(new StaleResend(enrolment, resent.IsSuccess ? null : resent.Error));
        }

        return outcomes;
    }

    // Pending, and its code no longer works: expired, or used up by wrong tries (then it has none).
    private static IQueryable<OtpEmailAuthenticator> Stale(AppDbContext db, DateTimeOffset now, long before = long.MaxValue) =>
        db.OtpEmails.AsNoTracking().Where(a => a.State == OtpEmailState.Pending && a.Id < before && (a.CodeExpiresAt == null || a.CodeExpiresAt <= now));

    private static IQueryable<StaleEnrolment> Rows(AppDbContext db, Caller caller, DateTimeOffset now, long before = long.MaxValue)
    {
        var users = db.Users.AsNoTracking().Where(UserAccess.Live);
        if (caller.Organizations is { } allowed)
        {
            users = users.Where(u => allowed.Contains(u.OrganizationId));
        }

        return Stale(db, now, before)
            .Join(users, a => a.UserId, u => u.Id, (a, u) => new { a.Id, a.Address, a.CreatedAt, a.CodeExpiresAt, u.DisplayName, u.OrganizationId, UserId = u.Id })
            .OrderByDescending(r => r.Id) // ids follow time: newest first
            .Select(r => new StaleEnrolment(r.UserId.ToString(), r.DisplayName, r.OrganizationId, r.Id.ToString(), r.Address, r.CreatedAt, r.CodeExpiresAt));
    }
}
