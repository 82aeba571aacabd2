using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using OtpEmail.Admin.Common;
using ZitadelErrorDetail = OtpEmail.Admin.Protos.Zitadel.ErrorDetail;

namespace OtpEmail.Admin.Infrastructure.Errors;

/// <summary>The gRPC side of the one error pipeline: the same code, message and ErrorDetail as the JSON body.</summary>
public static class GrpcErrors
{
    public static RpcException ToRpcException(this AppError error)
    {
        var status = new Google.Rpc.Status
        {
            Code = (int)error.Code,
            Message = error.FullMessage,
            Details = { Any.Pack(new ZitadelErrorDetail { Id = error.Id, Message = error.Message }) },
        };
        var exception = status.ToRpcException();
        if (error.RetryAfterSeconds is { } seconds)
        {
            exception.Trailers.Add("retry-after", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return exception;
    }

    /// <summary>The value, or the error thrown as the gRPC status.</summary>
    public static T OrThrow<T>(this Result<T> result) => result.IsSuccess ? result.Value : throw result.Error.ToRpcException();
}
