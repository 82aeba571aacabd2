using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Features.Users;

/// <summary>
/// The checks every operation on a user starts with: permission, id, existence, organization.
/// Other features use these too.
/// </summary>
public static class UserAccess
{
    public static AppError OutsideOrganizations { get; } =
        AppError.Denied("AUTHZ-ORGANIZATION", "The caller may not act on users of this organization");

    public static AppError? RequirePermission(Caller caller, string permission) =>
        caller.Has(permission)
            ? null
            : AppError.Denied("AUTHZ-PERMISSION", $"The caller lacks the permission {permission}");

    /// <summary>Whether the caller may act on the organization, and it exists: null, or the refusal to answer with.</summary>
    public static async Task<AppError?> OrganizationAsync(AppDbContext db, Caller caller, long organizationId, CancellationToken cancellationToken) =>
        !caller.CanActOn(organizationId) ? OutsideOrganizations
        : await db.Organizations.AnyAsync(o => o.Id == organizationId, cancellationToken) ? null
        : AppError.NotFound("ORGANIZATION-NOTFOUND", "Organization could not be found");

    /// <summary>The checks that need no database: the caller's permission, then the id's form.</summary>
    public static Result<UserId> Check(Caller caller, string permission, string? userId) =>
        RequirePermission(caller, permission) is { } denied ? denied : UserId.Parse(userId);

    /// <summary>
    /// The whole check before reading one user: the caller's permission, the id's form, the user's
    /// existence and organization. Returns the user untracked.
    /// </summary>
    public static async Task<Result<User>> ReadAsync(AppDbContext db, Caller caller, string permission, string? userId, CancellationToken cancellationToken)
    {
        var id = Check(caller, permission, userId);
        return id.IsSuccess ? await FindAsync(db, caller, id.Value, cancellationToken) : id.Error;
    }

    /// <summary>The users operations may see: all but the deleted.</summary>
    public static Expression<Func<User, bool>> Live { get; } = u => u.State != UserState.Deleted;

    /// <summary>
    /// Loads a live user the caller may act on, untracked: a change to a user or what it owns is an
    /// event appended to its log (<see cref="UserEventLog"/>), never an update of its row.
    /// </summary>
    public static async Task<Result<User>> FindAsync(AppDbContext db, Caller caller, UserId userId, CancellationToken cancellationToken) =>
        Admit(caller, await db.Users.AsNoTracking().Where(Live).FirstOrDefaultAsync(u => u.Id == userId.Value, cancellationToken));

    /// <summary>A live user found by a query of the caller's own (see <see cref="Live"/>), if the caller may act on it.</summary>
    public static Result<User> Admit(Caller caller, User? user) =>
        user is null ? UserId.NotFound
        : caller.CanActOn(user.OrganizationId) ? user
        : OutsideOrganizations;
}
