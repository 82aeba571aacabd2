using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.MailTexts;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure;
using OtpEmail.Admin.Infrastructure.Data;
using OtpEmail.Admin.Infrastructure.Email;

namespace OtpEmail.Admin.Features.OtpEmail;

/// <summary>
/// Gives a pending authenticator a new code, the old one no longer working: within the hourly send
/// limits (per authenticator, and per recipient across all users), with its link checked, and for
/// send code with the verification mail queued in the same unit of work. Everything is checked
/// before anything is staged.
/// </summary>
public sealed class CodeIssuer(VerificationCodes codes, VerificationMessages messages, MailOutbox outbox, IOptions<OtpSettings> otp, IOptions<AppSettings> app)
{
    private static readonly PreparedQuery StoredRecipientCount = new(
        (db, arguments) => db.Set<RecipientMailCount>().AsNoTracking()
            .Where(c => c.Address == (string)arguments[0])
            .Select(c => new { c.WindowStart, c.Count }),
        "\u0001");

    private static readonly PreparedInsert<RecipientMailCount> NewRecipientCount = new();

    /// <summary>The read of a send-code issue's count for <paramref name="mailbox"/> (see <see cref="EmailAddress.Mailbox"/>), as it makes it and to be read ahead (see <see cref="ReadAhead"/>).</summary>
    internal static (PreparedQuery Query, object[] Arguments) RecipientCountRead(string mailbox) => (StoredRecipientCount, [mailbox]);

    /// <summary>What a send-code issue counts mail by, as a key of <see cref="ReadAhead"/>: its mailbox.</summary>
    internal static object RecipientKey(string mailbox) => new Mailbox(mailbox);

    /// <summary>Returns the new code in plain text: for the response in return-code mode, else to forget.</summary>
    public async Task<Result<string>> IssueAsync(
        AppDbContext db, User user, OtpEmailAuthenticator authenticator, Verification verification, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var settings = otp.Value;
        var codesWindow = HourlyLimit.Current(authenticator.CodeWindowStart, authenticator.CodesInWindow, now);
        if (codesWindow.Count >= settings.CodesPerHour)
        {
            return AppError.Exhausted("OTPEMAIL-SEND-LIMIT", $"At most {settings.CodesPerHour} codes an hour may be issued for one authenticator",
                HourlyLimit.RetryAfter(codesWindow.Start, now));
        }

        var code = codes.Generate();
        var expiresAt = now + settings.CodeLifetime;
        MailContent? mail = null;
        var subject = "";
        RecipientMailCount? sent = null;
        var mailWindow = (Start: now, Count: 0);
        if (verification.Mode == VerificationMode.SendCode)
        {
            sent = await RecipientCountAsync(db, EmailAddress.Mailbox(authenticator.Address), cancellationToken);
            mailWindow = HourlyLimit.Current(sent?.WindowStart, sent?.Count ?? 0, now);
            if (mailWindow.Count >= settings.MailsPerRecipientPerHour)
            {
                return AppError.Exhausted("OTPEMAIL-RECIPIENT-LIMIT",
                    $"At most {settings.MailsPerRecipientPerHour} verification mails an hour may be sent to one mailbox",
                    HourlyLimit.RetryAfter(mailWindow.Start, now), OtpEmailErrors.AddressField);
            }

            var message = await messages.ForAsync(db, user, cancellationToken);
            var link = Link(verification.Template, user, code, message.Language);
            if (!link.IsSuccess)
            {
                return link.Error;
            }

            mail = message.Content(user, code, link.Value, settings.CodeLifetime);
            subject = message.SubjectAtRest(user, settings.CodeLifetime);
        }

        authenticator.CodeHash = codes.Hash(code);
        authenticator.CodeExpiresAt = expiresAt;
        authenticator.FailedAttempts = 0;
        authenticator.CodeWindowStart = codesWindow.Start;
        authenticator.CodesInWindow = codesWindow.Count + 1;
        if (mail is not null)
        {
            if (sent is null)
            {
                await NewRecipientCount.ExecuteAsync(
                    db, new RecipientMailCount { Address = EmailAddress.Mailbox(authenticator.Address), WindowStart = mailWindow.Start, Count = 1 }, cancellationToken);
            }
            else
            {
                sent.WindowStart = mailWindow.Start;
                sent.Count = mailWindow.Count + 1;
            }

            await outbox.EnqueueAsync(db, authenticator.Address, subject, mail, expiresAt, authenticator.MailReference, cancellationToken, user.OrganizationId);
        }

        return code;
    }

    /// <summary>
    /// The recipient's count, tracked to be counted up (its count is a concurrency token): the one this
    /// unit of work already holds, else the stored one (a count first stored earlier in the same
    /// batch included, see <see cref="PreparedInsert{TEntity}"/>), read by a prepared command.
    /// </summary>
    private static async Task<RecipientMailCount?> RecipientCountAsync(AppDbContext db, string address, CancellationToken cancellationToken)
    {
        if (db.Set<RecipientMailCount>().Local.FindEntry(address) is { } staged)
        {
            return staged.Entity;
        }

        var (query, arguments) = RecipientCountRead(address);
        await using var row = await query.ExecuteReaderAsync(db, arguments, cancellationToken);
        if (!await row.ReadAsync(cancellationToken))
        {
            return null;
        }

        var stored = new RecipientMailCount { Address = address, WindowStart = AppDbContext.StoredTime(row, 0), Count = row.GetInt32(1) };
        db.Attach(stored);
        return stored;
    }

    /// <summary>The caller's template rendered (to an allowed host), or the app's own verification page in the mail's language.</summary>
    private Result<Uri> Link(UrlTemplate? template, User user, string code, string language)
    {
        var userId = DecimalId.Format(user.Id);
        var orgId = DecimalId.Format(user.OrganizationId);
        if (template is not null)
        {
            var rendered = template.Render(userId, code, orgId);
            return !rendered.IsSuccess || HostAllowed(rendered.Value.Host)
                ? rendered
                : AppError.Invalid("URLTEMPLATE-HOST",
                    $"{UrlTemplate.Field} must link to one of these hosts: {string.Join(", ", otp.Value.AllowedTemplateHosts)}", UrlTemplate.Field);
        }

        var baseUrl = app.Value.PublicBaseUrl.TrimEnd('/');
        return new Uri($"{baseUrl}/otp-email/verify?userID={Uri.EscapeDataString(userId)}&code={Uri.EscapeDataString(code)}&orgID={Uri.EscapeDataString(orgId)}&lang={Uri.EscapeDataString(language)}");
    }

    // "*" (or, in Development, nothing): any host. "example.com" is that host; "*.example.com" any of its subdomains.
    private bool HostAllowed(string host) =>
        otp.Value.AllowedTemplateHosts.Count == 0
        || otp.Value.AllowedTemplateHosts.Any(allowed => allowed == OtpSettings.AnyHost)
        || otp.Value.AllowedTemplateHosts.Any(allowed => allowed.StartsWith("*.", StringComparison.Ordinal)
            ? host.EndsWith(allowed[1..], StringComparison.OrdinalIgnoreCase)
            : string.Equals(host, allowed, StringComparison.OrdinalIgnoreCase));

    private readonly record struct Mailbox(string Address);
}
