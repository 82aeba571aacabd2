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
        var fields = Templates.Of(values, DefaultTexts.Fields(language));
        var lines = DefaultTexts.Lines(language);
        var variables = Variables(values);
        var (code, link) = (values[CodeKey], values[LinkKey]);

        string Plain(MessageTemplate template) => template.Render(variables, v => v);
        string Markup(MessageTemplate template) => template.Render(variables, Encode, Encode);
        static MessageTemplate Fixed(string line) => MessageTemplate.Parse(line, "").Value;

        var text = new StringBuilder()
            .AppendLine(Plain(fields.Greeting)).AppendLine()
            .AppendLine(Plain(fields.Text)).AppendLine()
            .AppendLine($"{Plain(fields.ButtonText)}: {link}").AppendLine()
            .AppendLine($"{Plain(Fixed(lines.CodeLabel))} {code}").AppendLine()
            .AppendLine(Plain(fields.FooterText))
            .AppendLine("--")
            .AppendLine(Plain(Fixed(lines.SentFor)))
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
            <p>{Markup(Fixed(lines.CodeLabel))} <strong style="font-family:monospace;font-size:18px">{Html.Encode(code)}</strong></p>
            <p style="{small}">{Markup(Fixed(lines.LinkLabel))}<br><a href="{href}">{href}</a></p>
            <p style="{small}">{Markup(fields.FooterText)}</p>
            <p style="{small}">{Markup(Fixed(lines.SentFor))}</p>
            </body></html>
            """;
        return new MailBody(text, html)
        {
            Subject = OneLine(Plain(fields.Subject)),
            Language = language,
            SenderName = values.GetValueOrDefault(SenderNameKey) is { Length: > 0 } sender ? sender : values.GetValueOrDefault(OrgNameKey),
        };
    }

    /// <summary>The subject alone, with <paramref name="values"/>' code in it (where its text has one): only that field is parsed.</summary>
    internal static string Subject(IReadOnlyDictionary<string, string> values) =>
        OneLine(Templates.Field(values, "subject", DefaultTexts.Fields(Language(values)).Subject).Render(Variables(values), v => v));

    private static string Language(IReadOnlyDictionary<string, string> values) => values.GetValueOrDefault(LanguageKey) ?? "en";

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

    /// <summary>The seven fields, each parsed once: the organization's where stored (and still valid), else the shipped one of the language.</summary>
    private sealed record Templates(
        MessageTemplate Title, MessageTemplate PreHeader, MessageTemplate Subject, MessageTemplate Greeting,
        MessageTemplate Text, MessageTemplate ButtonText, MessageTemplate FooterText)
    {
        public static Templates Of(IReadOnlyDictionary<string, string> values, MessageFields defaults)
        {
            var parsed = MessageFields.Limits.Zip(defaults.Values, (field, fallback) => Field(values, field.Name, fallback)).ToList();
            return new Templates(parsed[0], parsed[1], parsed[2], parsed[3], parsed[4], parsed[5], parsed[6]);
        }

        public static MessageTemplate Field(IReadOnlyDictionary<string, string> values, string name, string fallback) =>
            values.GetValueOrDefault(FieldKey(name)) is { Length: > 0 } own && MessageTemplate.Parse(own, name) is { IsSuccess: true } stored
                ? stored.Value
                : MessageTemplate.Parse(fallback, name).Value;
    }
}
