using MudBlazor;

namespace OtpEmail.Admin.Components.Layout;

/// <summary>MudBlazor's palette with colours dark enough for WCAG AA contrast on white and as fills.</summary>
public static class AppTheme
{
    public static readonly MudTheme Value = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#4527a0",
            Secondary = "#ad1457",
            Info = "#01579b",
            Success = "#1b5e20",
            Warning = "#7a4100",
            Error = "#b71c1c",
            AppbarBackground = "#4527a0",
            TextSecondary = "rgba(0,0,0,0.68)",
        },
    };
}
