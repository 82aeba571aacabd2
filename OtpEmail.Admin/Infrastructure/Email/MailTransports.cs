using System.Security.Cryptography;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace OtpEmail.Admin.Infrastructure.Email;

/// <summary>Where mail goes; one session serves the dispatcher while mail keeps coming.</summary>
public interface IMailTransport
{
    Task<IMailSession> OpenAsync(CancellationToken cancellationToken);
}

public interface IMailSession : IAsyncDisposable
{
    /// <summary>Sends the mail; returns the relay's answer line (e.g. <c>250 2.0.0 OK</c>), or null where no relay answers.</summary>
    Task<string?> SendAsync(MimeMessage message, CancellationToken cancellationToken);
}

/// <summary>
/// A failure the next attempt may not see (network, 4xx replies, timeouts); <paramref name="relayResponse"/>
/// is the relay's answer line when it answered.
/// </summary>
public sealed class TransientMailException(string message, Exception inner, string? relayResponse = null) : Exception(message, inner)
{
    public string? RelayResponse { get; } = relayResponse;
}

/// <summary>The relay refused this mail for good (an SMTP 5xx reply to its recipient or its content): no retry helps.</summary>
public sealed class PermanentMailException(string relayResponse, Exception inner) : Exception(relayResponse, inner)
{
    public string RelayResponse { get; } = relayResponse;
}

/// <summary>
/// MailKit over SMTP: one connection a session (reconnected after a failure), TLS as configured, never
/// "when available"; a mail by <c>BDAT</c> where the relay says <c>CHUNKING</c> (see <see cref="ChunkingSmtpClient"/>).
/// </summary>
public sealed class SmtpMailTransport(IOptions<MailSettings> settings) : IMailTransport
{
    // Set once a relay that says CHUNKING did not take BDAT as a command: from then on every session sends by DATA.
    private volatile bool _bdatRefused;

    public Task<IMailSession> OpenAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IMailSession>(new Session(settings.Value.Smtp, this));

    private sealed class Session(SmtpSettings smtp, SmtpMailTransport transport) : IMailSession
    {
        private readonly SmtpClient _client = Client(smtp, () => !transport._bdatRefused);

        public async Task<string?> SendAsync(MimeMessage message, CancellationToken cancellationToken)
        {
            try
            {
                if (!_client.IsConnected)
                {
                    var security = smtp.Security switch
                    {
                        SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
                        SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
                        _ => SecureSocketOptions.None,
                    };
                    await _client.ConnectAsync(smtp.Host!, smtp.Port, security, cancellationToken);
                    if (!string.IsNullOrEmpty(smtp.UserName))
                    {
                        await _client.AuthenticateAsync(smtp.UserName, smtp.Password ?? "", cancellationToken);
                    }
                }

                // MailKit hands back the text of the reply to the mail's data; it is a 250 when it returns.
                return $"250 {await _client.SendAsync(message, cancellationToken)}";
            }
            catch (SmtpCommandException e) when (RefusedBdat(e))
            {
                // Some relays (or firewalls' SMTP inspection on the way) say CHUNKING but answer BDAT as a command they
                // do not know: not this mail's fault. It is tried again, by DATA, as is all mail after it.
                transport._bdatRefused = true;
                await DisconnectQuietlyAsync();
                throw new TransientMailException(
                    $"SMTP {smtp.Host}:{smtp.Port}: the relay says CHUNKING but did not take BDAT ({ReplyLine(e)}); mail goes by DATA from now on", e, ReplyLine(e));
            }
            catch (SmtpCommandException e) when ((int)e.StatusCode >= 500 &&
                e.ErrorCode is SmtpErrorCode.RecipientNotAccepted or SmtpErrorCode.MessageNotAccepted)
            {
                // The server refused this mail for good: permanent. A 5xx to the sender or the login is
                // the relay's configuration, not this mail's: those wait below while someone fixes them.
                throw new PermanentMailException(ReplyLine(e), e);
            }
            catch (Exception e) when (e is SmtpCommandException or SmtpProtocolException or ServiceNotConnectedException
                or IOException or System.Net.Sockets.SocketException or TimeoutException or SslHandshakeException
                or AuthenticationException // refused credentials: the mail waits while someone fixes them
                or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                if (_client.IsConnected)
                {
                    await DisconnectQuietlyAsync();
                }

                throw new TransientMailException($"SMTP {smtp.Host}:{smtp.Port}: {e.GetType().Name}: {e.Message}", e,
                    e is SmtpCommandException reply ? ReplyLine(reply) : null);
            }
        }

