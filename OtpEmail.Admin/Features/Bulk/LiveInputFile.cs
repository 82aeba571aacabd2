using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;

namespace OtpEmail.Admin.Features.Bulk;

/// <summary>
/// An <see cref="InputFile"/> that says when it can take a file: the framework wires the element up
/// with a script call after its first render, and a file chosen before that call is done goes
/// nowhere. <see cref="OnLive"/> fires once it is done, so the page can keep the input disabled until then.
/// </summary>
public sealed class LiveInputFile : InputFile
{
    [Parameter]
    public EventCallback OnLive { get; set; }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        await base.OnAfterRenderAsync(firstRender);
        if (firstRender)
        {
            await OnLive.InvokeAsync();
        }
    }
}
