using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Errors;

namespace OtpEmail.Admin.Features.Events;

/// <summary>The JSON door of the event feed: translation only.</summary>
[ApiController]
[Route("v3alpha/events")]
[Authorize(Policy = AuthPolicies.ApiCaller)]
[Produces("application/json")]
[RequestSizeLimit(ApiLimits.MaxBodyBytes)]
public sealed class EventsController(CallerFactory callers, SearchEventsHandler handler) : ControllerBase
{
    [HttpPost("_search")]
    [Consumes("application/json")]
    [EndpointSummary("Events after a position, oldest first; ask again with nextPosition to follow the feed")]
    [ProducesResponseType<SearchEventsResponse>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Search(SearchEventsRequest request, CancellationToken cancellationToken) =>
        (await handler.HandleAsync(callers.From(User), request, cancellationToken)).ToActionResult();
}
