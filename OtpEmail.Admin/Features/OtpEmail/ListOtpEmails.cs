using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Features.OtpEmail;

/// <summary>A live authenticator as staff see it: its state, who added it and when, and (pending) where its latest mail is.</summary>
public sealed record AuthenticatorSummary(
    string OtpEmailId,
    string Address,
    OtpEmailState State,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset? VerifiedAt,
    MailDelivery? Delivery = null);

/// <summary>A user's live authenticators for the staff page, oldest first.</summary>
public sealed class ListOtpEmailsHandler(IDbContextFactory<AppDbContext> dbs)
{
    public async Task<Result<IReadOnlyList<AuthenticatorSummary>>> HandleAsync(Caller caller, string userId, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var user = await UserAccess.ReadAsync(db, caller, Permissions.UserRead, userId, cancellationToken);
        if (!user.IsSuccess)
        {
            return user.Error;
        }

        var summaries = await Live(db, [user.Value.Id])
            .Select(a => new { a.Id, a.Address, a.State, a.CreatedAt, a.CreatedBy, a.VerifiedAt })
            .ToListAsync(cancellationToken);
        var deliveries = await MailDelivery.LatestAsync(db, [.. summaries.Where(a => a.State == OtpEmailState.Pending).Select(a => a.Id)], cancellationToken);
        return summaries.Select(a => new AuthenticatorSummary(
            DecimalId.Format(a.Id), a.Address, a.State, a.CreatedAt, a.CreatedBy, a.VerifiedAt, deliveries.GetValueOrDefault(a.Id))).ToList();
    }

    /// <summary>The live (pending or ready) authenticators of some users, oldest first.</summary>
    internal static IQueryable<OtpEmailAuthenticator> Live(AppDbContext db, IReadOnlyCollection<long> userIds) =>
        db.OtpEmails.AsNoTracking()
            .Where(a => userIds.Contains(a.UserId) && a.State != OtpEmailState.Removed)
            .OrderBy(a => a.Id);
}

/// <summary>The OTP Email authenticators on users' wire views (GetUser, SearchUsers).</summary>
public sealed class UserOtpEmails : IUserAuthenticators
{
    public async Task<IReadOnlyDictionary<long, IReadOnlyList<OtpEmailView>>> OtpEmailsAsync(
        AppDbContext db, IReadOnlyCollection<long> userIds, CancellationToken cancellationToken)
    {
        var live = await ListOtpEmailsHandler.Live(db, userIds)
            .Select(a => new { a.UserId, a.Id, a.Address, a.State })
            .ToListAsync(cancellationToken);
        return live.GroupBy(a => a.UserId).ToDictionary(
            group => group.Key,
            group => (IReadOnlyList<OtpEmailView>)group.Select(a => new OtpEmailView(DecimalId.Format(a.Id), a.Address, a.State == OtpEmailState.Ready)).ToList());
    }
}
