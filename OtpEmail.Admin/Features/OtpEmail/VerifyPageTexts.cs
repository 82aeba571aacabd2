using System.Globalization;
using System.Resources;
using OtpEmail.Admin.Common;

namespace OtpEmail.Admin.Features.OtpEmail;

/// <summary>
/// The words of the public verification page in the mail's language (<c>VerifyPageTexts.de.resx</c>,
/// …, English where none ships): the default link names the language the mail was written in.
/// </summary>
public sealed class VerifyPageTexts
{
    private static readonly ResourceManager Texts = new("OtpEmail.Admin.Features.OtpEmail.VerifyPageTexts", typeof(VerifyPageTexts).Assembly);

    private readonly CultureInfo _culture;

    private VerifyPageTexts(string language, CultureInfo culture) => (Language, _culture) = (language, culture);

    /// <summary>The tag the page speaks, for its <c>lang</c> attribute.</summary>
    public string Language { get; }

    /// <summary>The page in <paramref name="language"/> (a BCP 47 tag from the link), else in English.</summary>
    public static VerifyPageTexts For(string? language)
    {
        var tag = LanguageTag.Parse(language, "lang");
        if (tag.IsSuccess)
        {
            try
            {
                return new VerifyPageTexts(tag.Value, CultureInfo.GetCultureInfo(tag.Value));
            }
            catch (CultureNotFoundException)
            {
                // A tag no culture knows: English, as for no tag.
            }
        }

        return new VerifyPageTexts(LanguageTag.English, CultureInfo.InvariantCulture);
    }

    public string this[string name] => Texts.GetString(name, _culture) ?? name;

    /// <summary>The page's words for a refusal, by the error's id; the service's message where none is written.</summary>
    public string For(AppError error) => Texts.GetString(error.Id, _culture) ?? error.Message;
}
