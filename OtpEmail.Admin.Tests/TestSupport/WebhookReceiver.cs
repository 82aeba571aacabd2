using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OtpEmail.Admin.Tests.TestSupport;

/// <summary>
/// A webhook receiver: a real HTTP server on a loopback port that keeps every request it gets
/// (headers and body) and answers each path with the statuses it is told, in turn (then 200).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<int>> _answers = new();
    private readonly ConcurrentDictionary<string, string> _redirects = new();

    private WebhookReceiver(WebApplication app) => _app = app;

    public ConcurrentQueue<Received> Requests { get; } = new();

    public int Port { get; private set; }

    /// <summary>The URL of a path of its own for one test, e.g. <c>http://127.0.0.1:port/hooks/{name}</c>.</summary>
    public string Url(string name) => $"http://127.0.0.1:{Port}/hooks/{name}";

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hooks/{name}", async (string name, HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync();
            receiver.Requests.Enqueue(new Received(name, request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()), body));
            if (receiver._redirects.TryRemove(name, out var to))
            {
                return Results.Redirect(receiver.Url(to), permanent: false, preserveMethod: true); // 307: a client that follows posts it there
            }

            return Results.StatusCode(receiver._answers.TryGetValue(name, out var answers) && answers.TryDequeue(out var status) ? status : 200);
        });
        await app.StartAsync();
        receiver.Port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single()).Port;
        return receiver;
    }

    /// <summary>Answers the next requests to <paramref name="name"/> with these statuses, then 200.</summary>
    public void Answer(string name, params int[] statuses) => _answers[name] = new ConcurrentQueue<int>(statuses);

    /// <summary>Answers the next request to <paramref name="name"/> with a redirect to <paramref name="to"/>'s URL.</summary>
    public void RedirectOnce(string name, string to) => _redirects[name] = to;

    public IReadOnlyList<Received> To(string name) => [.. Requests.Where(r => r.Name == name)];

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    public sealed record Received(string Name, IReadOnlyDictionary<string, string> Headers, string Body)
    {
        public System.Text.Json.Nodes.JsonNode Json => System.Text.Json.Nodes.JsonNode.Parse(Body)!;

        public HeaderDictionary HeaderDictionary() => new(Headers.ToDictionary(h => h.Key, h => new Microsoft.Extensions.Primitives.StringValues(h.Value)));
    }
}
