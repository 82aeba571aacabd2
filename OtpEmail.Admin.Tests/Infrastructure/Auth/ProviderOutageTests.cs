using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Infrastructure.Auth;

/// <summary>
/// Staff sessions while the provider cannot be reached (its port closed): they go on for
/// <c>Authentication:RevalidationGrace</c> past their last confirmation, asked about again with a
/// growing pause rather than on every request, then end.
/// </summary>
public sealed class ProviderOutageTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private AppFactory _app = null!;

    public Task InitializeAsync()
    {
        _app = new AppFactory(25, new Dictionary<string, string?>
        {
            ["Authentication:Authority"] = $"http://127.0.0.1:{AppFactory.FreeLoopbackPort()}/",
            ["Authentication:ClientId"] = "otpemail-admin",
        }, services => services.AddSingleton<TimeProvider>(_clock));
        _app.StartClient().Dispose();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private StaffSessionStore Store => _app.Services.GetRequiredService<StaffSessionStore>();

    private StaffSessionGuard Guard => _app.Services.GetRequiredService<StaffSessionGuard>();

    private int Asked => _app.Logs.Lines.Count(line => line.Contains("could not be asked about the staff session", StringComparison.Ordinal));

    [Fact]
    public async Task ASessionGoesOnThroughAnOutageAskingLessOftenThenEndsAfterTheGrace()
    {
        var key = await Store.StoreAsync(StaffSessionStoreTests.Ticket());
        _clock.Advance(TimeSpan.FromMinutes(2)); // the check is due

        Assert.NotNull(await Guard.CurrentAsync(key, CancellationToken.None));
        Assert.Equal(1, Asked);

        // Every request meanwhile: the provider is not asked again until the pause is over.
        for (var request = 0; request < 5; request++)
        {
            Assert.NotNull(await Guard.CurrentAsync(key, CancellationToken.None));
        }

        Assert.Equal(1, Asked);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.NotNull(await Guard.CurrentAsync(key, CancellationToken.None));
        Assert.Equal(2, Asked);
        _clock.Advance(TimeSpan.FromSeconds(1)); // the pause has doubled: not yet
        Assert.NotNull(await Guard.CurrentAsync(key, CancellationToken.None));
        Assert.Equal(2, Asked);

        _clock.Advance(TimeSpan.FromMinutes(13) - TimeSpan.FromSeconds(2)); // 15 minutes since the last confirmation

        Assert.Null(await Guard.CurrentAsync(key, CancellationToken.None));
        Assert.Null(await Store.RetrieveAsync(key));
    }
}
