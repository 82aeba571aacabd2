using System.Globalization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Tests.TestSupport;

/// <summary>
/// The real app on real Kestrel (a random loopback port) in Development, with its own SQLite file,
/// keys and settings in a temporary folder, mail going over SMTP to <see cref="SmtpSink"/>, and
/// every log line kept in <see cref="Logs"/>.
/// </summary>
public sealed class AppFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;
    private readonly string _environment;

    public AppFactory(int smtpPort, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null, string environment = "Development")
    {
        DataDirectory = TestFolder.Create();
        HttpPort = FreeLoopbackPort();
        GrpcPort = FreeLoopbackPort();
        _settings = new Dictionary<string, string?>(SmtpSink.AppSettings(smtpPort))
        {
            // Native gRPC needs HTTP/2 without TLS: its own endpoint, configured as in production.
            ["Kestrel:Endpoints:Grpc:Url"] = $"http://127.0.0.1:{GrpcPort}",
            ["Kestrel:Endpoints:Grpc:Protocols"] = "Http2",
            ["ConnectionStrings:Default"] = $"Data Source={Path.Combine(DataDirectory, "app.db")}",
            ["App:PublicBaseUrl"] = $"http://localhost:{HttpPort}",
            ["App:KeysDirectory"] = Path.Combine(DataDirectory, "keys"),
            ["Mail:Smtp:Timeout"] = "00:00:05",
            ["Mail:PollInterval"] = "00:00:00.200",
            ["Mail:RetryBaseDelay"] = "00:00:00.100",
            ["Mail:RetryMaxDelay"] = "00:00:00.400",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }

        _services = services;
        _environment = environment;
        // A random HTTP/1.1 port for the JSON door, plus the endpoints of the app's own Kestrel settings
        // (which WebApplicationFactory's Kestrel would otherwise leave out).
        UseKestrel(options =>
        {
            options.Configure(options.ApplicationServices.GetRequiredService<IConfiguration>().GetSection("Kestrel"));
            options.Listen(System.Net.IPAddress.Loopback, HttpPort);
        });
    }

    public string DataDirectory { get; }

    /// <summary>Sends mail to <c>{DataDirectory}/mail</c> as .eml files (the development default's mode).</summary>
    public void WithPickupDirectory()
    {
        _settings["Mail:Mode"] = "Pickup";
        _settings["Mail:PickupDirectory"] = Path.Combine(DataDirectory, "mail");
    }

    /// <summary>The HTTP/1.1 port of the JSON door, the pages and gRPC-Web; also the public base URL's.</summary>
    public int HttpPort { get; }

    public Uri PublicBaseUrl => new($"http://localhost:{HttpPort}");

    /// <summary>The HTTP/2 cleartext endpoint for native gRPC.</summary>
    public int GrpcPort { get; }

    public Uri GrpcAddress => new($"http://127.0.0.1:{GrpcPort}");

    public LogSink Logs { get; } = new();

    /// <summary>Starts the app and returns a client on its real socket.</summary>
    public HttpClient StartClient()
    {
        StartServer();
        return new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}") };
    }

    // Below Linux's ephemeral range (32768 and up), so that no outgoing connection is given the port
    // between this check and Kestrel's bind; each factory of this run takes the next free one.
    private static int _nextPort = 20_000 + (Environment.ProcessId % 400 * 30);

    internal static int FreeLoopbackPort()
    {
        while (true)
        {
            var port = Interlocked.Increment(ref _nextPort);
            try
            {
                using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (System.Net.Sockets.SocketException)
            {
                // Taken; try the next one.
            }
        }
    }

    public AppDbContext CreateDbContext() =>
        Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContext();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(_environment);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        if (_services is not null)
        {
            builder.ConfigureTestServices(_services);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        TestFolder.Delete(DataDirectory);
    }
}
