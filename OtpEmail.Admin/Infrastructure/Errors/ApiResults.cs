using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
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
        result.Match<IActionResult>(value => new JsonBody(value), error => new ErrorActionResult(error));

    /// <summary>
    /// The value as the API's JSON, written straight to the response as the error bodies are: the JSON door
    /// produces nothing else, so MVC's content negotiation (an <c>ObjectResult</c>'s choice of formatter, made
    /// again for every response) had nothing to choose.
    /// </summary>
    private sealed class JsonBody(object? value) : IActionResult
    {
        public Task ExecuteResultAsync(ActionContext context)
        {
            var http = context.HttpContext;
            var json = http.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.JsonSerializerOptions;
            return http.Response.WriteAsJsonAsync(value, value?.GetType() ?? typeof(object), json, contentType: null, http.RequestAborted);
        }
    }
}
