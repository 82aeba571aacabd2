using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Errors;
using OtpEmail.Admin.Infrastructure.Idempotency;

namespace OtpEmail.Admin.Features.Users;

/// <summary>The JSON door of the v3alpha user operations: translation only.</summary>
[ApiController]
[Route("v3alpha/users")]
[Authorize(Policy = AuthPolicies.ApiCaller)]
[Produces("application/json")]
[RequestSizeLimit(ApiLimits.MaxBodyBytes)]
public sealed class UsersController(CallerFactory callers) : ControllerBase
{
    [HttpPost]
    [Idempotent]
    [Consumes("application/json")]
    [EndpointSummary("Create a user (CreateUser)")]
    [ProducesResponseType<CreateUserResponse>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Create(CreateUserRequest request, [FromServices] CreateUserHandler handler, CancellationToken cancellationToken) =>
        (await handler.HandleAsync(callers.From(User), request, cancellationToken)).ToActionResult();

    [HttpGet("{userId}")]
    [EndpointSummary("Read a user with its authenticators (GetUserByID)")]
    [ProducesResponseType<GetUserResponse>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Get(string userId, [FromServices] GetUserHandler handler, CancellationToken cancellationToken) =>
        (await handler.HandleAsync(callers.From(User), userId, cancellationToken)).ToActionResult();

    [HttpPost("_search")]
    [Consumes("application/json")]
    [EndpointSummary("Find users by any part of username, names or email, most relevant first (SearchUsers)")]
    [ProducesResponseType<SearchUsersResponse>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Search(SearchUsersRequest request, [FromServices] SearchUsersHandler handler, CancellationToken cancellationToken) =>
        (await handler.HandleAsync(callers.From(User), request, cancellationToken)).ToActionResult();
}
