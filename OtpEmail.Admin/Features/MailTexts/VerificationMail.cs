using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using OtpEmail.Admin.Infrastructure.Email;

namespace OtpEmail.Admin.Features.MailTexts;

/// <summary>
/// The verification mail, rendered at delivery from what the outbox stores (protected): the code, its
/// link and lifetime, the language, the organization's and user's names, and the organization's own
/// texts where it has them (else the shipped ones of that language). Whatever the texts say, the mail
/// carries the code, the link behind its button and in plain, a plain-text part, the organization's
/// name and its language.
/// </summary>
public sealed class VerificationMail : IMailTemplate
{
    public const string TemplateName = "otp-email-verification";

    internal const string CodeKey = "code";
    internal const string LinkKey = "link";
    internal const string MinutesKey = "minutes";
    internal const string LanguageKey = "language";
    internal const string OrgNameKey = "orgName";
    internal const string SenderNameKey = "senderName";
    internal const string UserNameKey = "userName";
    internal const string FirstNameKey = "firstName";
    internal const string LastNameKey = "lastName";
    internal const string DisplayNameKey = "displayName";

    /// <summary>Where an organization's own field is stored among the values: <c>text.subject</c>, ….</summary>
    internal static string FieldKey(string field) => "text." + field;

    public string Name => TemplateName;

    public MailBody Render(IReadOnlyDictionary<string, string> values)
    {
        var language = Language(values);
        var fields = Fields(values);
        var lines = DefaultTexts.Lines(language);
        var variables = Variables(values);
        var (code, link) = (values[CodeKey], values[LinkKey]);

        string Plain(string template) => MessageTemplate.Parse(template, "").Value.Render(variables, v => v);
        string Markup(string template) => MessageTemplate.Parse(template, "").Value.Render(variables, Encode, Encode);

        var text = new StringBuilder()
            .AppendLine(Plain(fields.Greeting)).AppendLine()
            .AppendLine(Plain(fields.Text)).AppendLine()
            .AppendLine($"{Plain(fields.ButtonText)}: {link}").AppendLine()
            .AppendLine($"{Plain(lines.CodeLabel)} {code}").AppendLine()
            .AppendLine(Plain(fields.FooterText))
            .AppendLine("--")
            .AppendLine(Plain(lines.SentFor))
            .ToString();
        var href = Html.Encode(link);
        var small = "font-size:12px;color:#555";
        var html = $"""
            <!DOCTYPE html>
            <html lang="{Html.Encode(language)}"><head><meta charset="utf-8"><title>{Markup(fields.Title)}</title></head>
            <body style="font-family:sans-serif;line-height:1.5">
            <div style="display:none;max-height:0;overflow:hidden">{Markup(fields.PreHeader)}</div>
            <h1 style="font-size:20px">{Markup(fields.Title)}</h1>
            <p>{Markup(fields.Greeting)}</p>
            <p>{Markup(fields.Text)}</p>
            <p><a href="{href}" style="display:inline-block;padding:10px 18px;background:#1565c0;color:#ffffff;text-decoration:none;border-radius:4px">{Markup(fields.ButtonText)}</a></p>
            <p>{Markup(lines.CodeLabel)} <strong style="font-family:monospace;font-size:18px">{Html.Encode(code)}</strong></p>
            <p style="{small}">{Markup(lines.LinkLabel)}<br><a href="{href}">{href}</a></p>
            <p style="{small}">{Markup(fields.FooterText)}</p>
            <p style="{small}">{Markup(lines.SentFor)}</p>
            </body></html>
            """;
        return new MailBody(text, html)
        {
            Subject = Subject(fields, variables),
            Language = language,
            SenderName = values.GetValueOrDefault(SenderNameKey) is { Length: > 0 } sender ? sender : values.GetValueOrDefault(OrgNameKey),
        };
    }

    /// <summary>The subject alone, with <paramref name="values"/>' code in it (where its text has one).</summary>
    internal static string Subject(IReadOnlyDictionary<string, string> values) => Subject(Fields(values), Variables(values));

    private static string Subject(MessageFields fields, Dictionary<string, string> variables) =>
        OneLine(MessageTemplate.Parse(fields.Subject, "").Value.Render(variables, v => v));

    private static string Language(IReadOnlyDictionary<string, string> values) => values.GetValueOrDefault(LanguageKey) ?? "en";

    /// <summary>The organization's fields where stored (and still valid), else the shipped ones of the language.</summary>
    private static MessageFields Fields(IReadOnlyDictionary<string, string> values)
    {
        var defaults = DefaultTexts.Fields(Language(values));
        return MessageFields.From(MessageFields.Limits
            .Zip(defaults.Values, (field, fallback) => values.GetValueOrDefault(FieldKey(field.Name)) is { Length: > 0 } own && MessageTemplate.Parse(own, "").IsSuccess ? own : fallback)
            .ToList());
    }

    /// <summary>The variables' values for the texts (see <see cref="MessageTemplate.Variables"/>).</summary>
    internal static Dictionary<string, string> Variables(IReadOnlyDictionary<string, string> values) => new()
    {
        [MessageTemplate.Code] = values.GetValueOrDefault(CodeKey, ""),
        [MessageTemplate.UserName] = values.GetValueOrDefault(UserNameKey, ""),
        [MessageTemplate.FirstName] = values.GetValueOrDefault(FirstNameKey, ""),
        [MessageTemplate.LastName] = values.GetValueOrDefault(LastNameKey, ""),
        [MessageTemplate.DisplayName] = values.GetValueOrDefault(DisplayNameKey, ""),
        [MessageTemplate.OrgName] = values.GetValueOrDefault(OrgNameKey, ""),
        [MessageTemplate.Expiry] = values.GetValueOrDefault(MinutesKey, ""),
    };

    // Escapes markup (<, >, &, quotes) but not letters of any script, and keeps the texts' line breaks as breaks.
    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);

    private static string Encode(string text) => Html.Encode(text).Replace("&#xD;&#xA;", "<br>").Replace("&#xA;", "<br>");

    // A header is one line: line breaks in a subject become spaces.
    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim();
}
