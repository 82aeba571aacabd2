using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Features.MailTexts;

/// <summary>An organization's mail settings as the Mail texts page shows them, with the languages it has its own text in.</summary>
public sealed record OrganizationMailSettings(string OrganizationId, string Name, string? SenderName, string DefaultLanguage, IReadOnlyList<string> OwnLanguages);

/// <summary>
/// An organization's sender display name (<c>"Acme Sign-in" &lt;no-reply@…&gt;</c>; the address stays
/// <c>Mail:From</c>) and default language: read by every staff role, changed by <c>otp-admin</c>.
/// </summary>
public sealed class OrganizationMail(IDbContextFactory<AppDbContext> dbs, DbWriter writer, UserEventLog events, TimeProvider time)
{
    public const string Changed = "organization.mail_changed";

    /// <summary>The organizations the caller may see, by name, with their settings.</summary>
    public async Task<Result<IReadOnlyList<OrganizationMailSettings>>> ListAsync(Caller caller, CancellationToken cancellationToken)
    {
        if (UserAccess.RequirePermission(caller, Permissions.UserRead) is { } denied)
        {
            return denied;
        }

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var organizations = await db.Organizations.AsNoTracking().OrderBy(o => o.Name)
            .Select(o => new { o.Id, o.Name, o.SenderName, o.DefaultLanguage, Own = db.Set<MessageText>().Where(t => t.OrganizationId == o.Id).Select(t => t.Language).ToList() })
            .ToListAsync(cancellationToken);
        return organizations.Where(o => caller.CanActOn(o.Id))
            .Select(o => new OrganizationMailSettings(DecimalId.Format(o.Id), o.Name, o.SenderName, o.DefaultLanguage, o.Own.Order(StringComparer.Ordinal).ToList()))
            .ToList();
    }

    public async Task<Result<Details>> SetAsync(Caller caller, string organizationId, string? senderName, string defaultLanguage, CancellationToken cancellationToken)
    {
        if (UserAccess.RequirePermission(caller, Permissions.OrgWrite) is { } denied)
        {
            return denied;
        }

        var sender = string.IsNullOrWhiteSpace(senderName) ? null : senderName.Trim();
        if (sender is not null && (sender.Length > Organization.MaxSenderNameLength || sender.Any(char.IsControl)))
        {
            return AppError.Invalid("ORGANIZATION-SENDER-NAME", $"senderName has at most {Organization.MaxSenderNameLength} characters, without line breaks", "senderName");
        }

        var language = LanguageTag.Parse(defaultLanguage, "defaultLanguage");
        if (!language.IsSuccess)
        {
            return language.Error;
        }

        return await writer.WriteAsync<Details>(async (db, ct) =>
        {
            var id = await MessageTexts.OrganizationAsync(db, caller, organizationId, ct);
            if (!id.IsSuccess)
            {
                return id.Error;
            }

            var organization = await db.Organizations.SingleAsync(o => o.Id == id.Value, ct);
            (organization.SenderName, organization.DefaultLanguage) = (sender, language.Value);
            var change = await events.AppendForOrganizationAsync(db, id.Value, Changed, caller, new { senderName = sender, language = language.Value }, time.GetUtcNow(), ct);
            return change.Details();
        }, cancellationToken);
    }
}
