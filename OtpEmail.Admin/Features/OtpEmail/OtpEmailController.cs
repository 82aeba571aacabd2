using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Errors;
using OtpEmail.Admin.Infrastructure.Idempotency;

namespace OtpEmail.Admin.Features.OtpEmail;

/// <summary>The JSON door of the v3alpha OTP Email operations: translation only.</summary>
[ApiController]
[Route("v3alpha/users/{userId}/otp_email")]
[Authorize(Policy = AuthPolicies.ApiCaller)]
[Produces("application/json")]
[RequestSizeLimit(ApiLimits.MaxBodyBytes)]
public sealed class OtpEmailController(CallerFactory callers) : ControllerBase
{
    [HttpPost]
    [Idempotent]
    [Consumes("application/json")]
    [EndpointSummary("Add an OTP Email authenticator (AddOTPEmailAuthenticator)")]
    [ProducesResponseType<AddOtpEmailResponse>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Add(string userId, AddOtpEmailRequest request, [FromServices] AddOtpEmailHandler handler, CancellationToken cancellationToken) =>
        (await handler.HandleAsync(callers.From(User), userId, request, cancellationToken)).ToActionResult();

    [HttpPost("{otpEmailId}/verify")]
    [Consumes("application/json")]
    [EndpointSummary("Verify a pending authenticator with its code (VerifyOTPEmailAuthenticator)")]
    [ProducesResponseType<VerifyOtpEmailResponse>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Verify(
        string userId, string otpEmailId, VerifyOtpEmailRequest request, [FromServices] VerifyOtpEmailHandler handler, CancellationToken cancellationToken) =>
        (await handler.HandleAsync(callers.From(User), userId, otpEmailId, request, cancellationToken)).ToActionResult();

    [HttpPost("{otpEmailId}/_resend")]
    [Idempotent]
    [Consumes("application/json")]
    [EndpointSummary("Issue a new code for a pending authenticator (ResendOTPEmailAuthenticatorCode)")]
    [ProducesResponseType<ResendOtpEmailCodeResponse>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Resend(
        string userId, string otpEmailId, ResendOtpEmailCodeRequest request, [FromServices] ResendOtpEmailCodeHandler handler, CancellationToken cancellationToken) =>
        (await handler.HandleAsync(callers.From(User), userId, otpEmailId, request, cancellationToken)).ToActionResult();

    [HttpGet("{otpEmailId}/_delivery")]
    [EndpointSummary("Where the authenticator's latest verification mail is: queued, sent, retrying or failed (not in ZITADEL)")]
    [ProducesResponseType<OtpEmailDeliveryResponse>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Delivery(string userId, string otpEmailId, [FromServices] GetOtpEmailDeliveryHandler handler, CancellationToken cancellationToken) =>
        (await handler.HandleAsync(callers.From(User), userId, otpEmailId, cancellationToken)).ToActionResult();

    [HttpDelete("{otpEmailId}")]
    [EndpointSummary("Remove an authenticator (RemoveOTPEmailAuthenticator)")]
    [ProducesResponseType<RemoveOtpEmailResponse>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Remove(string userId, string otpEmailId, [FromServices] RemoveOtpEmailHandler handler, CancellationToken cancellationToken) =>
        (await handler.HandleAsync(callers.From(User), userId, otpEmailId, cancellationToken)).ToActionResult();
}
