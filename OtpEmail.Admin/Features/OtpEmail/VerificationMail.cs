using System.Net;
using OtpEmail.Admin.Infrastructure.Email;

namespace OtpEmail.Admin.Features.OtpEmail;

/// <summary>The verification email: a plain-text and an HTML part with the code and its link.</summary>
public static class VerificationMail
{
    public const string Subject = "Verify your email address";

    public static MailBody Compose(string code, Uri link, TimeSpan lifetime)
    {
        var minutes = (int)Math.Round(lifetime.TotalMinutes);
        var url = link.AbsoluteUri;
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
            <p>To confirm it, open this link within {minutes} minutes:</p>
            <p><a href="{WebUtility.HtmlEncode(url)}">Verify this email address</a></p>
            <p>Or enter this code: <strong style="font-family:monospace">{WebUtility.HtmlEncode(code)}</strong></p>
            <p>If this was not you, ignore this email; nothing changes until the address is verified.</p>
            </body></html>
            """;
        return new MailBody(text, html);
    }
}
