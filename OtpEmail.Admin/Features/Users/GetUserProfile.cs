using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Features.Users;

/// <summary>A user as the staff page shows it: richer than the wire (the organization's name).</summary>
public sealed record UserProfile(
    string UserId,
    string DisplayName,
    string Username,
    string Email,
    bool EmailVerified,
    string OrganizationId,
    string OrganizationName,
    string? PreferredLanguage,
    string OrganizationLanguage);

/// <summary>One user for the staff page.</summary>
public sealed class GetUserProfileHandler(IDbContextFactory<AppDbContext> dbs)
{
    public async Task<Result<UserProfile>> HandleAsync(Caller caller, string userId, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var found = await UserAccess.ReadAsync(db, caller, Permissions.UserRead, userId, cancellationToken);
        if (!found.IsSuccess)
        {
            return found.Error;
        }

        var user = found.Value;
        var organization = await db.Organizations.Where(o => o.Id == user.OrganizationId).Select(o => new { o.Name, o.DefaultLanguage }).SingleAsync(cancellationToken);
        return new UserProfile(
            DecimalId.Format(user.Id), user.DisplayName, user.Username, user.Email, user.EmailVerified,
            DecimalId.Format(user.OrganizationId), organization.Name, user.PreferredLanguage, organization.DefaultLanguage);
    }
}

