using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OtpEmail.Admin.Tests.TestSupport;

/// <summary>
/// A small SMTP relay on loopback that says <c>CHUNKING</c> (with PIPELINING, SIZE and 8BITMIME, as Postfix does) and takes a
/// message by <c>BDAT</c> (in one chunk or several) or by <c>DATA</c>, keeping each with the command it came
/// by: for the client's choice between the two, which the SmtpServer library (no <c>BDAT</c>) cannot show.
/// <paramref name="bdatReply"/> is its answer to a message's last chunk: a refusal of the content (<c>554</c>),
/// or of the command itself (<c>502</c>), as relays behind a firewall that does not know <c>BDAT</c> answer.
/// </summary>
public sealed class ChunkingRelay(string bdatReply = "250 2.0.0 Ok: queued as BDAT") : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<(string Command, byte[] Message)> _received = new();
    private Task? _serving;

    /// <summary>Listens on a free port of its own (<see cref="Port"/>).</summary>
    public ChunkingRelay Start()
    {
        _listener.Start();
        _serving = ServeAsync();
        return this;
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Each message taken (answered 250), with the command it came by (<c>BDAT</c> or <c>DATA</c>).</summary>
    public IReadOnlyCollection<(string Command, byte[] Message)> Received => _received;

    // Each connection in a conversation of its own (the app may open several); all end when the relay stops.
    private async Task ServeAsync()
    {
        List<Task> conversations = [];
        try
        {
            while (true)
            {
                conversations.Add(ConverseAsync(await _listener.AcceptTcpClientAsync(_stop.Token), _stop.Token));
            }
        }
        finally
        {
            await Task.WhenAll(conversations);
        }
    }

    private async Task ConverseAsync(TcpClient client, CancellationToken cancellationToken)
    {
        using var connection = client;
        await using var output = client.GetStream();
        var input = PipeReader.Create(output);
        await AnswerAsync(output, "220 relay ESMTP", cancellationToken);
        List<byte> chunks = [];
        while (await ReadLineAsync(input, cancellationToken) is { } line)
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            switch (words.FirstOrDefault()?.ToUpperInvariant())
            {
                case "EHLO":
                    await AnswerAsync(output, "250-relay\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250 CHUNKING", cancellationToken);
                    break;
                case "BDAT" when words.Length > 1 && int.TryParse(words[1], System.Globalization.CultureInfo.InvariantCulture, out var size):
                    if (await ReadBytesAsync(input, size, cancellationToken) is not { } chunk)
                    {
                        return; // the client went away in the middle of a chunk
                    }

                    chunks.AddRange(chunk);
                    var last = words.Length > 2 && words[2].Equals("LAST", StringComparison.OrdinalIgnoreCase);
                    if (last && bdatReply.StartsWith('2'))
                    {
                        _received.Enqueue(("BDAT", [.. chunks]));
                    }

                    chunks = last ? [] : chunks;
                    await AnswerAsync(output, last ? bdatReply : "250 2.0.0 Ok: chunk", cancellationToken);
                    break;
                case "DATA":
                    await AnswerAsync(output, "354 End data with <CR><LF>.<CR><LF>", cancellationToken);
                    var message = new StringBuilder();
                    while (await ReadLineAsync(input, cancellationToken) is { } data && data != ".")
                    {
                        message.Append(data.StartsWith('.') ? data[1..] : data).Append("\r\n");
                    }

                    _received.Enqueue(("DATA", Encoding.UTF8.GetBytes(message.ToString())));
                    await AnswerAsync(output, "250 2.0.0 Ok: queued as DATA", cancellationToken);
                    break;
                case "QUIT":
                    await AnswerAsync(output, "221 2.0.0 Bye", cancellationToken);
                    return;
                default: // MAIL, RCPT, RSET, NOOP
                    await AnswerAsync(output, "250 2.0.0 Ok", cancellationToken);
                    break;
            }
        }
    }

    private static async Task<string?> ReadLineAsync(PipeReader input, CancellationToken cancellationToken)
    {
        while (true)
        {
            var read = await input.ReadAsync(cancellationToken);
            var buffer = read.Buffer;
            if (buffer.PositionOf((byte)'\n') is { } end)
            {
                var line = Encoding.UTF8.GetString(buffer.Slice(0, end)).TrimEnd('\r');
                input.AdvanceTo(buffer.GetPosition(1, end));
                return line;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            if (read.IsCompleted)
            {
                return null;
            }
        }
    }

    private static async Task<byte[]?> ReadBytesAsync(PipeReader input, int count, CancellationToken cancellationToken)
    {
        var read = await input.ReadAtLeastAsync(count, cancellationToken);
        if (read.Buffer.Length < count)
        {
            input.AdvanceTo(read.Buffer.End);
            return null;
        }

        var bytes = read.Buffer.Slice(0, count).ToArray();
        input.AdvanceTo(read.Buffer.GetPosition(count));
        return bytes;
    }

    private static Task AnswerAsync(Stream output, string reply, CancellationToken cancellationToken) =>
        output.WriteAsync(Encoding.ASCII.GetBytes(reply + "\r\n"), cancellationToken).AsTask();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await (_serving ?? Task.CompletedTask);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or IOException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }
}
