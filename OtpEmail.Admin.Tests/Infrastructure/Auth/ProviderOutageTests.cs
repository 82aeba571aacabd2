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

/// <summary>
/// A provider that takes connections and never answers: each session asks it once at a time, gives up
/// after <see cref="StaffSessionGuard.AskTimeout"/>, and goes on.
/// </summary>
public sealed class HangingProviderTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly System.Net.Sockets.TcpListener _provider = new(System.Net.IPAddress.Loopback, 0);
    private readonly List<System.Net.Sockets.TcpClient> _held = [];
    private AppFactory _app = null!;

    public Task InitializeAsync()
    {
        _provider.Start();
        _ = HoldConnectionsAsync();
        _app = new AppFactory(25, new Dictionary<string, string?>
        {
            ["Authentication:Authority"] = $"http://127.0.0.1:{((System.Net.IPEndPoint)_provider.LocalEndpoint).Port}/",
            ["Authentication:ClientId"] = "otpemail-admin",
        }, services => services.AddSingleton<TimeProvider>(_clock));
        _app.StartClient().Dispose();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        _provider.Stop();
        _held.ForEach(client => client.Dispose());
    }

    [Fact]
    public async Task WhileOneRequestWaitsForTheProviderTheSessionsOtherRequestsGoOnWithoutAsking()
    {
        var store = _app.Services.GetRequiredService<StaffSessionStore>();
        var guard = _app.Services.GetRequiredService<StaffSessionGuard>();
        var key = await store.StoreAsync(StaffSessionStoreTests.Ticket());
        _clock.Advance(TimeSpan.FromMinutes(2));

        var first = guard.CurrentAsync(key, CancellationToken.None);
        await Eventually.TrueAsync(() => Connections > 0, "the provider to be asked");
        var meanwhile = await guard.CurrentAsync(key, CancellationToken.None);

        Assert.NotNull(meanwhile);
        Assert.Equal(1, Connections);
        Assert.NotNull(await first); // given up on after the ask's time limit: the session goes on
        Assert.Single(_app.Logs.Lines, line => line.Contains("could not be asked about the staff session", StringComparison.Ordinal));
    }

    private int Connections
    {
        get
        {
            lock (_held)
            {
                return _held.Count;
            }
        }
    }

    private async Task HoldConnectionsAsync()
    {
        try
        {
            while (true)
            {
                var client = await _provider.AcceptTcpClientAsync();
                lock (_held)
                {
                    _held.Add(client);
                }
            }
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }
}
