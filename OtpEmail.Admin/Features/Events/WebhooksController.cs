using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Errors;

namespace OtpEmail.Admin.Features.Events;

public sealed record WebhookChangeResponse(Details Details);

/// <summary>The JSON door of webhook endpoints and their deliveries: translation only.</summary>
[ApiController]
[Route("v3alpha/webhooks")]
[Authorize(Policy = AuthPolicies.ApiCaller)]
[Produces("application/json")]
[RequestSizeLimit(ApiLimits.MaxBodyBytes)]
public sealed class WebhooksController(CallerFactory callers, Webhooks webhooks, WebhookDeliveries deliveries) : ControllerBase
{
    [HttpPost]
    [Consumes("application/json")]
    [EndpointSummary("Add a webhook endpoint to an organization; the answer holds its signing secret, shown this once")]
    [ProducesResponseType<CreateWebhookResponse>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Create(CreateWebhookRequest request, CancellationToken cancellationToken) =>
        (await webhooks.CreateAsync(callers.From(User), request, cancellationToken)).ToActionResult();

    [HttpGet]
    [EndpointSummary("The webhook endpoints of the caller's organizations, or of one")]
    [ProducesResponseType<ListWebhooksResponse>(StatusCodes.Status200OK)]
    public async Task<IActionResult> List([FromQuery] string? organizationId, CancellationToken cancellationToken) =>
        (await webhooks.ListAsync(callers.From(User), organizationId, cancellationToken)).ToActionResult();

    [HttpDelete("{webhookId}")]
    [EndpointSummary("Remove a webhook endpoint and its deliveries")]
    [ProducesResponseType<WebhookChangeResponse>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Delete(string webhookId, CancellationToken cancellationToken) =>
        Changed(await webhooks.DeleteAsync(callers.From(User), webhookId, cancellationToken));

    [HttpPost("{webhookId}/_rotate_secret")]
    [EndpointSummary("A new signing secret, shown this once; the old one also signs for 24 hours")]
    [ProducesResponseType<RotateWebhookSecretResponse>(StatusCodes.Status200OK)]
    public async Task<IActionResult> RotateSecret(string webhookId, CancellationToken cancellationToken) =>
        (await webhooks.RotateSecretAsync(callers.From(User), webhookId, cancellationToken)).ToActionResult();

    [HttpPost("{webhookId}/_enable")]
    [EndpointSummary("Turn a webhook endpoint on")]
    [ProducesResponseType<WebhookChangeResponse>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Enable(string webhookId, CancellationToken cancellationToken) =>
        Changed(await webhooks.SetEnabledAsync(callers.From(User), webhookId, true, cancellationToken));

    [HttpPost("{webhookId}/_disable")]
    [EndpointSummary("Turn a webhook endpoint off: events meanwhile are not sent to it")]
    [ProducesResponseType<WebhookChangeResponse>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Disable(string webhookId, CancellationToken cancellationToken) =>
        Changed(await webhooks.SetEnabledAsync(callers.From(User), webhookId, false, cancellationToken));

    [HttpPost("{webhookId}/_test")]
    [EndpointSummary("Send a test event (type webhook.test) to the endpoint")]
    [ProducesResponseType<WebhookDeliveryQueued>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Test(string webhookId, CancellationToken cancellationToken) =>
        (await deliveries.SendTestAsync(callers.From(User), webhookId, cancellationToken)).ToActionResult();

    [HttpGet("{webhookId}/deliveries")]
    [EndpointSummary("The endpoint's recent deliveries, newest first: event, time, HTTP status, duration, tries")]
    [ProducesResponseType<ListWebhookDeliveriesResponse>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Deliveries(string webhookId, CancellationToken cancellationToken) =>
        (await deliveries.ListAsync(callers.From(User), webhookId, cancellationToken)).ToActionResult();

    [HttpPost("{webhookId}/deliveries/{deliveryId}/_redeliver")]
    [EndpointSummary("Send a delivery's message again, with the same webhook-id")]
    [ProducesResponseType<WebhookDeliveryQueued>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Redeliver(string webhookId, string deliveryId, CancellationToken cancellationToken) =>
        (await deliveries.RedeliverAsync(callers.From(User), webhookId, deliveryId, cancellationToken)).ToActionResult();

    private static IActionResult Changed(Result<Details> result) =>
        result.Match<Result<WebhookChangeResponse>>(details => new WebhookChangeResponse(details), error => error).ToActionResult();
}
