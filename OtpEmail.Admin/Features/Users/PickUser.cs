using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Features.Users;

/// <summary>A user as the staff picker lists it: who, and in which organization.</summary>
public sealed record UserSummary(string UserId, string DisplayName, string Username, string Email, string OrganizationName);

/// <summary>Users for the staff picker: the most relevant first, with their organization's name.</summary>
public sealed class PickUserHandler(IDbContextFactory<AppDbContext> dbs)
{
    public async Task<Result<IReadOnlyList<UserSummary>>> HandleAsync(Caller caller, string? text, int limit, CancellationToken cancellationToken)
    {
        if (UserAccess.RequirePermission(caller, Permissions.UserRead) is { } denied)
        {
            return denied;
        }

        if (text is { Length: > SearchUsersHandler.MaxQueryLength })
        {
            return AppError.Invalid("SEARCH-QUERY-TOO-LONG", $"Search text must be at most {SearchUsersHandler.MaxQueryLength} characters");
        }

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var page = await UserSearch.FindAsync(db, text, caller.Organizations?.ToList(), 0, Math.Clamp(limit, 1, SearchUsersHandler.MaxPageSize), cancellationToken);
        var found = await db.Users.AsNoTracking()
            .Where(u => page.Ids.Contains(u.Id))
            .Join(db.Organizations, u => u.OrganizationId, o => o.Id, (u, o) => new { u.Id, u.DisplayName, u.Username, u.Email, Organization = o.Name })
            .ToDictionaryAsync(u => u.Id, cancellationToken);
        return page.Ids.Where(found.ContainsKey)
            .Select(id => found[id])
            .Select(u => new UserSummary(DecimalId.Format(u.Id), u.DisplayName, u.Username, u.Email, u.Organization))
            .ToList();
    }
}
