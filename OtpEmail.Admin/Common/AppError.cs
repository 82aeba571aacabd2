namespace OtpEmail.Admin.Common;

/// <summary>
/// A failure any operation of the app reports, in the contract's terms. <see cref="Id"/> is stable
/// and unique to the place that raises it; clients branch on <see cref="Code"/>, people read
/// <see cref="Message"/>, and forms place it next to <see cref="Field"/> (the request field, in the
/// contract's dotted camelCase, e.g. <c>email.address</c>), when there is one.
/// </summary>
public sealed record AppError(ErrorCode Code, string Id, string Message)
{
    /// <summary>The request field the error is about, if any.</summary>
    public string? Field { get; init; }

    /// <summary>For <see cref="ErrorCode.ResourceExhausted"/>, <see cref="ErrorCode.Aborted"/> and <see cref="ErrorCode.Unavailable"/>: when the caller may try again.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The HTTP status on the JSON door when it is not the code's usual one (e.g. 422 for a reused idempotency key).</summary>
    public int? HttpStatus { get; init; }

    /// <summary><see cref="RetryAfter"/> in whole seconds, at least one, as <c>Retry-After</c> carries it.</summary>
    public int? RetryAfterSeconds => RetryAfter is { } wait ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : null;

    /// <summary>No bearer token, or one that does not validate: the same answer on every door.</summary>
    public static AppError Unauthenticated { get; } =
        new(ErrorCode.Unauthenticated, "AUTH-UNAUTHENTICATED", "Missing or invalid bearer token");

    public static AppError Invalid(string id, string message, string? field = null) => new(ErrorCode.InvalidArgument, id, message) { Field = field };

    public static AppError NotFound(string id, string message) => new(ErrorCode.NotFound, id, message);

    public static AppError Exists(string id, string message, string? field = null) => new(ErrorCode.AlreadyExists, id, message) { Field = field };

    public static AppError Denied(string id, string message) => new(ErrorCode.PermissionDenied, id, message);

    public static AppError Precondition(string id, string message) => new(ErrorCode.FailedPrecondition, id, message);

    public static AppError Exhausted(string id, string message, TimeSpan retryAfter, string? field = null) =>
        new(ErrorCode.ResourceExhausted, id, message) { RetryAfter = retryAfter, Field = field };

    /// <summary>The text clients see: the message followed by the id, as ZITADEL writes it.</summary>
    public string FullMessage => $"{Message} ({Id})";
}
