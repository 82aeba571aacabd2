using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Data;
using OtpEmail.Admin.Infrastructure.Errors;
using OtpEmail.Admin.Infrastructure.Idempotency;

namespace OtpEmail.Admin.Infrastructure.Grpc;

/// <summary>
/// gRPC and gRPC-Web (binary and text) for the v3alpha services, with the same bearer-token
/// authentication as the JSON door and server reflection in Development. Native gRPC needs an
/// HTTP/2 endpoint (see <c>Kestrel:Endpoints</c> in the README); gRPC-Web works on any.
/// </summary>
public static class GrpcApiExtensions
{
    public static WebApplicationBuilder AddGrpcApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddGrpc(options =>
        {
            options.Interceptors.Add<DatabaseOutageInterceptor>(); // outermost: whatever runs inside may reach the database
            options.Interceptors.Add<BearerCallerInterceptor>();
            options.Interceptors.Add<IdempotencyInterceptor>(); // needs the caller
            options.MaxReceiveMessageSize = ApiLimits.MaxBodyBytes;
        });
        if (builder.Environment.IsDevelopment())
        {
            builder.Services.AddGrpcReflection();
        }

        return builder;
    }

    public static void UseGrpcApi<TService>(this WebApplication app)
        where TService : class
    {
        app.UseGrpcWeb(new GrpcWebOptions { DefaultEnabled = true });
        app.MapGrpcService<TService>();
        if (app.Environment.IsDevelopment())
        {
            app.MapGrpcReflectionService();
        }
    }

    /// <summary>The caller the interceptor authenticated for this call.</summary>
    public static Caller Caller(this ServerCallContext context) =>
        (Caller)context.UserState[typeof(Caller)];

    /// <summary>
    /// A database that cannot be reached answers UNAVAILABLE (which clients' retry policies retry) with
    /// the contract's ErrorDetail and a <c>retry-after</c> trailer, logged once per outage
    /// (<see cref="DatabaseOutage"/>), never as the handler's unhandled exception.
    /// </summary>
    private sealed class DatabaseOutageInterceptor(DatabaseOutage outage) : Interceptor
    {
        public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
            TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
        {
            try
            {
                return await continuation(request, context);
            }
            catch (Exception e) when (e is not RpcException && outage.TryReport(e))
            {
                throw DatabaseOutage.Error.ToRpcException();
            }
        }
    }

    /// <summary>
    /// Authenticates every call with the bearer token from the <c>authorization</c> metadata (never a
    /// cookie) and answers Unauthenticated, as a gRPC status, when there is none or it is invalid.
    /// Every UserService method is unary; only the (Development-only) reflection service streams.
    /// A streaming method added later must get a streaming handler here too.
    /// </summary>
    private sealed class BearerCallerInterceptor(CallerFactory callers) : Interceptor
    {
        public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
            TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
        {
            if (!context.Method.StartsWith("/grpc.reflection.", StringComparison.Ordinal))
            {
                var result = await context.GetHttpContext().AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme);
                if (!result.Succeeded)
                {
                    throw AppError.Unauthenticated.ToRpcException();
                }

                context.UserState[typeof(Caller)] = callers.From(result.Principal);
            }

            return await continuation(request, context);
        }
    }
}
