using System.Globalization;
using System.Resources;
using OtpEmail.Admin.Common;

namespace OtpEmail.Admin.Features.MailTexts;

/// <summary>
/// The verification mail's texts we ship, one resource file per language (<c>DefaultTexts.de.resx</c>,
/// …) that a translator edits without reading C#: the seven fields an organization may replace, and
/// three lines it may not (before the code, before the plain link, and whom the mail is sent for).
/// </summary>
public static class DefaultTexts
{
    /// <summary>The languages a resource file ships for; English is the last fallback.</summary>
    public static readonly IReadOnlyList<string> Shipped = ["en", "de", "fr", "es", "it", "nl", "pt", "pl", "ja"];

    private static readonly ResourceManager Texts = new("OtpEmail.Admin.Features.MailTexts.DefaultTexts", typeof(DefaultTexts).Assembly);

    /// <summary>Is there a shipped text for this tag itself (not for its base language)?</summary>
    public static bool Ships(string language) => Shipped.Contains(language, StringComparer.Ordinal);

    /// <summary>The shipped text of <paramref name="language"/>, else of its base language (<c>pt</c> for <c>pt-BR</c>), else English's.</summary>
    public static string ShippedLanguageFor(string language) =>
        Ships(language) ? language : Ships(LanguageTag.Base(language)) ? LanguageTag.Base(language) : LanguageTag.English;

    public static MessageFields Fields(string language)
    {
        var culture = Culture(language);
        return new MessageFields(
            Get("Title", culture), Get("PreHeader", culture), Get("Subject", culture), Get("Greeting", culture),
            Get("Text", culture), Get("ButtonText", culture), Get("FooterText", culture));
    }

    /// <summary>The lines every mail carries, whatever the organization's texts say.</summary>
    public static FixedLines Lines(string language)
    {
        var culture = Culture(language);
        return new FixedLines(Get("CodeLabel", culture), Get("LinkLabel", culture), Get("SentFor", culture));
    }

    private static CultureInfo Culture(string language) => CultureInfo.GetCultureInfo(ShippedLanguageFor(language));

    private static string Get(string name, CultureInfo culture) =>
        Texts.GetString(name, culture) ?? throw new InvalidOperationException($"DefaultTexts.resx has no '{name}'.");
}

/// <summary>The lines of the mail an organization cannot change: the code's label, the plain link's, and whom it is sent for.</summary>
public sealed record FixedLines(string CodeLabel, string LinkLabel, string SentFor);
