using Microsoft.Extensions.Options;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure;
using OtpEmail.Admin.Infrastructure.Data;
using OtpEmail.Admin.Infrastructure.Email;

namespace OtpEmail.Admin.Features.OtpEmail;

/// <summary>
/// Gives a pending authenticator a new code, the old one no longer working: within the hourly send
/// limit, with its link checked, and for send code with the verification mail queued in the same
/// unit of work. Everything is checked before anything is staged.
/// </summary>
public sealed class CodeIssuer(VerificationCodes codes, MailOutbox outbox, IOptions<OtpSettings> otp, IOptions<AppSettings> app)
{
    private static readonly TimeSpan SendWindow = TimeSpan.FromHours(1);

    /// <summary>Returns the new code in plain text: for the response in return-code mode, else to forget.</summary>
    public Result<string> Issue(AppDbContext db, User user, OtpEmailAuthenticator authenticator, Verification verification, DateTimeOffset now)
    {
        var settings = otp.Value;
        var windowOpen = authenticator.CodeWindowStart is { } start && now - start < SendWindow;
        var windowStart = windowOpen ? authenticator.CodeWindowStart!.Value : now;
        var issuedInWindow = windowOpen ? authenticator.CodesInWindow : 0;
        if (issuedInWindow >= settings.CodesPerHour)
        {
            return OtpError.Exhausted("OTPEMAIL-SEND-LIMIT", $"At most {settings.CodesPerHour} codes an hour may be issued for one authenticator",
                windowStart + SendWindow - now);
        }

        var code = codes.Generate();
        var expiresAt = now + settings.CodeLifetime;
        MailBody? mail = null;
        if (verification.Mode == VerificationMode.SendCode)
        {
            var link = Link(verification.Template, user, code);
            if (!link.IsSuccess)
            {
                return link.Error;
            }

            mail = VerificationMail.Compose(code, link.Value, settings.CodeLifetime);
        }

        authenticator.CodeHash = codes.Hash(code);
        authenticator.CodeExpiresAt = expiresAt;
        authenticator.FailedAttempts = 0;
        authenticator.CodeWindowStart = windowStart;
        authenticator.CodesInWindow = issuedInWindow + 1;
        if (mail is not null)
        {
            outbox.Enqueue(db, authenticator.Address, VerificationMail.Subject, mail, expiresAt, authenticator.MailReference);
        }

        return code;
    }

    /// <summary>The caller's template rendered, or the app's own verification page.</summary>
    private Result<Uri> Link(UrlTemplate? template, User user, string code)
    {
        var userId = DecimalId.Format(user.Id);
        var orgId = DecimalId.Format(user.OrganizationId);
        if (template is not null)
        {
            return template.Render(userId, code, orgId);
        }

        var baseUrl = app.Value.PublicBaseUrl.TrimEnd('/');
        return new Uri($"{baseUrl}/otp-email/verify?userID={Uri.EscapeDataString(userId)}&code={Uri.EscapeDataString(code)}&orgID={Uri.EscapeDataString(orgId)}");
    }
}
