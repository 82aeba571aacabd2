using System.Globalization;
using System.Net;
using OtpEmail.Admin.Infrastructure.Email;

namespace OtpEmail.Admin.Features.OtpEmail;

/// <summary>
/// The verification email: a plain-text and an HTML part with the code and its link. The outbox
/// stores only those and the code's lifetime, and renders the mail at delivery.
/// </summary>
public sealed class VerificationMail : IMailTemplate
{
    public const string Subject = "Verify your email address";
    public const string TemplateName = "otp-email-verification";

    private const string Code = "code";
    private const string Link = "link";
    private const string Minutes = "minutes";

    public string Name => TemplateName;

    public static MailContent Content(string code, Uri link, TimeSpan lifetime) => new(TemplateName, new Dictionary<string, string>
    {
        [Code] = code,
        [Link] = link.AbsoluteUri,
        [Minutes] = ((int)Math.Round(lifetime.TotalMinutes)).ToString(CultureInfo.InvariantCulture),
    });

    public MailBody Render(IReadOnlyDictionary<string, string> values)
    {
        var (code, url, minutes) = (values[Code], values[Link], values[Minutes]);
        var text = $"""
            Someone added this address as a second factor for signing in.

            To confirm it, open this link within {minutes} minutes:
            {url}

            Or enter this code: {code}

            If this was not you, ignore this email; nothing changes until the address is verified.
            """;
        var html = $"""
            <!DOCTYPE html>
            <html lang="en"><body style="font-family:sans-serif">
            <p>Someone added this address as a second factor for signing in.</p>
            <p>To confirm it, open this link within {WebUtility.HtmlEncode(minutes)} minutes:</p>
            <p><a href="{WebUtility.HtmlEncode(url)}">Verify this email address</a></p>
            <p>Or enter this code: <strong style="font-family:monospace">{WebUtility.HtmlEncode(code)}</strong></p>
            <p>If this was not you, ignore this email; nothing changes until the address is verified.</p>
            </body></html>
            """;
        return new MailBody(text, html);
    }
}
