using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MimeKit;
using SmtpServer;
using SmtpServer.Authentication;
using SmtpServer.Net;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace OtpEmail.Admin.Tests.TestSupport;

/// <summary>
/// A real SMTP server on loopback (the SmtpServer library) that keeps what it receives. Plain and
/// open by default; with <see cref="SmtpSinkLogin"/> it offers STARTTLS with a self-signed certificate
/// made in-process and takes mail only after AUTH with that user name and password, over TLS.
/// </summary>
public sealed class SmtpSink(SmtpSinkLogin? login = null) : IAsyncDisposable
{
    private readonly ConcurrentQueue<MimeMessage> _received = new();
    private readonly ConcurrentQueue<Delivery> _deliveries = new();
    private readonly ConcurrentDictionary<string, bool> _refused = new(StringComparer.OrdinalIgnoreCase);
    private readonly X509Certificate2? _certificate = login is null ? null : SelfSignedCertificate();
    private CancellationTokenSource? _stop;
    private SmtpServer.SmtpServer? _server;
    private Task? _running;

    public int Port { get; private set; }

    /// <summary>The app's settings for sending its mail to a sink on <paramref name="port"/>.</summary>
    public static Dictionary<string, string?> AppSettings(int port) => new()
    {
        ["Mail:Mode"] = "Smtp",
        ["Mail:From"] = "no-reply@otpemail.test",
        ["Mail:Smtp:Host"] = "127.0.0.1",
        ["Mail:Smtp:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Mail:Smtp:Security"] = "None",
    };

    /// <summary>
    /// The app's settings for this sink: with a login, STARTTLS as production defaults to, AUTH with
    /// <paramref name="password"/> (the sink's own unless given), and the sink's certificate pinned.
    /// </summary>
    public Dictionary<string, string?> SecureAppSettings(string? password = null)
    {
        var settings = AppSettings(Port);
        if (login is not null)
        {
            settings["Mail:Smtp:Security"] = "StartTls";
            settings["Mail:Smtp:UserName"] = login.UserName;
            settings["Mail:Smtp:Password"] = password ?? login.Password;
            settings["Mail:Smtp:CertificateThumbprint"] = CertificateThumbprint;
        }

        return settings;
    }

    /// <summary>The SHA-256 hash of the sink's certificate, in hex; null for a plain sink.</summary>
    public string? CertificateThumbprint => _certificate?.GetCertHashString(HashAlgorithmName.SHA256);

    public IReadOnlyCollection<MimeMessage> Received => _received;

    /// <summary>From now on answers <c>550 mailbox unavailable</c> to RCPT TO for <paramref name="address"/>, as a relay refusing it for good.</summary>
    public void Refuse(string address) => _refused[address] = true;

    /// <summary>Each mail received with how it came: over TLS or not, and the user that logged in (null: none).</summary>
    public IReadOnlyCollection<Delivery> Deliveries => _deliveries;

    /// <summary>Starts listening on 127.0.0.1; port 0 picks a free one, and a restart reuses <see cref="Port"/>.</summary>
    public async Task StartAsync(int port = 0)
    {
        var started = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var listeners = new EndpointListenerFactory();
        listeners.EndpointStarted += (_, e) => started.TrySetResult(((IPEndPoint)e.LocalEndPoint).Port);
        var options = new SmtpServerOptionsBuilder()
            .ServerName("localhost")
            .Endpoint(endpoint =>
            {
                endpoint.Endpoint(new IPEndPoint(IPAddress.Loopback, port));
                if (_certificate is not null)
                {
                    // STARTTLS offered, AUTH only after it, and no mail without AUTH.
                    endpoint.Certificate(_certificate).AllowUnsecureAuthentication(false).AuthenticationRequired();
                }
            })
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(listeners);
        services.Add(new Store(_received, _deliveries));
        services.Add(new DelegatingMailboxFilter((_, to, _) => !_refused.ContainsKey($"{to.User}@{to.Host}")));
        if (login is not null)
        {
            services.Add(new DelegatingUserAuthenticator((user, password) => user == login.UserName && password == login.Password));
        }
        _stop = new CancellationTokenSource();
        _server = new SmtpServer.SmtpServer(options, services);
        _running = _server.StartAsync(_stop.Token);
        Port = await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    public async Task StopAsync()
    {
        if (_server is null)
        {
            return;
        }

        await _stop!.CancelAsync();
        _server.Shutdown();
        try
        {
            await _running!.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (OperationCanceledException)
        {
            // Stopped as asked.
        }

        _server = null;
        _stop.Dispose();
    }

    public IReadOnlyList<MimeMessage> To(string address) =>
        _received.Where(m => m.To.Mailboxes.Any(mb => string.Equals(mb.Address, address, StringComparison.OrdinalIgnoreCase))).ToList();

    public async Task<MimeMessage> WaitForMailToAsync(string address)
    {
        await Eventually.TrueAsync(() => To(address).Count > 0, $"a mail to {address}");
        return To(address)[0];
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _certificate?.Dispose();
    }

    private static X509Certificate2 SelfSignedCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        // Through PKCS#12 so that SslStream on Linux can use the private key.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }

    private sealed class Store(ConcurrentQueue<MimeMessage> received, ConcurrentQueue<Delivery> deliveries) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            using var stream = new MemoryStream(buffer.ToArray());
            var message = await MimeMessage.LoadAsync(stream, cancellationToken);
            received.Enqueue(message);
            deliveries.Enqueue(new Delivery(message, context.Pipe.IsSecure, context.Authentication.IsAuthenticated ? context.Authentication.User : null));
            return SmtpResponse.Ok;
        }
    }
}

/// <summary>The one account a <see cref="SmtpSink"/> with STARTTLS accepts.</summary>
public sealed record SmtpSinkLogin(string UserName, string Password);

/// <summary>A mail as the sink received it: over TLS or not, and as which user (null: none logged in).</summary>
public sealed record Delivery(MimeMessage Message, bool OverTls, string? User);
