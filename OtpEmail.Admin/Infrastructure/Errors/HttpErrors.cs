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
        ErrorCode.Unavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    public static Task WriteAsync(HttpContext context, AppError error, int? status = null)
    {
        var response = StartResponse(context, error, status);
        var json = context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        return response.WriteAsJsonAsync(ErrorBody.From(error), json, "application/json", context.RequestAborted);
    }

    /// <summary>The same status and headers with the message as plain text, for the routes that do not speak JSON.</summary>
    public static Task WriteTextAsync(HttpContext context, AppError error)
    {
        var response = StartResponse(context, error, status: null);
        response.ContentType = "text/plain; charset=utf-8";
        return response.WriteAsync(error.FullMessage, context.RequestAborted);
    }

    private static HttpResponse StartResponse(HttpContext context, AppError error, int? status)
    {
        var response = context.Response;
        response.StatusCode = status ?? error.HttpStatus ?? StatusFor(error.Code);
        if (error.RetryAfterSeconds is { } seconds)
        {
            response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        response.Headers.CacheControl = "no-store";
        return response;
    }

    /// <summary>True for the routes that speak the JSON contract (and so never answer with HTML).</summary>
    public static bool IsApiPath(PathString path) => path.StartsWithSegments("/v3alpha");
}
