using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Features.Users;

// POST /v3alpha/users/_search · SearchUsers.

public sealed record SearchUsersRequest
{
    public string? Query { get; init; }

    public string? OrganizationId { get; init; }

    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public long? Offset { get; init; }

    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public int? Limit { get; init; }
}

public sealed record SearchUsersResponse(SearchDetails Details, IReadOnlyList<UserView> Result);

public sealed record SearchDetails([property: JsonNumberHandling(JsonNumberHandling.WriteAsString)] long TotalResult);

/// <summary>Finds users the caller may read, most relevant first (see <see cref="UserSearch"/>).</summary>
public sealed class SearchUsersHandler(IDbContextFactory<AppDbContext> dbs, UserViews views)
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;
    public const int MaxQueryLength = 200;

    /// <summary>The furthest page start: deeper paging is a scan in disguise; narrow the query instead.</summary>
    public const long MaxOffset = UserSearch.MaxCount;

    public async Task<Result<SearchUsersResponse>> HandleAsync(Caller caller, SearchUsersRequest request, CancellationToken cancellationToken)
    {
        if (UserAccess.RequirePermission(caller, Permissions.UserRead) is { } denied)
        {
            return denied;
        }

        if (request.Query is { Length: > MaxQueryLength })
        {
            return AppError.Invalid("SEARCH-QUERY-TOO-LONG", $"query must be at most {MaxQueryLength} characters", "query");
        }

        if (request.Offset is < 0 or > MaxOffset)
        {
            return AppError.Invalid("SEARCH-OFFSET", $"offset must be 0–{MaxOffset}; narrow the query to reach further", "offset");
        }

        if (request.Limit is < 0 or > MaxPageSize)
        {
            return AppError.Invalid("SEARCH-LIMIT", $"limit must be 0–{MaxPageSize} (0 means the default, {DefaultPageSize})", "limit");
        }

        var organizations = caller.Organizations;
        if (!string.IsNullOrEmpty(request.OrganizationId))
        {
            if (!DecimalId.TryParse(request.OrganizationId, out var org))
            {
                return AppError.Invalid("SEARCH-ORGANIZATION", "organizationId must be an organization id", "organizationId");
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
        var found = await views.LoadAsync(db, page.Ids, cancellationToken);
        return new SearchUsersResponse(new SearchDetails(page.Total), found);
    }
}
