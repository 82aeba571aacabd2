using OtpEmail.Admin.Common;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Features.Users;

/// <summary>
/// Sets or clears the language a user reads (a BCP 47 tag), which its verification mail and the
/// verification page then speak; an event in the user's log like every change to a user.
/// </summary>
public sealed class SetUserLanguageHandler(DbWriter writer, UserEventLog events, TimeProvider time)
{
    public const string LanguageChanged = "user.language_changed";

    public const string Field = "preferredLanguage";

    public async Task<Result<Details>> HandleAsync(Caller caller, string userId, string? language, CancellationToken cancellationToken)
    {
        var id = UserAccess.Check(caller, Permissions.UserWrite, userId);
        if (!id.IsSuccess)
        {
            return id.Error;
        }

        string? tag = null;
        if (!string.IsNullOrWhiteSpace(language))
        {
            var parsed = LanguageTag.Parse(language.Trim(), Field);
            if (!parsed.IsSuccess)
            {
                return parsed.Error;
            }

            tag = parsed.Value;
        }

        return await writer.WriteAsync<Details>(async (db, ct) =>
        {
            var found = await UserAccess.FindAsync(db, caller, id.Value, ct);
            if (!found.IsSuccess)
            {
                return found.Error;
            }

            var user = found.Value;
            db.Attach(user);
            user.PreferredLanguage = tag;
            var change = await events.AppendAsync(db, user, LanguageChanged, caller, new { language = tag }, time.GetUtcNow(), ct);
            return change.Details();
        }, cancellationToken, new InOrderWith(id.Value));
    }
}
