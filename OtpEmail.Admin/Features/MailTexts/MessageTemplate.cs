using System.Text;
using OtpEmail.Admin.Common;

namespace OtpEmail.Admin.Features.MailTexts;

/// <summary>
/// A mail text with Go-template variables (<c>{{.Code}}</c>, <c>{{ .OrgName }}</c>), as ZITADEL's
/// message texts and our link templates write them, and nothing else in braces: checked when a
/// text is saved, so that delivery never meets a text it cannot render.
/// </summary>
public sealed class MessageTemplate
{
    public const string Code = "Code";
    public const string UserName = "UserName";
    public const string FirstName = "FirstName";
    public const string LastName = "LastName";
    public const string DisplayName = "DisplayName";
    public const string OrgName = "OrgName";
    public const string Expiry = "Expiry";

    /// <summary>The variables a text may use.</summary>
    public static readonly IReadOnlyList<string> Variables = [Code, UserName, FirstName, LastName, DisplayName, OrgName, Expiry];

    private readonly List<(string Literal, string? Variable)> _parts;

    private MessageTemplate(List<(string Literal, string? Variable)> parts) => _parts = parts;

    /// <summary>The text's parts, or an error naming <paramref name="field"/> and what is wrong in it.</summary>
    public static Result<MessageTemplate> Parse(string text, string field)
    {
        var parts = new List<(string, string?)>();
        var rest = text.AsSpan();
        while (rest.Length > 0)
        {
            var open = rest.IndexOf("{{");
            var close = rest.IndexOf("}}");
            if (open < 0 && close < 0)
            {
                parts.Add((rest.ToString(), null));
                break;
            }

            if (open < 0 || (close >= 0 && close < open))
            {
                return AppError.Invalid("MESSAGETEXT-MALFORMED", $"{field} has a '}}}}' without its '{{{{'", field);
            }

            var end = rest[open..].IndexOf("}}");
            if (end < 0)
            {
                return AppError.Invalid("MESSAGETEXT-MALFORMED", $"{field} has a '{{{{' without its '}}}}'", field);
            }

            var inside = rest.Slice(open + 2, end - 2).Trim().ToString();
            var name = inside.StartsWith('.') ? inside[1..] : null;
            if (name is null || !Variables.Contains(name, StringComparer.Ordinal))
            {
                return AppError.Invalid("MESSAGETEXT-VARIABLE",
                    $"{field} uses {{{{{inside}}}}}, which is not a variable; the variables are {string.Join(", ", Variables.Select(v => $"{{{{.{v}}}}}"))}", field);
            }

            parts.Add((rest[..open].ToString(), name));
            rest = rest[(open + end + 2)..];
        }

        return new MessageTemplate(parts);
    }

    /// <summary>The text with each variable's value, passed through <paramref name="encode"/> (HTML-escaping for the HTML part).</summary>
    public string Render(IReadOnlyDictionary<string, string> values, Func<string, string> encode, Func<string, string>? literal = null)
    {
        var text = new StringBuilder();
        foreach (var (part, variable) in _parts)
        {
            text.Append(literal is null ? part : literal(part));
            if (variable is not null)
            {
                text.Append(encode(values.GetValueOrDefault(variable, "")));
            }
        }

        return text.ToString();
    }
}
