using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.Bulk;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Data;
using OtpEmail.Admin.Infrastructure.Email;

namespace OtpEmail.Admin.Features.Overview;

/// <summary>An organization's enrolment now.</summary>
public sealed record OrganizationEnrolment(long OrganizationId, string Name, long Users, long WithReady, long WithOnlyPending)
{
    public long WithNone => Math.Max(0, Users - WithReady - WithOnlyPending);

    /// <summary>Users with a ready authenticator, in percent of all users.</summary>
    public double Coverage => Users == 0 ? 0 : Math.Round(100.0 * WithReady / Users, 1);
}

/// <summary>Authenticators added, verified and removed on one day (UTC).</summary>
public sealed record DayActivity(DateOnly Day, long Added, long Verified, long Removed);

/// <summary>Verification mail in the last 24 hours, and what waits now.</summary>
public sealed record MailActivity(long Sent, long Retrying, long Failed, TimeSpan OldestWaiting);

public sealed record OverviewFigures(
    IReadOnlyList<OrganizationEnrolment> Organizations, IReadOnlyList<DayActivity> Days, MailActivity Mail, IReadOnlyList<BulkJobRecord> Jobs, TimeSpan ReadIn);

/// <summary>
/// The overview's figures for the organizations the caller may see, from counts kept with every change
/// (<see cref="OrganizationTally"/>) and the outbox's pending mail: a few rows per organization, never a
/// scan of users or authenticators.
/// </summary>
public sealed partial class OverviewService(IDbContextFactory<AppDbContext> dbs, BulkJobs jobs, TimeProvider time, ILogger<OverviewService> logger)
{
    public const int Days = 30;

    public async Task<Result<OverviewFigures>> FiguresAsync(Caller caller, CancellationToken cancellationToken)
    {
        if (UserAccess.RequirePermission(caller, Permissions.UserRead) is { } denied)
        {
            return denied;
        }

        var clock = Stopwatch.StartNew();
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var organizations = (await db.Organizations.AsNoTracking().OrderBy(o => o.Name).ToListAsync(cancellationToken)).Where(o => caller.CanActOn(o.Id)).ToList();
        var ids = organizations.Select(o => o.Id).ToList();
        var totals = (await OrganizationCountsRead.TotalsAsync(db, ids, cancellationToken)).ToDictionary(t => t.OrganizationId);
        var enrolment = organizations.Select(o => totals.GetValueOrDefault(o.Id) is { } t
            ? new OrganizationEnrolment(o.Id, o.Name, t.Users, t.WithReady, t.WithOnlyPending)
            : new OrganizationEnrolment(o.Id, o.Name, 0, 0, 0)).ToList();

        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var first = today.AddDays(1 - Days);
        var hours = await OrganizationCountsRead.HoursAsync(db, ids, OrganizationTally.HourOf(new DateTimeOffset(first.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)), cancellationToken);
        var byDay = hours.GroupBy(h => DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(h.Hour * 3_600_000).UtcDateTime)).ToDictionary(g => g.Key);
        var days = Enumerable.Range(0, Days).Select(i => first.AddDays(i)).Select(day => byDay.GetValueOrDefault(day) is { } g
            ? new DayActivity(day, g.Sum(h => h.Added), g.Sum(h => h.Verified), g.Sum(h => h.Removed))
            : new DayActivity(day, 0, 0, 0)).ToList();

        var lastDay = hours.Where(h => h.Hour > OrganizationTally.HourOf(now) - 24).ToList();
        var (retrying, oldest) = await OutboxBacklog.ForOrganizationsAsync(db, ids, now, cancellationToken);
        var mail = new MailActivity(lastDay.Sum(h => h.MailsSent), retrying, lastDay.Sum(h => h.MailsFailed), oldest);
        var recentJobs = await jobs.AuditAsync(caller, 10, cancellationToken);
        LogRead(logger, organizations.Count, clock.ElapsedMilliseconds);
        return new OverviewFigures(enrolment, days, mail, recentJobs, clock.Elapsed);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Overview figures of {Organizations} organizations read in {Milliseconds} ms")]
    private static partial void LogRead(ILogger logger, int organizations, long milliseconds);
}
