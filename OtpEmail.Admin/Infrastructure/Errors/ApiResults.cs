using Microsoft.AspNetCore.Mvc;
using OtpEmail.Admin.Common;

namespace OtpEmail.Admin.Infrastructure.Errors;

public static class ApiLimits
{
    /// <summary>The largest JSON body the API reads; the contract's largest request is well under 2 KB.</summary>
    public const int MaxBodyBytes = 8 * 1024;
}

public static class ApiResults
{
    /// <summary>200 with the value, or the error's status and the contract's error body.</summary>
    public static IActionResult ToActionResult<T>(this Result<T> result) =>
        result.Match<IActionResult>(value => new OkObjectResult(value), error => new ErrorActionResult(error));
}
