using System.Net;
using System.Text;
using OtpEmail.Admin.Common;

namespace OtpEmail.Admin.Features.OtpEmail;

/// <summary>
/// A verification-link template: text with the placeholders <c>{{.UserID}}</c>, <c>{{.Code}}</c> and
/// <c>{{.OrgID}}</c> and nothing else in braces. Values are URL-encoded when rendered, and the
/// rendered link must be an absolute https URL (http only for loopback hosts) without user info.
/// </summary>
public sealed class UrlTemplate
{
    public const int MaxLength = 200;

    /// <summary>Where the template is in a request, for messages and forms.</summary>
    public const string Field = "email.sendCode.urlTemplate";
    private const string UserIdPlaceholder = "{{.UserID}}";
    private const string CodePlaceholder = "{{.Code}}";
    private const string OrgIdPlaceholder = "{{.OrgID}}";

    private readonly string _template;

    private UrlTemplate(string template) => _template = template;

    /// <summary>Checks the template's form; the link it renders is checked by <see cref="Render"/>.</summary>
    public static Result<UrlTemplate> Parse(string template)
    {
        if (template.Length is 0 or > MaxLength)
        {
            return AppError.Invalid("URLTEMPLATE-LENGTH", $"email.sendCode.urlTemplate must be 1–{MaxLength} characters", Field);
        }

        var rest = template.AsSpan();
        while (true)
        {
            var open = rest.IndexOf("{{");
            var close = rest.IndexOf("}}");
            if (open < 0 && close < 0)
            {
                return new UrlTemplate(template);
            }

            if (open < 0 || (close >= 0 && close < open))
            {
                return AppError.Invalid("URLTEMPLATE-UNBALANCED", "email.sendCode.urlTemplate has a '}}' without its '{{'", Field);
            }

            var end = rest[open..].IndexOf("}}");
            if (end < 0)
            {
                return AppError.Invalid("URLTEMPLATE-UNBALANCED", "email.sendCode.urlTemplate has a '{{' without its '}}'", Field);
            }

            var placeholder = rest.Slice(open, end + 2);
            if (!placeholder.SequenceEqual(UserIdPlaceholder) && !placeholder.SequenceEqual(CodePlaceholder) && !placeholder.SequenceEqual(OrgIdPlaceholder))
            {
                return AppError.Invalid("URLTEMPLATE-PLACEHOLDER", $"email.sendCode.urlTemplate may only use {UserIdPlaceholder}, {CodePlaceholder} and {OrgIdPlaceholder}", Field);
            }

            rest = rest[(open + end + 2)..];
        }
    }

    /// <summary>Fills the placeholders and checks that the result is a safe link.</summary>
    public Result<Uri> Render(string userId, string code, string orgId)
    {
        var text = new StringBuilder(_template)
            .Replace(UserIdPlaceholder, Uri.EscapeDataString(userId))
            .Replace(CodePlaceholder, Uri.EscapeDataString(code))
            .Replace(OrgIdPlaceholder, Uri.EscapeDataString(orgId))
            .ToString();
        return CheckLink(text);
    }

    /// <summary>Absolute https, or http on a loopback host; no user info; no control characters.</summary>
    public static Result<Uri> CheckLink(string text)
    {
        if (text.Any(char.IsControl) || !Uri.TryCreate(text, UriKind.Absolute, out var uri))
        {
            return AppError.Invalid("URLTEMPLATE-NOT-ABSOLUTE", "email.sendCode.urlTemplate must render an absolute URL", Field);
        }

        var secure = uri.Scheme == Uri.UriSchemeHttps;
        var loopbackHttp = uri.Scheme == Uri.UriSchemeHttp && IsLoopback(uri);
        if (!secure && !loopbackHttp)
        {
            return AppError.Invalid("URLTEMPLATE-SCHEME", "email.sendCode.urlTemplate must render an https URL (http only for localhost)", Field);
        }

        if (uri.UserInfo.Length > 0)
        {
            return AppError.Invalid("URLTEMPLATE-USERINFO", "email.sendCode.urlTemplate must not contain user info (user@host)", Field);
        }

        return uri;
    }

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.DnsSafeHost, out var ip) && IPAddress.IsLoopback(ip));
}
