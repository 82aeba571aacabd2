using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.OtpEmail;
using OtpEmail.Admin.Features.Overview;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure.Data;
using OtpEmail.Admin.Infrastructure.Email;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Features.Overview;

/// <summary>
/// The overview's figures against what the database holds, on an organization of its own, seen by
/// callers of all or of some organizations; and the stale enrolments with their resend.
/// </summary>
public sealed class OverviewServiceTests(HandlerFixture fixture) : IClassFixture<HandlerFixture>
{
    private OverviewService Overview => fixture.Get<OverviewService>();

    private StaleEnrolments Stale => fixture.Get<StaleEnrolments>();

    [Fact]
    public async Task TheFiguresOfASmallOrganizationAreExactlyWhatTheDatabaseHolds()
    {
        var org = await NewOrganizationAsync();
        var users = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            users.Add(await fixture.CreateUserAsync(org));
        }

        await AddAsync(users[0], VerificationMode.AlreadyVerified); // ready
        await AddAsync(users[1], VerificationMode.ReturnCode); // only pending
        var third = await AddAsync(users[2], VerificationMode.ReturnCode); // pending, then verified
        await fixture.Get<VerifyOtpEmailHandler>().HandleAsync(Callers.Admin, users[2], third.OtpEmailId, new VerifyOtpEmailRequest { Code = third.VerificationCode }, CancellationToken.None);
        await AddAsync(users[3], VerificationMode.AlreadyVerified); // ready and pending: ready
        await AddAsync(users[3], VerificationMode.ReturnCode);
        var fifth = await AddAsync(users[4], VerificationMode.ReturnCode); // pending, then removed: none
        await fixture.Get<RemoveOtpEmailHandler>().HandleAsync(Callers.Admin, users[4], fifth.OtpEmailId, CancellationToken.None);

        var figures = (await Overview.FiguresAsync(Callers.Admin, CancellationToken.None)).Value;

        var mine = Assert.Single(figures.Organizations, o => o.OrganizationId == org);
        Assert.Equal((5L, 3L, 1L, 1L, 60.0), (mine.Users, mine.WithReady, mine.WithOnlyPending, mine.WithNone, mine.Coverage));
        Assert.Equal(await CountedAsync(org), (mine.Users, mine.WithReady, mine.WithOnlyPending));
        var today = Assert.Single(figures.Days, d => d.Day == DateOnly.FromDateTime(fixture.Clock.GetUtcNow().UtcDateTime));
        Assert.Equal(OverviewService.Days, figures.Days.Count);
        Assert.True(today.Added >= 6 && today.Verified >= 3 && today.Removed >= 1, $"{today}"); // all organizations: at least this one's

