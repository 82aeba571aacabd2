using System.Globalization;
using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Data;
using OtpEmail.Admin.Infrastructure.Errors;

namespace OtpEmail.Admin.Features.Users;

/// <summary>The checks every operation on a user starts with: permission, id, existence, organization.</summary>
public static class UserAccess
{
    public const int MaxIdLength = 200;

    public static OtpError? RequirePermission(Caller caller, string permission) =>
        caller.Has(permission)
            ? null
            : OtpError.Denied("AUTHZ-PERMISSION", $"The caller lacks the permission {permission}");

    /// <summary>Reads a route id: 1–200 characters (else invalid); one we never issued is not found.</summary>
    public static Result<long> ParseId(string? id, string field = "userId")
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxIdLength)
        {
            return OtpError.Invalid("ID-LENGTH", $"{field} must be 1–{MaxIdLength} characters");
        }

        return long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : UserNotFound;
    }

    /// <summary>
    /// The whole check before reading one user: the caller's permission, the id's form, the user's
    /// existence and organization. Returns the user untracked.
    /// </summary>
    public static async Task<Result<User>> ReadAsync(AppDbContext db, Caller caller, string permission, string? userId, CancellationToken cancellationToken)
    {
        if (RequirePermission(caller, permission) is { } denied)
        {
            return denied;
        }

        var id = ParseId(userId);
        return id.IsSuccess ? await FindAsync(db, caller, id.Value, tracked: false, cancellationToken) : id.Error;
    }

    /// <summary>Loads a live user the caller may act on; tracked when the caller will change it.</summary>
    public static async Task<Result<User>> FindAsync(AppDbContext db, Caller caller, long userId, bool tracked, CancellationToken cancellationToken)
    {
        var users = tracked ? db.Users : db.Users.AsNoTracking();
        var user = await users.FirstOrDefaultAsync(u => u.Id == userId && u.State != UserState.Deleted, cancellationToken);
        if (user is null)
        {
            return UserNotFound;
        }

        return caller.CanActOn(user.OrganizationId) ? user : OutsideOrganizations;
    }

    public static OtpError OutsideOrganizations => OtpError.Denied("AUTHZ-ORGANIZATION", "The caller may not act on users of this organization");

    private static OtpError UserNotFound => OtpError.NotFound("USER-NOTFOUND", "User could not be found");
}
