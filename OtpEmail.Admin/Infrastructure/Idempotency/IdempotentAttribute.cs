using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Errors;

namespace OtpEmail.Admin.Infrastructure.Idempotency;

/// <summary>
/// Marks an operation that takes an <c>Idempotency-Key</c>: a JSON action (through <see cref="IdempotencyFilter"/>)
/// or a gRPC method (through <see cref="IdempotencyInterceptor"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class IdempotentAttribute : Attribute, IFilterFactory, IOrderedFilter
{
    public bool IsReusable => true;

    /// <summary>After <c>[Consumes]</c>: a request of the wrong media type claims no key.</summary>
    public int Order => 10;

    public IFilterMetadata CreateInstance(IServiceProvider serviceProvider) =>
        ActivatorUtilities.CreateInstance<IdempotencyFilter>(serviceProvider);
}

/// <summary>The JSON door: claims the key before model binding, keeps the answer as written, or replays it.</summary>
internal sealed class IdempotencyFilter(IdempotencyStore store, CallerFactory callers) : IAsyncResourceFilter
{
    // The contract's name of a returned code (proto verification_code).
    private const string CodeField = "verificationCode";

    public async Task OnResourceExecutionAsync(ResourceExecutingContext context, ResourceExecutionDelegate next)
    {
        var http = context.HttpContext;
        var values = http.Request.Headers[IdempotencyKey.Header];
        if (values.Count == 0)
        {
            await next();
            return;
        }

        if (values.Count > 1 || !IdempotencyKey.TryParse(values[0], out var key))
        {
            context.Result = new ErrorActionResult(IdempotencyKey.Invalid);
            return;
        }

        http.Request.EnableBuffering();
        var hash = await IdempotencyKey.HashAsync($"http {http.Request.Method} {http.Request.Path}", http.Request.Body, http.RequestAborted);
        http.Request.Body.Position = 0;
        var request = new IdempotentRequest(IdempotencyKey.Owner(callers.From(http.User)), key, hash);
        var claim = await store.ClaimAsync(request, http.RequestAborted);
        switch (claim.Outcome)
        {
            case ClaimOutcome.Replay:
                context.Result = new ReplayResult(claim.Answer!);
                return;
            case ClaimOutcome.Reused:
                context.Result = new ErrorActionResult(IdempotencyKey.Reused);
                return;
            case ClaimOutcome.InProgress:
                context.Result = new ErrorActionResult(IdempotencyKey.InProgress);
                return;
        }

        var response = http.Response;
        var original = response.Body;
        using var buffer = new MemoryStream();
        response.Body = buffer;
        var kept = false;
        try
        {
            var executed = await next();
            if ((executed.Exception is null || executed.ExceptionHandled) && IdempotencyStore.Keeps(response.StatusCode))
            {
                await store.CompleteAsync(request, claim.ClaimedAt, Answer(response.StatusCode, response.ContentType, buffer.ToArray()));
                kept = true;
            }
        }
        finally
        {
            response.Body = original;
            if (!kept)
            {
                await store.ReleaseAsync(request, claim.ClaimedAt);
            }
        }

        buffer.Position = 0;
        await buffer.CopyToAsync(original, http.RequestAborted);
    }

    private static IdempotentAnswer Answer(int status, string? contentType, byte[] body)
    {
        if (status is >= 200 and < 300 && contentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) == true
            && JsonNode.Parse(body) is JsonObject json && json.Remove(CodeField))
        {
            return new IdempotentAnswer(status, contentType, body, JsonSerializer.SerializeToUtf8Bytes(json));
        }

        return new IdempotentAnswer(status, contentType, body);
    }

    private sealed class ReplayResult(StoredAnswer answer) : IActionResult
    {
        public async Task ExecuteResultAsync(ActionContext context)
        {
            var response = context.HttpContext.Response;
            response.StatusCode = answer.Status;
            response.ContentType = answer.ContentType;
            response.Headers.CacheControl = "no-store";
            response.Headers[IdempotencyKey.ReplayedHeader] = answer.CodeExpired ? "code-expired" : "true";
            await response.Body.WriteAsync(answer.Body, context.HttpContext.RequestAborted);
        }
    }
}
