using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Infrastructure.Errors;
using OtpEmail.Admin.Infrastructure.Grpc;

namespace OtpEmail.Admin.Infrastructure.Idempotency;

/// <summary>
/// The gRPC door (native and gRPC-Web): the metadata <c>idempotency-key</c> on a method marked
/// <see cref="IdempotentAttribute"/>. The stored answer is the serialized response, or the error's
/// <c>google.rpc.Status</c>. Runs after the interceptor that authenticates the caller.
/// </summary>
public sealed class IdempotencyInterceptor(IdempotencyStore store) : Interceptor
{
    // The contract's field of a returned code.
    private const string CodeField = "verification_code";

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var header = context.RequestHeaders.Where(entry => entry.Key == IdempotencyKey.Metadata).ToList();
        if (header.Count == 0 || context.GetHttpContext().GetEndpoint()?.Metadata.GetMetadata<IdempotentAttribute>() is null
            || request is not IMessage message)
        {
            return await continuation(request, context);
        }

        if (header.Count > 1 || header[0].IsBinary || !IdempotencyKey.TryParse(header[0].Value, out var key))
        {
            throw IdempotencyKey.Invalid.ToRpcException();
        }

        var idempotent = new IdempotentRequest(IdempotencyKey.Owner(context.Caller()), key, IdempotencyKey.Hash($"grpc {context.Method}", message.ToByteArray()));
        var claim = await store.ClaimAsync(idempotent, context.CancellationToken);
        switch (claim.Outcome)
        {
            case ClaimOutcome.Replay:
                return await ReplayAsync<TResponse>(claim.Answer!, context);
            case ClaimOutcome.Reused:
                throw IdempotencyKey.Reused.ToRpcException();
            case ClaimOutcome.InProgress:
                throw IdempotencyKey.InProgress.ToRpcException();
        }

        try
        {
            var response = await continuation(request, context);
            await store.CompleteAsync(idempotent, claim.ClaimedAt, Answer((IMessage)response));
            return response;
        }
        catch (RpcException refused) when (refused.GetRpcStatus() is { } status && IdempotencyStore.Keeps(HttpErrors.StatusFor((ErrorCode)status.Code)))
        {
            await store.CompleteAsync(idempotent, claim.ClaimedAt, new IdempotentAnswer(status.Code, null, status.ToByteArray()));
            throw;
        }
        catch
        {
            await store.ReleaseAsync(idempotent, claim.ClaimedAt);
            throw;
        }
    }

    private static async Task<TResponse> ReplayAsync<TResponse>(StoredAnswer answer, ServerCallContext context)
    {
        await context.WriteResponseHeadersAsync(new Metadata { { IdempotencyKey.ReplayedHeader.ToLowerInvariant(), answer.CodeExpired ? "code-expired" : "true" } });
        if (answer.Status != 0)
        {
            throw Google.Rpc.Status.Parser.ParseFrom(answer.Body).ToRpcException();
        }

        var response = (IMessage)Activator.CreateInstance(typeof(TResponse))!;
        response.MergeFrom(answer.Body);
        return (TResponse)response;
    }

    private static IdempotentAnswer Answer(IMessage response)
    {
        var body = response.ToByteArray();
        var code = response.Descriptor.FindFieldByName(CodeField);
        if (code is null || !code.Accessor.HasValue(response))
        {
            return new IdempotentAnswer(0, null, body);
        }

        var withoutCode = response.Descriptor.Parser.ParseFrom(body);
        code.Accessor.Clear(withoutCode);
        return new IdempotentAnswer(0, null, body, withoutCode.ToByteArray());
    }
}
