using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Errors;

namespace OtpEmail.Admin.Features.MailTexts;

/// <summary>The JSON door of the verification mail's texts, on ZITADEL's management paths: translation only.</summary>
[ApiController]
[Route("management/v1/text")]
[Authorize(Policy = AuthPolicies.ApiCaller)]
[Produces("application/json")]
public sealed class MessageTextsController(CallerFactory callers, MessageTexts texts) : ControllerBase
{
    // Seven fields of up to 2,000 characters, three bytes each in some scripts.
    private const int MaxBodyBytes = 32 * 1024;

    [HttpGet("default/message/verifyemailotp/{language}")]
    [EndpointSummary("The shipped text of the verification mail in a language (GetDefaultVerifyEmailOTPMessageText)")]
    [ProducesResponseType<GetMessageTextResponse>(StatusCodes.Status200OK)]
    public IActionResult GetDefault(string language) =>
        MessageTexts.Default(callers.From(User), language).ToActionResult();

    [HttpGet("message/verifyemailotp/{language}")]
    [EndpointSummary("The organization's text of the verification mail, or the default (GetCustomVerifyEmailOTPMessageText)")]
    [ProducesResponseType<GetMessageTextResponse>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Get(string language, [FromHeader(Name = MessageTexts.OrganizationHeader)] string? organizationId, CancellationToken cancellationToken) =>
        (await texts.GetAsync(callers.From(User), organizationId, language, cancellationToken)).ToActionResult();

    [HttpPut("message/verifyemailotp/{language}")]
    [Consumes("application/json")]
    [RequestSizeLimit(MaxBodyBytes)]
    [EndpointSummary("Set the organization's text of the verification mail (SetCustomVerifyEmailOTPMessageText)")]
    [ProducesResponseType<ChangeMessageTextResponse>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Set(
        string language, [FromHeader(Name = MessageTexts.OrganizationHeader)] string? organizationId, SetMessageTextRequest request, CancellationToken cancellationToken) =>
        (await texts.SetAsync(callers.From(User), organizationId, language, request, cancellationToken)).ToActionResult();

    [HttpDelete("message/verifyemailotp/{language}")]
    [EndpointSummary("Reset the organization's text of the verification mail to the default (ResetCustomVerifyEmailOTPMessageTextToDefault)")]
    [ProducesResponseType<ChangeMessageTextResponse>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Reset(string language, [FromHeader(Name = MessageTexts.OrganizationHeader)] string? organizationId, CancellationToken cancellationToken) =>
        (await texts.ResetAsync(callers.From(User), organizationId, language, cancellationToken)).ToActionResult();
}