        private static string ReplyLine(SmtpCommandException e) => $"{(int)e.StatusCode} {e.Message}";

        // A 500-504 (an unknown command, bad syntax or sequence) to a mail sent by BDAT is about the command, not the mail;
        // not asked of the flag, which another connection may have set while this one's BDAT was on its way.
        private bool RefusedBdat(SmtpCommandException e) =>
            _client.Capabilities.HasFlag(SmtpCapabilities.Chunking)
            && e.ErrorCode == SmtpErrorCode.MessageNotAccepted && (int)e.StatusCode is >= 500 and <= 504;

        // Default certificate validation, unless a pin is set: then exactly that certificate, and no other.
        private static SmtpClient Client(SmtpSettings smtp, Func<bool> useBdat)
        {
            var client = new ChunkingSmtpClient(useBdat) { Timeout = (int)smtp.Timeout.TotalMilliseconds };
            if (!string.IsNullOrEmpty(smtp.CertificateThumbprint))
            {
                var pin = smtp.CertificateThumbprint;
                client.ServerCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is not null && string.Equals(
                        Convert.ToHexString(SHA256.HashData(certificate.GetRawCertData())), pin, StringComparison.OrdinalIgnoreCase);
            }

            return client;
        }

        /// <summary>
        /// Sends a mail by <c>BDAT</c> where the relay says <c>CHUNKING</c> (Postfix, Exchange and most relays
        /// do) and <paramref name="useBdat"/>: its size first, then the message as it is, answered once.
        /// <c>DATA</c> waits for the relay's go-ahead before the message, a round trip more a mail, and for
        /// both sides a wake-up more. Relays without <c>CHUNKING</c> still get <c>DATA</c>.
        /// </summary>
        private sealed class ChunkingSmtpClient(Func<bool> useBdat) : SmtpClient
        {
            protected override bool PreferSendAsBinaryData => useBdat();
        }

        public async ValueTask DisposeAsync()
        {
            await DisconnectQuietlyAsync();
            _client.Dispose();
        }

        private async Task DisconnectQuietlyAsync()
        {
            try
            {
                if (_client.IsConnected)
                {
                    await _client.DisconnectAsync(quit: true, CancellationToken.None);
                }
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or SmtpProtocolException or SmtpCommandException)
            {
                // The connection is gone either way.
            }
        }
    }
}

/// <summary>Writes each mail as an <c>.eml</c> file (written whole, then renamed into place).</summary>
public sealed class PickupMailTransport(string directory) : IMailTransport
{
    public string Directory { get; } = directory;

    public Task<IMailSession> OpenAsync(CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(Directory);
        return Task.FromResult<IMailSession>(new Session(Directory));
    }

    private sealed class Session(string directory) : IMailSession
    {
        public async Task<string?> SendAsync(MimeMessage message, CancellationToken cancellationToken)
        {
            var name = $"{DateTime.UtcNow:yyyyMMdd'T'HHmmss}-{(message.MessageId ?? Guid.NewGuid().ToString("N")).Split('@')[0]}";
            var temporary = Path.Combine(directory, name + ".tmp");
            await message.WriteToAsync(temporary, cancellationToken);
            File.Move(temporary, Path.Combine(directory, name + ".eml"), overwrite: true);
            return null;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
