using System.Diagnostics;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OtpEmail.Admin.Infrastructure.Data;
using OtpEmail.Admin.Infrastructure.Network;

namespace OtpEmail.Admin.Features.Events;

/// <summary>
/// Sends the queued deliveries (see <see cref="WorkQueue{T}"/>, the mechanism the mail outbox uses):
/// claims what is due, posts each to its endpoint with a timeout and no redirects, to public addresses
/// only (<see cref="OutboundAddresses"/>), and retries a timeout, a connection error or a non-2xx
/// answer with backoff until the delivery's day is over. An endpoint failing for
/// <see cref="WebhookSettings.DisableAfterFailingFor"/> is turned off.
/// </summary>
public sealed partial class WebhookDispatcher(
    IDbContextFactory<AppDbContext> dbs,
    DbWriter writer,
    WebhookQueue queue,
    WebhookSigner signer,
    WebhookOutcomes outcomes,
    IHttpClientFactory clients,
    IOptions<WebhookSettings> options,
    TimeProvider time,
    DatabaseOutage outage,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    private readonly WebhookSettings _settings = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                wait = await DispatchDueAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                if (!outage.TryReport(e)) // an outage is logged once, however many rounds it lasts
                {
                    LogRoundFailed(logger, e);
                }

                wait = _settings.PollInterval;
            }

            try
            {
                await queue.Queue.WaitAsync(wait, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Sends one round of due deliveries; returns how long to wait before the next look.</summary>
    internal async Task<TimeSpan> DispatchDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var next = await queue.Queue.NextDueAsync(db, now, cancellationToken);
        if (next is null || next > now)
        {
            return WorkQueue<WebhookDelivery>.Until(next, now, _settings.PollInterval); // nothing due: no claim, no write
        }

        var claim = await queue.Queue.ClaimDueAsync(now, _settings.ClaimLease, _settings.BatchSize, cancellationToken);
        var due = await queue.Queue.Claimed(db, claim).ToListAsync(cancellationToken);
        var endpointIds = due.Select(d => d.EndpointId).Distinct().ToList();
        var endpoints = await db.WebhookEndpoints.AsNoTracking().Where(e => endpointIds.Contains(e.Id)).ToDictionaryAsync(e => e.Id, cancellationToken);
        // Past this, no new send starts and what is left goes back: the claim must not run out while a send is under way.
        var stopAt = now + (_settings.ClaimLease / 2);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _settings.Concurrency, CancellationToken = cancellationToken };
        try
        {
            await Parallel.ForEachAsync(due, parallel, async (delivery, ct) =>
            {
                if (time.GetUtcNow() < stopAt)
                {
                    await TryDeliverAsync(delivery, endpoints.GetValueOrDefault(delivery.EndpointId), ct);
                }
            });
        }
        finally
        {
            await writer.RunAsync(write => queue.Queue.GiveBackAsync(write, claim, CancellationToken.None), CancellationToken.None);
        }

        return due.Count == _settings.BatchSize ? TimeSpan.Zero : await queue.Queue.UntilNextAsync(db, time.GetUtcNow(), _settings.PollInterval, cancellationToken);
    }

    // One delivery's failure, whatever it is, is that delivery's: recorded as a failed try, the round goes on.
    private async Task TryDeliverAsync(WebhookDelivery delivery, WebhookEndpoint? endpoint, CancellationToken cancellationToken)
    {
        try
        {
            await DeliverAsync(delivery, endpoint, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException && endpoint is not null)
        {
            LogFailedTry(logger, delivery.Id, endpoint.Id, delivery.Attempts + 1, $"{e.GetType().Name}: {e.Message}");
            var retryAt = time.GetUtcNow() + RetryBackoff.After(delivery.Attempts + 1, _settings.RetryBaseDelay, _settings.RetryMaxDelay);
            await outcomes.RetryOrFailAsync(delivery, endpoint, new WebhookAttempt(time.GetUtcNow(), false, null, 0, $"could not be sent ({e.GetType().Name})"), retryAt);
        }
    }

    private async Task DeliverAsync(WebhookDelivery delivery, WebhookEndpoint? endpoint, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (endpoint is not { Enabled: true })
        {
            await outcomes.FailedAsync(delivery, "the endpoint is turned off");
            return;
        }

        string? body;
        await using (var db = await dbs.CreateDbContextAsync(cancellationToken))
        {
            body = await WebhookSigner.BodyAsync(db, delivery, endpoint, cancellationToken);
        }

        if (delivery.ExpiresAt <= now || body is null)
        {
            await outcomes.FailedAsync(delivery, body is null ? "its event is gone" : "not delivered within its day");
            return;
        }

        var attempt = await SendAsync(endpoint, delivery, body, now, cancellationToken);
        if (attempt.Delivered)
        {
            LogDelivered(logger, delivery.Id, endpoint.Id, attempt.StatusCode ?? 0, delivery.Attempts + 1);
            await outcomes.DeliveredAsync(delivery, attempt);
            return;
        }

        var retryAt = time.GetUtcNow() + RetryBackoff.After(delivery.Attempts + 1, _settings.RetryBaseDelay, _settings.RetryMaxDelay);
        LogFailedTry(logger, delivery.Id, endpoint.Id, delivery.Attempts + 1, attempt.Error!);
        await outcomes.RetryOrFailAsync(delivery, endpoint, attempt, retryAt);
    }

    private async Task<WebhookAttempt> SendAsync(WebhookEndpoint endpoint, WebhookDelivery delivery, string body, DateTimeOffset now, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in signer.Headers(endpoint, delivery, body, now))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_settings.Timeout);
        var clock = Stopwatch.StartNew();
        try
        {
            using var response = await clients.CreateClient(OutboundAddresses.HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            var delivered = status is >= 200 and < 300;
            return new WebhookAttempt(now, delivered, status, Elapsed(clock), delivered ? null : $"the receiver answered {status}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new WebhookAttempt(now, false, null, Elapsed(clock), $"no answer within {_settings.Timeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException e)
        {
            var reason = e.InnerException is ForbiddenAddressException forbidden ? $"refused: {forbidden.Message}" : $"could not connect: {e.HttpRequestError}";
            return new WebhookAttempt(now, false, null, Elapsed(clock), reason);
        }
    }

    private static int Elapsed(Stopwatch clock) => (int)Math.Min(clock.ElapsedMilliseconds, int.MaxValue);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook delivery {DeliveryId} to endpoint {EndpointId} answered {Status} (try {Attempt})")]
    private static partial void LogDelivered(ILogger logger, long deliveryId, long endpointId, int status, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook delivery {DeliveryId} to endpoint {EndpointId} failed (try {Attempt}): {Reason}")]
    private static partial void LogFailedTry(ILogger logger, long deliveryId, long endpointId, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook dispatch round failed")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);
}

/// <summary>One try: when, whether it was delivered, the receiver's status (null: none answered), how long it took, why it failed.</summary>
public sealed record WebhookAttempt(DateTimeOffset At, bool Delivered, int? StatusCode, int DurationMs, string? Error);

/// <summary>The deliveries as a queue (claims, leases, wake-up), one per app.</summary>
public sealed class WebhookQueue(DbWriter writer, IdGenerator ids)
{
    public WorkQueue<WebhookDelivery> Queue { get; } = new(writer, ids, d => d.Status == WebhookDeliveryStatus.Pending);
}
