using System.Net.Http.Headers;
using System.Text;

namespace OtpEmail.Admin.Tests.TestSupport;

/// <summary>One JSON POST of a race: the client (so the instance) that sends it, where, and what.</summary>
public sealed record Racer(ApiClient Client, string Path, string Json);

/// <summary>
/// Requests built in full first (token included), then let go at one signal, so that they reach the
/// instances together rather than in the order a loop would start them.
/// </summary>
public static class AtOnce
{
    public static async Task<Reply[]> PostAsync(IEnumerable<Racer> racers, string as_ = ApiClient.Admin)
    {
        var ready = new List<(HttpClient Http, HttpRequestMessage Request)>();
        foreach (var racer in racers)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, racer.Path) { Content = new StringContent(racer.Json, Encoding.UTF8, "application/json") };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await racer.Client.TokenAsync(as_));
            ready.Add((racer.Client.Http, request));
        }

        return await SendAsync(ready);
    }

    /// <summary>Sends requests already built, each through its client, all at one signal; disposes them.</summary>
    public static async Task<Reply[]> SendAsync(IReadOnlyList<(HttpClient Http, HttpRequestMessage Request)> ready)
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = ready.Select(async racer =>
        {
            await start.Task;
            using var request = racer.Request;
            using var response = await racer.Http.SendAsync(request);
            return new Reply((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.MediaType, response.Headers);
        }).ToList();
        start.SetResult();
        return await Task.WhenAll(running);
    }
}
