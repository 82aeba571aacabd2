using System.Net.Sockets;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using OtpEmail.Admin.Components.Layout;
using OtpEmail.Admin.Infrastructure.Data;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Components.Layout;

/// <summary>A staff page whose database cannot be reached says so and offers to try again; its live connection stays up.</summary>
public sealed class PageErrorBoundaryTests : MudTestContext
{
    private readonly LogSink _logs = new();
    private readonly DatabaseOutage _outage;
    private Exception? _failure;

    public PageErrorBoundaryTests()
    {
        _outage = new DatabaseOutage(TimeProvider.System, LoggerFactory.Create(logging => logging.AddProvider(_logs)).CreateLogger<DatabaseOutage>());
        Context.Services.AddSingleton(_outage);
    }

    [Fact]
    public void TheMessageReplacesThePageAndTryAgainBringsItBack()
    {
        var page = Context.Render<PageErrorBoundary>(boundary => boundary.AddChildContent<SavePage>(save => save.Add(p => p.Failure, () => _failure)));
        _failure = new InvalidOperationException("An exception has been raised that is likely due to a transient failure.",
            new NpgsqlException("Failed to connect to 127.0.0.1:5432", new SocketException((int)SocketError.ConnectionRefused)));

        page.Find("#save").Click();

        var alert = page.Find("[data-testid=database-unavailable]");
        Assert.Contains("The database cannot be reached right now", alert.TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("#save"));
        Assert.True(_outage.IsDown);
        Assert.Single(_logs.Lines, line => line.Contains("Database unreachable", StringComparison.Ordinal));

        _failure = null;
        page.Find("[data-testid=database-unavailable] button").Click();
        page.Find("#save").Click();
        Assert.Empty(page.FindAll("[data-testid=database-unavailable]"));
    }

    [Fact]
    public void AnyOtherFailureIsNotTakenForAnOutage()
    {
        var page = Context.Render<PageErrorBoundary>(boundary => boundary.AddChildContent<SavePage>(save => save.Add(p => p.Failure, () => _failure)));
        _failure = new InvalidOperationException("Sequence contains no elements");

        var thrown = Assert.Throws<InvalidOperationException>(() => page.Find("#save").Click()); // as without the boundary: fatal to the live connection
        Assert.Same(_failure, thrown);

        Assert.False(_outage.IsDown);
        Assert.Empty(page.FindAll("[data-testid=database-unavailable]"));
    }

    /// <summary>A page with one button whose handler fails as the test says (the boundary catches what its children throw).</summary>
    private sealed class SavePage : ComponentBase
    {
        [Parameter]
        public Func<Exception?> Failure { get; set; } = () => null;

        protected override void BuildRenderTree(Microsoft.AspNetCore.Components.Rendering.RenderTreeBuilder builder)
        {
            builder.OpenElement(0, "button");
            builder.AddAttribute(1, "id", "save");
            builder.AddAttribute(2, "onclick", EventCallback.Factory.Create<MouseEventArgs>(this, () => Failure() is { } failure ? Task.FromException(failure) : Task.CompletedTask));
            builder.AddContent(3, "Save");
            builder.CloseElement();
        }
    }
}
