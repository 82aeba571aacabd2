using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OtpEmail.Admin.Features.Audit;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Data;
using OtpEmail.Admin.Infrastructure.Email;
using OtpEmail.Admin.Infrastructure.Errors;

namespace OtpEmail.Admin.Features.OtpEmail;

/// <summary>
/// Owns every rule of OTP Email authenticators; the Blazor pages, the JSON controller and the gRPC
/// service only call it and translate.
/// </summary>
public sealed partial class OtpEmailService(
    DbWriter writer,
    IdGenerator ids,
    TimeProvider time,
    VerificationCodes codes,
    MailOutbox outbox,
    IOptions<OtpSettings> otpOptions,
    IOptions<AppSettings> appOptions,
    ILogger<OtpEmailService> logger)
{
    private readonly OtpSettings _otp = otpOptions.Value;

    public async Task<Result<AddOtpEmailResponse>> AddAsync(Caller caller, string userId, AddOtpEmailRequest request, CancellationToken cancellationToken)
    {
        if (UserAccess.RequirePermission(caller, Permissions.UserCredentialWrite) is { } denied)
        {
            return denied;
        }

        var id = UserAccess.ParseId(userId);
        if (!id.IsSuccess)
        {
            return id.Error;
        }

        if (request.Email is not { } email)
        {
            return OtpError.Invalid("OTPEMAIL-EMAIL-REQUIRED", "email is required");
        }

        if (EmailAddress.Check(email.Address) is { } badAddress)
        {
            return badAddress;
        }

        var mode = ChooseMode(email);
        if (!mode.IsSuccess)
        {
            return mode.Error;
        }

        return await writer.RunAsync((db, ct) => AddAsync(db, caller, id.Value, email.Address!, mode.Value, ct), cancellationToken);
    }

    private async Task<Result<AddOtpEmailResponse>> AddAsync(AppDbContext db, Caller caller, long userId, string address, Delivery mode, CancellationToken cancellationToken)
    {
        var found = await UserAccess.FindAsync(db, caller, userId, tracked: true, cancellationToken);
        if (!found.IsSuccess)
        {
            return found.Error;
        }

        var user = found.Value;
        var normalized = EmailAddress.Normalize(address);
        if (await db.OtpEmails.AnyAsync(a => a.UserId == user.Id && a.NormalizedAddress == normalized && a.State != OtpEmailState.Removed, cancellationToken))
        {
            return AlreadyRegistered;
        }

        var now = time.GetUtcNow();
        var authenticator = new OtpEmailAuthenticator
        {
            Id = ids.Next(),
            UserId = user.Id,
            Address = address,
            NormalizedAddress = normalized,
            State = mode.Kind == DeliveryKind.AlreadyVerified ? OtpEmailState.Ready : OtpEmailState.Pending,
            CreatedAt = now,
            CreatedBy = caller.Subject,
            VerifiedAt = mode.Kind == DeliveryKind.AlreadyVerified ? now : null,
        };

        string? code = null;
        if (mode.Kind != DeliveryKind.AlreadyVerified)
        {
            code = codes.Generate();
            authenticator.CodeHash = codes.Hash(code);
            authenticator.CodeExpiresAt = now + _otp.CodeLifetime;
        }

        if (mode.Kind == DeliveryKind.SendCode)
        {
            var link = VerificationLink(mode.Template, user, code!);
            if (!link.IsSuccess)
            {
                return link.Error;
            }

            outbox.Enqueue(db, address, VerificationMail.Subject, VerificationMail.Compose(code!, link.Value, _otp.CodeLifetime),
                authenticator.CodeExpiresAt!.Value, user.Id, authenticator.Id);
        }

        db.OtpEmails.Add(authenticator);
        UserEvents.Append(db, user, UserEventTypes.OtpEmailAdded, caller, new
        {
            OtpEmailId = Id(authenticator.Id),
            Address = address,
            Mode = mode.Name,
        }, now);

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (DbWriter.IsUniqueViolation(e))
        {
            return AlreadyRegistered;
        }

        if (mode.Kind == DeliveryKind.SendCode)
        {
            outbox.Notify();
        }

        LogAdded(logger, authenticator.Id, user.Id, caller.Subject, mode.Name);
        return new AddOtpEmailResponse(Details.Of(user), Id(authenticator.Id), mode.Kind == DeliveryKind.ReturnCode ? code : null);
    }

    /// <summary>
    /// The verification oneof: at most one of sendCode, returnCode and isVerified (none means
    /// sendCode without a template); isVerified only as true; a template checked for form here.
    /// </summary>
    private static Result<Delivery> ChooseMode(SetEmail email)
    {
        var members = (email.SendCode is null ? 0 : 1) + (email.ReturnCode is null ? 0 : 1) + (email.IsVerified is null ? 0 : 1);
        if (members > 1)
        {
            return OtpError.Invalid("OTPEMAIL-VERIFICATION-ONEOF", "email may set only one of sendCode, returnCode and isVerified");
        }

        if (email.IsVerified is false)
        {
            return OtpError.Invalid("OTPEMAIL-ISVERIFIED-FALSE", "email.isVerified must be true when present");
        }

        if (email.IsVerified is true)
        {
            return new Delivery(DeliveryKind.AlreadyVerified, null);
        }

        if (email.ReturnCode is not null)
        {
            return new Delivery(DeliveryKind.ReturnCode, null);
        }

        if (email.SendCode?.UrlTemplate is not { } template)
        {
            return new Delivery(DeliveryKind.SendCode, null);
        }

        var parsed = UrlTemplate.Parse(template);
        return parsed.IsSuccess ? new Delivery(DeliveryKind.SendCode, parsed.Value) : parsed.Error;
    }

    /// <summary>The caller's template rendered, or the app's own verification page.</summary>
    private Result<Uri> VerificationLink(UrlTemplate? template, User user, string code)
    {
        var userId = Id(user.Id);
        var orgId = Id(user.OrganizationId);
        if (template is not null)
        {
            return template.Render(userId, code, orgId);
        }

        var baseUrl = appOptions.Value.PublicBaseUrl.TrimEnd('/');
        return new Uri($"{baseUrl}/otp-email/verify?userID={Uri.EscapeDataString(userId)}&code={Uri.EscapeDataString(code)}&orgID={Uri.EscapeDataString(orgId)}");
    }

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    private static OtpError AlreadyRegistered =>
        OtpError.Exists("OTPEMAIL-ALREADY-EXISTS", "This address is already registered as an OTP Email authenticator for the user");

    private enum DeliveryKind
    {
        SendCode,
        ReturnCode,
        AlreadyVerified,
    }

    private sealed record Delivery(DeliveryKind Kind, UrlTemplate? Template)
    {
        public string Name => Kind switch
        {
            DeliveryKind.SendCode => "send_code",
            DeliveryKind.ReturnCode => "return_code",
            _ => "is_verified",
        };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "OTP email {OtpEmailId} added to user {UserId} by {Actor} ({Mode})")]
    private static partial void LogAdded(ILogger logger, long otpEmailId, long userId, string actor, string mode);
}
