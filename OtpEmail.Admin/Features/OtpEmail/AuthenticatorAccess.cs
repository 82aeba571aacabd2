using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Features.OtpEmail;

/// <summary>An authenticator of a user, as a route names it.</summary>
public readonly record struct AuthenticatorTarget(UserId UserId, OtpEmailId OtpEmailId);

/// <summary>The checks before changing one authenticator (verify, resend, remove).</summary>
public static class AuthenticatorAccess
{
    /// <summary>May the caller change credentials, and are the ids of a form we issue?</summary>
    public static Result<AuthenticatorTarget> Check(Caller caller, string userId, string otpEmailId)
    {
        var user = UserAccess.Check(caller, Permissions.UserCredentialWrite, userId);
        if (!user.IsSuccess)
        {
            return user.Error;
        }

        var authenticator = OtpEmailId.Parse(otpEmailId);
        return authenticator.IsSuccess ? new AuthenticatorTarget(user.Value, authenticator.Value) : authenticator.Error;
    }

    /// <summary>
    /// Writes a change to one authenticator: loads the user (checked against the caller) and its live
    /// authenticator (tracked), and hands them to <paramref name="stage"/>. The writer's log names the
    /// operation that called, not this.
    /// </summary>
    public static Task<Result<T>> ChangeAsync<T>(
        DbWriter writer, Caller caller, AuthenticatorTarget target,
        Func<AppDbContext, User, OtpEmailAuthenticator, CancellationToken, Task<Staged<T>>> stage, CancellationToken cancellationToken,
        [CallerFilePath] string callerFile = "", [CallerMemberName] string callerMember = "") =>
        writer.WriteAsync<T>(async (db, ct) =>
        {
            var loaded = await LoadAsync(db, caller, target, ct);
            return loaded.IsSuccess ? await stage(db, loaded.Value.User, loaded.Value.Authenticator, ct) : loaded.Error;
        }, cancellationToken, new InOrderWith(target.UserId), callerFile, callerMember); // in order with the user's adds (their first key)

    private static async Task<Result<(User User, OtpEmailAuthenticator Authenticator)>> LoadAsync(
        AppDbContext db, Caller caller, AuthenticatorTarget target, CancellationToken cancellationToken)
    {
        var user = await UserAccess.FindAsync(db, caller, target.UserId, cancellationToken);
        if (!user.IsSuccess)
        {
            return user.Error;
        }

        var authenticator = await db.OtpEmails.FirstOrDefaultAsync(
            a => a.Id == target.OtpEmailId.Value && a.UserId == target.UserId.Value && a.State != OtpEmailState.Removed, cancellationToken);
        return authenticator is null ? OtpEmailId.NotFound : (user.Value, authenticator);
    }
}
