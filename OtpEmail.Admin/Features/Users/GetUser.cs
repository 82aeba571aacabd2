using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Features.Users;

// GET /v3alpha/users/{userId} · GetUser.

public sealed record GetUserResponse(UserView User);

/// <summary>One user the caller may read, with its live authenticators.</summary>
public sealed class GetUserHandler(IDbContextFactory<AppDbContext> dbs, UserViews views)
{
    public async Task<Result<GetUserResponse>> HandleAsync(Caller caller, string userId, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var found = await UserAccess.ReadAsync(db, caller, Permissions.UserRead, userId, cancellationToken);
        if (!found.IsSuccess)
        {
            return found.Error;
        }

        var loaded = await views.LoadAsync(db, [found.Value.Id], cancellationToken);
        return new GetUserResponse(loaded[0]);
    }
}
