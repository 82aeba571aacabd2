using System.Text.Json.Serialization;
using OtpEmail.Admin.Common;

namespace OtpEmail.Admin.Infrastructure.Errors;

/// <summary>The JSON error body of the contract: a gRPC status with one <c>zitadel.v1.ErrorDetail</c>.</summary>
public sealed record ErrorBody(int Code, string Message, IReadOnlyList<ErrorDetail> Details)
{
    public static ErrorBody From(AppError error) =>
        new((int)error.Code, error.FullMessage, [new ErrorDetail(error.Id, error.Message)]);
}

public sealed record ErrorDetail(string Id, string Message)
{
    [JsonPropertyName("@type")]
    [JsonPropertyOrder(-1)]
    public string Type => "type.googleapis.com/zitadel.v1.ErrorDetail";
}
