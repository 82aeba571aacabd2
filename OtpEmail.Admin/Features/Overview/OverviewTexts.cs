using System.Globalization;
using System.Resources;

namespace OtpEmail.Admin.Features.Overview;

/// <summary>The overview page's words (<c>OverviewTexts.resx</c>; a translator adds <c>OverviewTexts.&lt;language&gt;.resx</c>).</summary>
public static class OverviewTexts
{
    private static readonly ResourceManager Texts = new("OtpEmail.Admin.Features.Overview.OverviewTexts", typeof(OverviewTexts).Assembly);

    /// <summary>The text named <paramref name="name"/>, with <paramref name="values"/> in its placeholders.</summary>
    public static string T(string name, params object[] values)
    {
        var text = Texts.GetString(name, CultureInfo.CurrentUICulture) ?? throw new InvalidOperationException($"OverviewTexts.resx has no text named {name}.");
        return values.Length == 0 ? text : string.Format(CultureInfo.CurrentCulture, text, values);
    }
}
