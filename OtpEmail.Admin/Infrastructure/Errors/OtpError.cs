namespace OtpEmail.Admin.Infrastructure.Errors;

/// <summary>
/// A failure the application service reports. <see cref="Id"/> is stable and unique to the place
/// that raises it; clients branch on <see cref="Code"/>, people read <see cref="Message"/>.
/// </summary>
public sealed record OtpError(ErrorCode Code, string Id, string Message)
{
    /// <summary>For <see cref="ErrorCode.ResourceExhausted"/>: when the caller may try again.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>No bearer token, or one that does not validate: the same answer on every door.</summary>
    public static OtpError Unauthenticated { get; } =
        new(ErrorCode.Unauthenticated, "AUTH-UNAUTHENTICATED", "Missing or invalid bearer token");

    public static OtpError Invalid(string id, string message) => new(ErrorCode.InvalidArgument, id, message);

    public static OtpError NotFound(string id, string message) => new(ErrorCode.NotFound, id, message);

    public static OtpError Exists(string id, string message) => new(ErrorCode.AlreadyExists, id, message);

    public static OtpError Denied(string id, string message) => new(ErrorCode.PermissionDenied, id, message);

    public static OtpError Precondition(string id, string message) => new(ErrorCode.FailedPrecondition, id, message);

    public static OtpError Exhausted(string id, string message, TimeSpan retryAfter) =>
        new(ErrorCode.ResourceExhausted, id, message) { RetryAfter = retryAfter };

    /// <summary>The text clients see: the message followed by the id, as ZITADEL writes it.</summary>
    public string FullMessage => $"{Message} ({Id})";
}
