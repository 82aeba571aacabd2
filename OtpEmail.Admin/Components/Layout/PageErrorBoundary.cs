using System.Runtime.ExceptionServices;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.AspNetCore.Components.Web;
using MudBlazor;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Components.Layout;

/// <summary>
/// Around every staff page: a database that cannot be reached shows a message with <b>Try again</b> in
/// place of the page (logged once per outage, by <see cref="DatabaseOutage"/>), and the live connection
/// stays up. Any other failure ends the connection as before, with the reload bar.
/// </summary>
public sealed class PageErrorBoundary : ErrorBoundary
{
    [Inject]
    private DatabaseOutage Outage { get; set; } = default!;

    protected override Task OnErrorAsync(Exception exception)
    {
        if (!Outage.TryReport(exception))
        {
            // Thrown here (a faulted task would be dropped): fatal to the circuit, and logged by it, as without a boundary.
            ExceptionDispatchInfo.Throw(exception);
        }

        return Task.CompletedTask;
    }

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        if (CurrentException is null)
        {
            builder.AddContent(0, ChildContent);
            return;
        }

        builder.OpenComponent<MudAlert>(1);
        builder.AddComponentParameter(2, nameof(MudAlert.Severity), Severity.Warning);
        builder.AddAttribute(3, "role", "alert");
        builder.AddAttribute(4, "data-testid", "database-unavailable");
        builder.AddComponentParameter(5, nameof(MudAlert.ChildContent), (RenderFragment)(alert =>
        {
            alert.AddContent(6, StaffMessages.For(DatabaseOutage.Error));
            alert.OpenComponent<MudButton>(7);
            alert.AddComponentParameter(8, nameof(MudButton.Variant), Variant.Text);
            alert.AddComponentParameter(9, nameof(MudButton.Class), "ml-2");
            alert.AddComponentParameter(10, nameof(MudButton.OnClick), EventCallback.Factory.Create<MouseEventArgs>(this, Recover));
            alert.AddComponentParameter(11, nameof(MudButton.ChildContent), (RenderFragment)(text => text.AddContent(12, StaffMessages.TryAgain)));
            alert.CloseComponent();
        }));
        builder.CloseComponent();
    }
}
