using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.OtpEmail;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Features.Bulk;

/// <summary>A row of the file checked: the user it names and the add it asks for, or why it cannot be done.</summary>
public sealed record BulkCheckedRow(BulkRow Row, long? UserId, AppError? Problem);

/// <summary>
/// Turns rows into adds: finds the user each names (an id, or a username in the caller's
/// organizations) and builds the add request; the add's own rules judge the rest.
/// </summary>
public static class BulkRequests
{
    private const int Chunk = 500;

    public static AppError AmbiguousUser { get; } =
        AppError.Invalid("BULK-USER-AMBIGUOUS", "More than one user has this username in your organizations; give the user id", "user");

    public static AppError UnknownMode { get; } =
        AppError.Invalid("BULK-MODE", "mode must be send_code, return_code or is_verified", "mode");

    public static AppError TemplateWithoutSendCode { get; } =
        AppError.Invalid("BULK-TEMPLATE", "url_template applies to send_code rows only", "url_template");

    /// <summary>The checks before anything else: the caller may add, the file can be read; then each row's user found.</summary>
    public static async Task<Result<List<BulkCheckedRow>>> ReadAsync(AppDbContext db, Caller caller, Stream file, CancellationToken cancellationToken)
    {
        if (Denied(caller) is { } denied)
        {
            return denied;
        }

        var parsed = await BulkCsv.ParseAsync(file, cancellationToken);
        return parsed.IsSuccess ? await ResolveUsersAsync(db, caller, parsed.Value, cancellationToken) : parsed.Error;
    }

    /// <summary>Why the caller may not enrol in bulk at all; null when they may.</summary>
    public static AppError? Denied(Caller caller) => UserAccess.RequirePermission(caller, Permissions.UserCredentialWrite);

    public static Result<AddOtpEmailRequest> Request(BulkRow row)
    {
        var mode = Enum.GetValues<VerificationMode>().Cast<VerificationMode?>()
            .FirstOrDefault(m => new Verification(m!.Value, null).Name == row.Mode);
        if (mode is null)
        {
            return UnknownMode;
        }

        if (row.UrlTemplate is not null && mode != VerificationMode.SendCode)
        {
            return TemplateWithoutSendCode;
        }

        return new AddOtpEmailRequest { Email = SetEmail.For(row.Address, mode.Value, row.UrlTemplate) };
    }

    /// <summary>Finds every row's user in bulk (a few queries for the whole file), as <paramref name="caller"/> may see them.</summary>
    public static async Task<List<BulkCheckedRow>> ResolveUsersAsync(AppDbContext db, Caller caller, IReadOnlyList<BulkRow> rows, CancellationToken cancellationToken)
    {
        var ids = rows.Select(r => DecimalId.TryParse(r.User, out var id) ? id : (long?)null).ToList();
        var byId = new Dictionary<long, User>();
        foreach (var chunk in ids.OfType<long>().Distinct().Chunk(Chunk))
        {
            foreach (var user in await db.Users.AsNoTracking().Where(UserAccess.Live).Where(u => chunk.Contains(u.Id)).ToListAsync(cancellationToken))
            {
                byId[user.Id] = user;
            }
        }

        var byName = new Dictionary<string, List<User>>(StringComparer.Ordinal);
        foreach (var chunk in rows.Where((_, i) => ids[i] is null).Select(r => r.User).Distinct().Chunk(Chunk))
        {
            var found = await db.Users.AsNoTracking().Where(UserAccess.Live).Where(u => chunk.Contains(u.Username)).ToListAsync(cancellationToken);
            foreach (var user in found.Where(u => caller.CanActOn(u.OrganizationId)))
            {
                (byName.TryGetValue(user.Username, out var list) ? list : byName[user.Username] = []).Add(user);
            }
        }

        return rows.Select((row, i) =>
        {
            if (ids[i] is { } id)
            {
                var admitted = UserAccess.Admit(caller, byId.GetValueOrDefault(id));
                return new BulkCheckedRow(row, id, admitted.IsSuccess ? null : admitted.Error);
            }

            return byName.GetValueOrDefault(row.User) switch
            {
                [var only] => new BulkCheckedRow(row, only.Id, null),
                [_, _, ..] => new BulkCheckedRow(row, null, AmbiguousUser),
                _ => new BulkCheckedRow(row, null, UserId.NotFound),
            };
        }).ToList();
    }
}
