using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace OtpEmail.Admin.Tests.TestSupport;

/// <summary>
/// A bUnit context with MudBlazor in test mode (its services, loose JS interop) and a popover
/// provider rendered, disposed asynchronously as MudBlazor's services need. Components render as on a
/// live (interactive) page, as the app renders its staff pages.
/// </summary>
public abstract class MudTestContext : IAsyncLifetime
{
    protected MudTestContext()
    {
        Context.JSInterop.Mode = JSRuntimeMode.Loose;
        Context.Services.AddMudServices();
        Authorization = Context.AddAuthorization();
    }

    /// <summary>Who is signed in (nobody until a test says so).</summary>
    protected BunitAuthorizationContext Authorization { get; }

    protected BunitContext Context { get; } = new();

    /// <summary>Where popovers (autocomplete lists, menus) render.</summary>
    protected IRenderedComponent<MudPopoverProvider> Popovers { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Context.Renderer.SetRendererInfo(new RendererInfo("Server", isInteractive: true)); // as on a live page
        Popovers = Context.Render<MudPopoverProvider>();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Context.DisposeAsync();
}
