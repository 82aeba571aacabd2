using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Features.OtpEmail;

// GET /v3alpha/users/{userId}/otp_email/{otpEmailId}/_delivery (not in ZITADEL).

/// <summary>The latest verification mail's state; <c>relayResponse</c> is the relay's last answer line.</summary>
public sealed record OtpEmailDeliveryResponse(
    string State, int Attempts, DateTimeOffset? LastAttemptDate, DateTimeOffset? NextAttemptDate, string? RelayResponse, string? LastError)
{
    public static readonly string[] States = [.. Enum.GetValues<DeliveryState>().Select(s => new MailDelivery(s, 0, null, null, null, null).WireState)];
}

/// <summary>Where a live authenticator's latest verification mail is: queued, sent, retrying or failed.</summary>
public sealed class GetOtpEmailDeliveryHandler(IDbContextFactory<AppDbContext> dbs)
{
    public static AppError NoMail { get; } = AppError.NotFound("OTPEMAIL-DELIVERY-NOTFOUND", "No verification mail was queued for this authenticator");

    public async Task<Result<OtpEmailDeliveryResponse>> HandleAsync(Caller caller, string userId, string otpEmailId, CancellationToken cancellationToken)
    {
        var user = UserAccess.Check(caller, Permissions.UserRead, userId);
        if (!user.IsSuccess)
        {
            return user.Error;
        }

        var authenticator = OtpEmailId.Parse(otpEmailId);
        if (!authenticator.IsSuccess)
        {
            return authenticator.Error;
        }

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var found = await UserAccess.FindAsync(db, caller, user.Value, cancellationToken);
        if (!found.IsSuccess)
        {
            return found.Error;
        }

        var id = authenticator.Value.Value;
        if (!await db.OtpEmails.AnyAsync(a => a.Id == id && a.UserId == found.Value.Id && a.State != OtpEmailState.Removed, cancellationToken))
        {
            return OtpEmailId.NotFound;
        }

        return (await MailDelivery.LatestAsync(db, [id], cancellationToken)).GetValueOrDefault(id) is { } delivery
            ? new OtpEmailDeliveryResponse(delivery.WireState, delivery.Attempts, delivery.LastAttemptAt, delivery.NextAttemptAt, delivery.RelayResponse, delivery.LastError)
            : NoMail;
    }
}
