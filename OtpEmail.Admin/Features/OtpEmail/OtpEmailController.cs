using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Errors;

namespace OtpEmail.Admin.Features.OtpEmail;

/// <summary>The JSON door of the v3alpha OTP Email operations: translation only.</summary>
[ApiController]
[Route("v3alpha/users/{userId}/otp_email")]
[Authorize(Policy = AuthPolicies.ApiCaller)]
[Consumes("application/json")]
[Produces("application/json")]
[RequestSizeLimit(ApiLimits.MaxBodyBytes)]
public sealed class OtpEmailController(OtpEmailService service, CallerFactory callers) : ControllerBase
{
    [HttpPost]
    public async Task<IActionResult> Add(string userId, AddOtpEmailRequest request, CancellationToken cancellationToken) =>
        (await service.AddAsync(callers.From(User), userId, request, cancellationToken)).ToActionResult();
}
