using System.Globalization;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using OtpEmail.Admin.Common;

namespace OtpEmail.Admin.Infrastructure.Errors;

/// <summary>Writes an <see cref="AppError"/> as the contract's JSON body with the matching HTTP status.</summary>
public static class HttpErrors
{
    public static int StatusFor(ErrorCode code) => code switch
    {
        ErrorCode.InvalidArgument or ErrorCode.FailedPrecondition => StatusCodes.Status400BadRequest,
        ErrorCode.Unauthenticated => StatusCodes.Status401Unauthorized,
        ErrorCode.PermissionDenied => StatusCodes.Status403Forbidden,
        ErrorCode.NotFound => StatusCodes.Status404NotFound,
        ErrorCode.AlreadyExists or ErrorCode.Aborted => StatusCodes.Status409Conflict,
        ErrorCode.ResourceExhausted => StatusCodes.Status429TooManyRequests,
        ErrorCode.Unimplemented => StatusCodes.Status501NotImplemented,
        _ => StatusCodes.Status500InternalServerError,
    };

    public static Task WriteAsync(HttpContext context, AppError error, int? status = null)
    {
        var response = context.Response;
        response.StatusCode = status ?? error.HttpStatus ?? StatusFor(error.Code);
        if (error.RetryAfterSeconds is { } seconds)
        {
            response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        response.Headers.CacheControl = "no-store";
        var json = context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        return response.WriteAsJsonAsync(ErrorBody.From(error), json, "application/json", context.RequestAborted);
    }

    /// <summary>True for the routes that speak the JSON contract (and so never answer with HTML).</summary>
    public static bool IsApiPath(PathString path) => path.StartsWithSegments("/v3alpha");
}
