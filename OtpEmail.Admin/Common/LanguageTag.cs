using System.Text.RegularExpressions;

namespace OtpEmail.Admin.Common;

/// <summary>
/// A BCP 47 language tag as people and mail headers write it (<c>en</c>, <c>de</c>, <c>pt-BR</c>,
/// <c>zh-Hant-TW</c>): a language of two or three letters, then optional subtags, in their
/// canonical case (language lower, script title, region upper).
/// </summary>
public static partial class LanguageTag
{
    public const string English = "en";

    public const int MaxLength = 35;

    /// <summary>The tag in canonical case, or an error naming <paramref name="field"/>.</summary>
    public static Result<string> Parse(string? tag, string field)
    {
        if (tag is null || tag.Length > MaxLength || !Shape().IsMatch(tag))
        {
            return AppError.Invalid("LANGUAGE-INVALID", $"{field} must be a BCP 47 language tag such as en, de or pt-BR", field);
        }

        var parts = tag.Split('-');
        for (var i = 0; i < parts.Length; i++)
        {
            parts[i] = (i, parts[i].Length) switch
            {
                (0, _) => parts[i].ToLowerInvariant(),
                (_, 4) => char.ToUpperInvariant(parts[i][0]) + parts[i][1..].ToLowerInvariant(),
                (_, 2) => parts[i].ToUpperInvariant(),
                _ => parts[i].ToLowerInvariant(),
            };
        }

        return string.Join('-', parts);
    }

    /// <summary>The tag's language alone: <c>pt</c> for <c>pt-BR</c>.</summary>
    public static string Base(string tag) => tag.Split('-')[0];

    [GeneratedRegex("^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
    private static partial Regex Shape();
}
