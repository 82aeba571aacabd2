using MudBlazor.Services;

namespace OtpEmail.Admin.Components;

public static class StaffUiExtensions
{
    /// <summary>The staff pages: Blazor Server components with MudBlazor.</summary>
    public static WebApplicationBuilder AddStaffUi(this WebApplicationBuilder builder)
    {
        builder.Services.AddMudServices(mud =>
        {
            // Shown and gone at once: a message fading in or out is unreadable (and fails contrast) meanwhile.
            mud.SnackbarConfiguration.ShowTransitionDuration = 0;
            mud.SnackbarConfiguration.HideTransitionDuration = 0;
        });
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        return builder;
    }
}
