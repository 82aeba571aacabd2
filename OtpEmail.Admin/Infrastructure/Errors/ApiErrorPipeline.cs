using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Infrastructure.Errors;

/// <summary>
/// One error pipeline for the JSON door: model-binding failures, bare status codes (404, 405, 415,
/// 413) and unhandled exceptions all become the contract's gRPC-status body; never ProblemDetails,
/// HTML or a stack trace.
/// </summary>
public static partial class ApiErrorPipeline
{
    public static IServiceCollection AddApiErrors(this IServiceCollection services)
    {
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.Configure<ApiBehaviorOptions>(options =>
        {
            options.SuppressMapClientErrors = true;
            options.InvalidModelStateResponseFactory = context =>
            {
                // JSON errors carry a "$…" path; a bare parameter name means the body was missing.
                var (key, entry) = context.ModelState
                    .Where(pair => pair.Value?.Errors.Count > 0)
                    .OrderBy(pair => pair.Key.StartsWith('$') ? 0 : 1)
                    .Select(pair => (pair.Key, pair.Value!))
                    .First();
                var message = key.StartsWith('$')
                    ? $"invalid JSON at {(key == "$" ? "the top level" : key.TrimStart('$', '.'))}: {Clean(entry.Errors[0].ErrorMessage)}"
                    : "a JSON request body is required";
                var error = AppError.Invalid("API-BODY-INVALID", $"Malformed request: {message}");
                return new ErrorActionResult(error);
            };
        });
        return services;
    }

    /// <summary>Turns bodiless error statuses on JSON routes into the contract body.</summary>
    public static IApplicationBuilder UseApiStatusCodes(this IApplicationBuilder app) =>
        app.UseStatusCodePages(async context =>
        {
            var http = context.HttpContext;
            if (!HttpErrors.IsApiPath(http.Request.Path))
            {
                return;
            }

            var status = http.Response.StatusCode;
            var error = status switch
            {
                StatusCodes.Status404NotFound => new AppError(ErrorCode.NotFound, "API-ROUTE-NOTFOUND", "No such route"),
                StatusCodes.Status405MethodNotAllowed => new AppError(ErrorCode.Unimplemented, "API-METHOD", "Method not allowed on this route"),
                StatusCodes.Status413PayloadTooLarge => BodyTooLarge,
                StatusCodes.Status415UnsupportedMediaType => AppError.Invalid("API-MEDIA-TYPE", "Content-Type must be application/json"),
                StatusCodes.Status401Unauthorized => AppError.Unauthenticated,
                StatusCodes.Status403Forbidden => AppError.Denied("AUTH-FORBIDDEN", "Not allowed"),
                >= 500 => new AppError(ErrorCode.Internal, "API-INTERNAL", "Internal error"),
                _ => BadRequest,
            };
            await HttpErrors.WriteAsync(http, error, status);
        });

    private static readonly AppError BodyTooLarge = AppError.Invalid("API-BODY-TOO-LARGE", "Request body is too large");
    private static readonly AppError BadRequest = AppError.Invalid("API-BAD-REQUEST", "Bad request");

    // System.Text.Json messages name .NET types; keep only what helps the caller.
    private static string Clean(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        message = cut > 0 ? message[..cut] : message;
        return TypeName().Replace(message, "the expected type");
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"System\.[A-Za-z0-9_.`\[\]]+|OtpEmail\.[A-Za-z0-9_.`\[\]]+")]
    private static partial System.Text.RegularExpressions.Regex TypeName();

    // Logged here: the exception-handler middleware does not log what an IExceptionHandler handles.
    private sealed partial class ApiExceptionHandler(DatabaseOutage outage, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
        {
            // By now the request path is the error page's; the feature keeps the original.
            var path = http.Features.Get<IExceptionHandlerFeature>()?.Path ?? http.Request.Path;
            if (http.Response.HasStarted)
            {
                return false;
            }

            if (outage.TryReport(exception))
            {
                // Every HTTP door (JSON, the result file and export, sign-in, a page's first load): 503, Retry-After, logged once per outage.
                await (HttpErrors.IsApiPath(path) ? HttpErrors.WriteAsync(http, DatabaseOutage.Error) : HttpErrors.WriteTextAsync(http, DatabaseOutage.Error));
                return true;
            }

            if (!HttpErrors.IsApiPath(path))
            {
                return false;
            }

            if (exception is BadHttpRequestException bad)
            {
                var error = bad.StatusCode == StatusCodes.Status413PayloadTooLarge
                    ? BodyTooLarge
                    : BadRequest;
                await HttpErrors.WriteAsync(http, error, bad.StatusCode);
                return true;
            }

            LogUnhandled(logger, exception, http.Request.Method, path);
            await HttpErrors.WriteAsync(http, new AppError(ErrorCode.Internal, "API-INTERNAL", "Internal error"));
            return true;
        }

        [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception on {Method} {Path}; answered 500")]
        private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path);
    }
}

/// <summary>An MVC result that writes an <see cref="AppError"/> through <see cref="HttpErrors"/>.</summary>
public sealed class ErrorActionResult(AppError error) : IActionResult
{
    public AppError Error { get; } = error;

    public Task ExecuteResultAsync(ActionContext context) => HttpErrors.WriteAsync(context.HttpContext, Error);
}
