using System.Globalization;
using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure.Data;
using OtpEmail.Admin.Infrastructure.Email;

namespace OtpEmail.Admin.Features.MailTexts;

/// <summary>
/// What a user's verification mail will say, decided when its code is issued: the language (the
/// user's if the organization has a text or we ship one for it, <c>pt-BR</c> falling back to <c>pt</c>;
/// else the organization's default language; else English), the organization's name and sender
/// name, and its own texts in that language if it has them.
/// </summary>
public sealed record VerificationMessage(string Language, string OrganizationName, string? SenderName, MessageFields? Custom)
{
    /// <summary>The outbox's content of this message for one code: rendered at delivery by <see cref="VerificationMail"/>.</summary>
    public MailContent Content(User user, string code, Uri link, TimeSpan lifetime) => new(VerificationMail.TemplateName, Values(user, code, link, lifetime));

    /// <summary>The subject as the outbox row keeps it in the clear: rendered, with the code masked.</summary>
    public string SubjectAtRest(User user, TimeSpan lifetime)
    {
        var subject = VerificationMail.Subject(Values(user, "******", new Uri("https://example.invalid/"), lifetime));
        return subject.Length > 200 ? subject[..200] : subject;
    }

    private Dictionary<string, string> Values(User user, string code, Uri link, TimeSpan lifetime)
    {
        var values = new Dictionary<string, string>
        {
            [VerificationMail.CodeKey] = code,
            [VerificationMail.LinkKey] = link.AbsoluteUri,
            [VerificationMail.MinutesKey] = ((int)Math.Round(lifetime.TotalMinutes)).ToString(CultureInfo.InvariantCulture),
            [VerificationMail.LanguageKey] = Language,
            [VerificationMail.OrgNameKey] = OrganizationName,
            [VerificationMail.UserNameKey] = user.Username,
            [VerificationMail.FirstNameKey] = user.GivenName,
            [VerificationMail.LastNameKey] = user.FamilyName,
            [VerificationMail.DisplayNameKey] = user.DisplayName,
        };
        if (SenderName is { Length: > 0 } sender)
        {
            values[VerificationMail.SenderNameKey] = sender;
        }

        if (Custom is not null)
        {
            foreach (var ((name, _), value) in MessageFields.Limits.Zip(Custom.Values))
            {
                if (value.Length > 0)
                {
                    values[VerificationMail.FieldKey(name)] = value;
                }
            }
        }

        return values;
    }
}

/// <summary>Decides each verification mail's language and texts (see <see cref="VerificationMessage"/>).</summary>
public sealed class VerificationMessages
{
    /// <summary>One read: the organization and all its own texts (an organization has a handful).</summary>
    public async Task<VerificationMessage> ForAsync(AppDbContext db, User user, CancellationToken cancellationToken)
    {
        var organization = await db.Organizations.AsNoTracking()
            .Where(o => o.Id == user.OrganizationId)
            .Select(o => new { o.Name, o.SenderName, o.DefaultLanguage, Texts = db.Set<MessageText>().Where(t => t.OrganizationId == o.Id).ToList() })
            .SingleAsync(cancellationToken);
        var language = Choose(user.PreferredLanguage, organization.DefaultLanguage, organization.Texts.Select(t => t.Language).ToHashSet());
        var custom = organization.Texts.FirstOrDefault(t => t.Language == language)?.Fields;
        return new VerificationMessage(language, organization.Name, organization.SenderName, custom);
    }

    /// <summary>The first of the user's language, its base, the organization's default, its base, and English that has a text.</summary>
    public static string Choose(string? preferred, string organizationDefault, IReadOnlySet<string> ownTexts)
    {
        string[] candidates = preferred is { Length: > 0 }
            ? [preferred, LanguageTag.Base(preferred), organizationDefault, LanguageTag.Base(organizationDefault)]
            : [organizationDefault, LanguageTag.Base(organizationDefault)];
        return candidates.FirstOrDefault(c => ownTexts.Contains(c) || DefaultTexts.Ships(c)) ?? LanguageTag.English;
    }
}