        var scoped = (await Overview.FiguresAsync(Callers.Support(org), CancellationToken.None)).Value;
        var onlyMine = Assert.Single(scoped.Organizations);
        Assert.Equal(mine, onlyMine);
        Assert.Equal((6L, 3L, 1L), (scoped.Days[^1].Added, scoped.Days[^1].Verified, scoped.Days[^1].Removed)); // exactly this one's
    }

    [Fact]
    public async Task ACallerLimitedToOneOrganizationSeesNoOtherOrganizationsFigures()
    {
        var other = await NewOrganizationAsync();
        await AddAsync(await fixture.CreateUserAsync(other), VerificationMode.AlreadyVerified);

        var acme = (await Overview.FiguresAsync(Callers.Support(Callers.Acme), CancellationToken.None)).Value;
        var all = (await Overview.FiguresAsync(Callers.Admin, CancellationToken.None)).Value;

        Assert.Equal([Callers.Acme], acme.Organizations.Select(o => o.OrganizationId));
        Assert.Contains(all.Organizations, o => o.OrganizationId == other);
        Assert.Equal(0, acme.Days[^1].Added); // the other organization's add is not in Acme's day
        Assert.True(all.Days[^1].Added >= 1);
    }

    [Fact]
    public async Task StaleEnrolmentsAreNewestFirstAndAResendOfAChoiceSendsOneMailToEach()
    {
        var org = await NewOrganizationAsync();
        var stale = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var address = ApiClient.NewAddress();
            await AddAsync(await fixture.CreateUserAsync(org), VerificationMode.ReturnCode, address);
            stale.Add(address);
            fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        fixture.Clock.Advance(TimeSpan.FromMinutes(11)); // their codes expire unverified
        var fresh = ApiClient.NewAddress();
        await AddAsync(await fixture.CreateUserAsync(org), VerificationMode.ReturnCode, fresh);
        var caller = Callers.Support(org);

        var page = (await Stale.PageAsync(caller, 0, 20, CancellationToken.None)).Value;

        Assert.Equal(Enumerable.Reverse(stale), page.Rows.Select(r => r.Address));
        Assert.Equal(3, page.Total);
        var chosen = page.Rows.Take(2).ToList();
        var outcomes = await Stale.ResendAsync(caller, chosen, CancellationToken.None);
        Assert.All(outcomes, o => Assert.Null(o.Refusal));
        foreach (var enrolment in chosen)
        {
            await fixture.Smtp.WaitForMailToAsync(enrolment.Address);
        }

        Assert.Empty(fixture.Smtp.To(page.Rows[2].Address));
        Assert.Empty(fixture.Smtp.To(fresh));
        Assert.Equal([page.Rows[2].Address], (await Stale.PageAsync(caller, 0, 20, CancellationToken.None)).Value.Rows.Select(r => r.Address)); // resent: no longer stale
        Assert.Equal(0, (await Stale.PageAsync(Callers.Support(Callers.Globex), 0, 20, CancellationToken.None)).Value.Rows.Count(r => r.OrganizationId == org));
    }

    [Fact]
    public async Task AResendOverItsHourlyLimitIsRefusedAndNamedWhileTheOthersGo()
    {
        var org = await NewOrganizationAsync();
        var limitedUser = await fixture.CreateUserAsync(org);
        var limited = await AddAsync(limitedUser, VerificationMode.ReturnCode);
        await AddAsync(await fixture.CreateUserAsync(org), VerificationMode.ReturnCode);
        for (var i = 0; i < 4; i++) // the add's code and four more: the hour's five
        {
            var resent = await fixture.Get<ResendOtpEmailCodeHandler>().HandleAsync(Callers.Admin, limitedUser, limited.OtpEmailId,
                ResendOtpEmailCodeRequest.For(VerificationMode.ReturnCode), CancellationToken.None);
            Assert.True(resent.IsSuccess, resent.Error?.FullMessage);
        }

        fixture.Clock.Advance(TimeSpan.FromMinutes(11));
        var page = (await Stale.PageAsync(Callers.Support(org), 0, 20, CancellationToken.None)).Value;

        var outcomes = await Stale.ResendAsync(Callers.Support(org), page.Rows, CancellationToken.None);

        Assert.Equal(2, outcomes.Count);
        var refused = Assert.Single(outcomes, o => o.Refusal is not null);
        Assert.Equal(limited.OtpEmailId, refused.Enrolment.OtpEmailId);
        Assert.Equal(ErrorCode.ResourceExhausted, refused.Refusal!.Code);
        await fixture.Smtp.WaitForMailToAsync(Assert.Single(outcomes, o => o.Refusal is null).Enrolment.Address);
    }

    private static long _nextOrganization = 310_000_000_000_000_000 + (Environment.ProcessId % 1000 * 1000);

    [Fact]
    public async Task TheMailOutcomesOfOneRoundAreCountedForEachOrganizationAndHourTheyFallIn()
    {
        var (first, second) = (await NewOrganizationAsync(), await NewOrganizationAsync());
        var now = fixture.Clock.GetUtcNow();
        var nextHour = now.AddHours(1);
        List<MailOutcome> round = [];
        foreach (var (org, sent, at) in new[] { (first, true, now), (first, true, now), (first, false, now), (first, true, nextHour), (second, true, now) })
        {
            var added = await AddAsync(await fixture.CreateUserAsync(org), VerificationMode.ReturnCode);
            Assert.True(DecimalId.TryParse(added.OtpEmailId, out var otpEmailId));
            round.Add(new MailOutcome(round.Count + 1, MailDelivery.Reference(otpEmailId), "x@example.com", sent, 1, null, null, at));
        }

        var recorded = await fixture.Get<DbWriter>().WriteAsync<bool>(async (db, ct) =>
        {
            await fixture.Get<IEnumerable<IMailOutcomeRecorder>>().OfType<MailOutcomeEvents>().Single().RecordAsync(db, round, ct);
            return true;
        }, CancellationToken.None);

        Assert.True(recorded.IsSuccess);
        await using var db = fixture.Db();
        var hours = await db.OrganizationHours.AsNoTracking().Where(h => h.OrganizationId == first || h.OrganizationId == second).ToListAsync();
        (long, long) Mails(long org, DateTimeOffset at)
        {
            var inHour = hours.Where(h => h.OrganizationId == org && h.Hour == OrganizationTally.HourOf(at)).ToList();
            return (inHour.Sum(h => h.MailsSent), inHour.Sum(h => h.MailsFailed));
        }

        Assert.Equal((2L, 1L), Mails(first, now));
        Assert.Equal((1L, 0L), Mails(first, nextHour));
        Assert.Equal((1L, 0L), Mails(second, now));
    }

    /// <summary>An organization of the test's own, as the benchmark and demo seeds make them: a row.</summary>
    private async Task<long> NewOrganizationAsync()
    {
        var id = Interlocked.Increment(ref _nextOrganization);
        await using var db = fixture.Db();
        db.Organizations.Add(new Organization { Id = id, Name = $"Org {id}" });
        await db.SaveChangesAsync();
        return id;
    }

    private async Task<AddOtpEmailResponse> AddAsync(string userId, VerificationMode mode, string? address = null)
    {
        var added = await fixture.Get<AddOtpEmailHandler>().HandleAsync(Callers.Admin, userId,
            new AddOtpEmailRequest { Email = SetEmail.For(address ?? ApiClient.NewAddress(), mode) }, CancellationToken.None);
        Assert.True(added.IsSuccess, added.Error?.FullMessage);
        return added.Value;
    }

    // The same three figures counted from the rows themselves.
    private async Task<(long Users, long WithReady, long WithOnlyPending)> CountedAsync(long org)
    {
        await using var db = fixture.Db();
        var users = db.Users.Where(u => u.OrganizationId == org);
        var live = db.OtpEmails.Where(a => a.State != OtpEmailState.Removed);
        return (
            await users.CountAsync(),
            await users.CountAsync(u => live.Any(a => a.UserId == u.Id && a.State == OtpEmailState.Ready)),
            await users.CountAsync(u => live.Any(a => a.UserId == u.Id) && !live.Any(a => a.UserId == u.Id && a.State == OtpEmailState.Ready)));
    }
}
