namespace OtpEmail.Admin.Common;

/// <summary>The gRPC status codes the contract uses; the numbers are gRPC's.</summary>
public enum ErrorCode
{
    InvalidArgument = 3,
    NotFound = 5,
    AlreadyExists = 6,
    PermissionDenied = 7,
    ResourceExhausted = 8,
    FailedPrecondition = 9,
    Aborted = 10,
    Unimplemented = 12,
    Internal = 13,

    /// <summary>A temporary condition (the database cannot be reached): the same call may succeed when retried.</summary>
    Unavailable = 14,

    Unauthenticated = 16,
}
