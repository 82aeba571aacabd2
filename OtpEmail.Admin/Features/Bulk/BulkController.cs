using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Errors;
using OtpEmail.Admin.Infrastructure.Idempotency;

namespace OtpEmail.Admin.Features.Bulk;

/// <summary>The JSON door of bulk enrolment: the CSV in, a job out; translation only.</summary>
[ApiController]
[Route("v3alpha/users/otp_email/_bulk")]
[Authorize(Policy = AuthPolicies.ApiCaller)]
[Produces("application/json")]
public sealed class BulkController(CallerFactory callers, BulkJobs jobs) : ControllerBase
{
    [HttpPost]
    [Idempotent]
    [Consumes(BulkCsv.MediaType)]
    [RequestSizeLimit(BulkCsv.MaxBytes + 1)]
    [EndpointSummary("Start a bulk enrolment from a CSV file (user,address,mode[,url_template]); 202 with the job id")]
    [ProducesResponseType<BulkJobStarted>(StatusCodes.Status202Accepted)]
    public async Task<IActionResult> Start(CancellationToken cancellationToken)
    {
        var started = await jobs.StartAsync(callers.From(User), FileName(), Request.Body, cancellationToken);
        return started.IsSuccess ? StatusCode(StatusCodes.Status202Accepted, started.Value) : started.ToActionResult();
    }

    [HttpGet("{jobId}")]
    [EndpointSummary("A bulk job's progress; once finished, its results (return-code rows' codes in the first read only, within 10 minutes)")]
    [ProducesResponseType<BulkJobView>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Read(string jobId, CancellationToken cancellationToken) =>
        (await jobs.ReadAsync(callers.From(User), jobId, cancellationToken)).ToActionResult();

    [HttpDelete("{jobId}")]
    [EndpointSummary("Cancel a running bulk job; rows already done stay done")]
    [ProducesResponseType<BulkJobView>(StatusCodes.Status200OK)]
    public async Task<IActionResult> Cancel(string jobId, CancellationToken cancellationToken) =>
        (await jobs.CancelAsync(callers.From(User), jobId, cancellationToken)).ToActionResult();

    // A client may name its file (Content-Disposition: attachment; filename=…); else "upload.csv".
    private string FileName() =>
        Request.Headers.ContentDisposition.Count > 0
        && System.Net.Http.Headers.ContentDispositionHeaderValue.TryParse(Request.Headers.ContentDisposition.ToString(), out var disposition)
        && disposition.FileName is { Length: > 0 } name
            ? name.Trim('"')
            : "upload.csv";
}
