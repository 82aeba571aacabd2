using System.Globalization;
using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Features.Audit;
using OtpEmail.Admin.Features.OtpEmail;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Data;
using OtpEmail.Admin.Infrastructure.Errors;

namespace OtpEmail.Admin.Features.Users;

/// <summary>Creating, reading and finding users, with the caller's permissions and organizations applied.</summary>
public sealed class UserService(IDbContextFactory<AppDbContext> dbs, DbWriter writer, IdGenerator ids, TimeProvider time)
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;
    private const int MaxNameLength = 200;

    public async Task<Result<GetUserResponse>> GetAsync(Caller caller, string userId, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var found = await UserAccess.ReadAsync(db, caller, Permissions.UserRead, userId, cancellationToken);
        if (!found.IsSuccess)
        {
            return found.Error;
        }

        var views = await ViewsAsync(db, [found.Value.Id], cancellationToken);
        return new GetUserResponse(views[0]);
    }

    public async Task<Result<SearchUsersResponse>> SearchAsync(Caller caller, SearchUsersRequest request, CancellationToken cancellationToken)
    {
        if (UserAccess.RequirePermission(caller, Permissions.UserRead) is { } denied)
        {
            return denied;
        }

        if (request.Query is { Length: > MaxNameLength })
        {
            return OtpError.Invalid("SEARCH-QUERY-TOO-LONG", $"query must be at most {MaxNameLength} characters");
        }

        if (request.Offset is < 0)
        {
            return OtpError.Invalid("SEARCH-OFFSET", "offset must not be negative");
        }

        if (request.Limit is < 0 or > MaxPageSize)
        {
            return OtpError.Invalid("SEARCH-LIMIT", $"limit must be 0–{MaxPageSize} (0 means the default, {DefaultPageSize})");
        }

        var organizations = caller.Organizations;
        if (!string.IsNullOrEmpty(request.OrganizationId))
        {
            if (!long.TryParse(request.OrganizationId, NumberStyles.None, CultureInfo.InvariantCulture, out var org))
            {
                return OtpError.Invalid("SEARCH-ORGANIZATION", "organizationId must be an organization id");
            }

            if (!caller.CanActOn(org))
            {
                return UserAccess.OutsideOrganizations;
            }

            organizations = new HashSet<long> { org };
        }

        var limit = request.Limit is null or 0 ? DefaultPageSize : request.Limit.Value;
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var page = await UserSearch.FindAsync(db, request.Query, organizations?.ToList(), request.Offset ?? 0, limit, cancellationToken);
        var views = await ViewsAsync(db, page.Ids, cancellationToken);
        return new SearchUsersResponse(new SearchDetails(page.Total), views);
    }

    /// <summary>Users for the staff picker: the most relevant first, with their organization's name.</summary>
    public async Task<Result<IReadOnlyList<UserSummary>>> PickAsync(Caller caller, string? text, int limit, CancellationToken cancellationToken)
    {
        if (UserAccess.RequirePermission(caller, Permissions.UserRead) is { } denied)
        {
            return denied;
        }

        if (text is { Length: > MaxNameLength })
        {
            return OtpError.Invalid("SEARCH-QUERY-TOO-LONG", $"Search text must be at most {MaxNameLength} characters");
        }

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var page = await UserSearch.FindAsync(db, text, caller.Organizations?.ToList(), 0, Math.Clamp(limit, 1, MaxPageSize), cancellationToken);
        var found = await db.Users.AsNoTracking()
            .Where(u => page.Ids.Contains(u.Id))
            .Join(db.Organizations, u => u.OrganizationId, o => o.Id, (u, o) => new { u.Id, u.DisplayName, u.Username, u.Email, Organization = o.Name })
            .ToDictionaryAsync(u => u.Id, cancellationToken);
        return page.Ids.Where(found.ContainsKey)
            .Select(id => found[id])
            .Select(u => new UserSummary(u.Id.ToString(CultureInfo.InvariantCulture), u.DisplayName, u.Username, u.Email, u.Organization))
            .ToList();
    }

    /// <summary>One user for the staff page: details, organization and live authenticators with who added them when.</summary>
    public async Task<Result<UserProfile>> GetProfileAsync(Caller caller, string userId, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var found = await UserAccess.ReadAsync(db, caller, Permissions.UserRead, userId, cancellationToken);
        if (!found.IsSuccess)
        {
            return found.Error;
        }

        var user = found.Value;
        var organization = await db.Organizations.Where(o => o.Id == user.OrganizationId).Select(o => o.Name).SingleAsync(cancellationToken);
        var authenticators = await db.OtpEmails.AsNoTracking()
            .Where(a => a.UserId == user.Id && a.State != OtpEmailState.Removed)
            .OrderBy(a => a.Id)
            .Select(a => new AuthenticatorSummary(a.Id.ToString(), a.Address, a.State, a.CreatedAt, a.CreatedBy, a.VerifiedAt))
            .ToListAsync(cancellationToken);
        return new UserProfile(
            user.Id.ToString(CultureInfo.InvariantCulture), user.DisplayName, user.Username, user.Email, user.EmailVerified,
            user.OrganizationId.ToString(CultureInfo.InvariantCulture), organization, authenticators);
    }

    public async Task<Result<CreateUserResponse>> CreateAsync(Caller caller, CreateUserRequest request, CancellationToken cancellationToken)
    {
        if (UserAccess.RequirePermission(caller, Permissions.UserWrite) is { } denied)
        {
            return denied;
        }

        if (!long.TryParse(request.Organization?.OrgId, NumberStyles.None, CultureInfo.InvariantCulture, out var orgId))
        {
            return OtpError.Invalid("USER-ORGANIZATION-REQUIRED", "organization.orgId is required and must be an organization id");
        }

        if (!caller.CanActOn(orgId))
        {
            return UserAccess.OutsideOrganizations;
        }

        var user = request.User;
        if ((CheckName(user?.Username, "user.username") ?? CheckName(user?.GivenName, "user.givenName") ?? CheckName(user?.FamilyName, "user.familyName")) is { } badName)
        {
            return badName;
        }

        if (user!.Username!.Any(char.IsWhiteSpace))
        {
            return OtpError.Invalid("USER-USERNAME-WHITESPACE", "user.username must not contain spaces");
        }

        var email = user.Contact?.Email;
        if (EmailAddress.Check(email?.Address, "user.contact.email.address") is { } badEmail)
        {
            return badEmail;
        }

        return await writer.RunAsync<CreateUserResponse>(async (db, ct) =>
        {
            if (!await db.Organizations.AnyAsync(o => o.Id == orgId, ct))
            {
                return OtpError.NotFound("ORGANIZATION-NOTFOUND", "Organization could not be found");
            }

            var now = time.GetUtcNow();
            var created = new User
            {
                Id = ids.Next(),
                OrganizationId = orgId,
                Username = user.Username!,
                GivenName = user.GivenName!,
                FamilyName = user.FamilyName!,
                DisplayName = $"{user.GivenName} {user.FamilyName}",
                Email = email!.Address!,
                EmailVerified = email.IsVerified ?? false,
            };
            db.Users.Add(created);
            UserEvents.Append(db, created, UserEventTypes.UserCreated, caller, new { created.Username, Email = created.Email }, now);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException e) when (DbWriter.IsUniqueViolation(e))
            {
                return OtpError.Exists("USER-USERNAME-TAKEN", "A user with this username already exists in the organization");
            }

            return new CreateUserResponse(Details.Of(created), created.Id.ToString(CultureInfo.InvariantCulture));
        }, cancellationToken);
    }

    private static OtpError? CheckName(string? value, string field) =>
        string.IsNullOrWhiteSpace(value) || value.Length > MaxNameLength || value.Any(char.IsControl)
            ? OtpError.Invalid("USER-FIELD-INVALID", $"{field} is required: 1–{MaxNameLength} characters without control characters")
            : null;

    /// <summary>The wire view of users, in the order of <paramref name="userIds"/>; removed authenticators left out.</summary>
    private static async Task<List<UserView>> ViewsAsync(AppDbContext db, IReadOnlyList<long> userIds, CancellationToken cancellationToken)
    {
        var users = await db.Users.AsNoTracking()
            .Where(u => userIds.Contains(u.Id))
            .Include(u => u.OtpEmails.Where(a => a.State != OtpEmailState.Removed).OrderBy(a => a.Id))
            .AsSplitQuery()
            .ToDictionaryAsync(u => u.Id, cancellationToken);
        return userIds.Where(users.ContainsKey).Select(id => View(users[id])).ToList();
    }

    private static UserView View(User user) => new(
        user.Id.ToString(CultureInfo.InvariantCulture),
        Details.Of(user),
        user.Username,
        user.GivenName,
        user.FamilyName,
        user.DisplayName,
        user.State switch
        {
            UserState.Active => "USER_STATE_ACTIVE",
            UserState.Inactive => "USER_STATE_INACTIVE",
            _ => "USER_STATE_DELETED",
        },
        new ContactView(new EmailView(user.Email, user.EmailVerified)),
        new AuthenticatorsView(user.OtpEmails
            .Select(a => new OtpEmailView(a.Id.ToString(CultureInfo.InvariantCulture), a.Address, a.State == OtpEmailState.Ready))
            .ToList()));
}
