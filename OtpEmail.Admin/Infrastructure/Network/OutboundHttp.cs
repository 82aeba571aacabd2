using System.Net;
using System.Net.Sockets;

namespace OtpEmail.Admin.Infrastructure.Network;

/// <summary>Finds a host's addresses; replaceable, so that tests can make a name resolve where they need it.</summary>
public interface IHostResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}

/// <summary>The system's resolver (DNS).</summary>
public sealed class DnsHostResolver : IHostResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        IPAddress.TryParse(host, out var literal) ? Task.FromResult(new[] { literal }) : Dns.GetHostAddressesAsync(host, cancellationToken);
}

/// <summary>A call the app was asked to make to an address it must not reach (see <see cref="PublicAddresses"/>).</summary>
public sealed class ForbiddenAddressException(string message) : Exception(message);

/// <summary>
/// Calls on someone else's behalf (webhook receivers) without request forgery: the host is resolved
/// at each connection and every address it resolves to must be public (loopback too where
/// <see cref="AllowLoopback"/>, for trying things out in Development); the connection goes to the
/// address that was checked, so a name cannot change between the check and the call. No proxy, no
/// redirects.
/// </summary>
public sealed class OutboundAddresses(IHostResolver resolver)
{
    public const string HttpClientName = "outbound";

    public bool AllowLoopback { get; init; }

    /// <summary>Why <paramref name="host"/> may not be called (null: it may), resolving it now.</summary>
    public async Task<string?> RefusalAsync(string host, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        try
        {
            addresses = await resolver.ResolveAsync(host.Trim('[', ']'), cancellationToken);
        }
        catch (SocketException e)
        {
            return $"the host '{host}' could not be resolved ({e.SocketErrorCode})";
        }
        catch (ArgumentException)
        {
            return $"the host '{host}' is not a name that can be resolved"; // e.g. longer than DNS allows
        }

        if (addresses.Length == 0)
        {
            return $"the host '{host}' resolves to no address";
        }

        return addresses.Any(a => !Allowed(a)) ? NotPublic(host) : null;
    }

    /// <summary>The handler for the outbound client: checks at each connection, connects to the checked address, follows no redirect.</summary>
    public SocketsHttpHandler Handler() => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(1), // a name's new addresses are checked within a minute
        ConnectCallback = ConnectAsync,
    };

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = await resolver.ResolveAsync(host.Trim('[', ']'), cancellationToken);
        if (addresses.Length == 0)
        {
            throw new ForbiddenAddressException($"the host '{host}' resolves to no address");
        }

        if (addresses.Any(a => !Allowed(a)))
        {
            throw new ForbiddenAddressException(NotPublic(host));
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Whether every address <paramref name="host"/> resolves to is loopback (for plain http in Development).</summary>
    public async Task<bool> IsLoopbackAsync(string host, CancellationToken cancellationToken)
    {
        try
        {
            var addresses = await resolver.ResolveAsync(host.Trim('[', ']'), cancellationToken);
            return addresses.Length > 0 && addresses.All(IPAddress.IsLoopback);
        }
        catch (Exception e) when (e is SocketException or ArgumentException) // unknown, or not a name DNS takes
        {
            return false;
        }
    }

    // Which address it was is not said: callers would learn the addresses of internal names.
    private static string NotPublic(string host) => $"the host '{host}' resolves to an address that is not public";

    private bool Allowed(IPAddress address) => PublicAddresses.IsPublic(address) || (AllowLoopback && IPAddress.IsLoopback(address));
}

public static class OutboundHttpExtensions
{
    /// <summary>The outbound client (<see cref="OutboundAddresses.HttpClientName"/>) and its address rule: loopback allowed in Development only.</summary>
    public static WebApplicationBuilder AddOutboundHttp(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IHostResolver, DnsHostResolver>();
        builder.Services.AddSingleton(services => new OutboundAddresses(services.GetRequiredService<IHostResolver>())
        {
            AllowLoopback = services.GetRequiredService<IHostEnvironment>().IsDevelopment(),
        });
        builder.Services.AddHttpClient(OutboundAddresses.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(services => services.GetRequiredService<OutboundAddresses>().Handler())
            .ConfigureHttpClient(client => client.DefaultRequestHeaders.UserAgent.ParseAdd("OtpEmail.Admin-Webhooks/1.0"))
            .RemoveAllLoggers(); // the factory's loggers would write each URL, which may carry the receiver's own token
        return builder;
    }
}
