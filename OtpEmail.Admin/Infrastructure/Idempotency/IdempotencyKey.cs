using System.Security.Cryptography;
using System.Text;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Infrastructure.Auth;

namespace OtpEmail.Admin.Infrastructure.Idempotency;

/// <summary>
/// The <c>Idempotency-Key</c> header of draft-ietf-httpapi-idempotency-key-header (a structured-field
/// string, so it may come quoted) or the gRPC metadata <c>idempotency-key</c>: 1–255 visible ASCII characters.
/// </summary>
public static class IdempotencyKey
{
    public const string Header = "Idempotency-Key";
    public const string Metadata = "idempotency-key";

    /// <summary>Set on an answer that is a replay of a stored one (<c>true</c>, or <c>code-expired</c> when its code was left out).</summary>
    public const string ReplayedHeader = "Idempotent-Replayed";

    public const int MaxLength = 255;

    public static readonly AppError Invalid = AppError.Invalid(
        "IDEMPOTENCY-KEY-INVALID", $"The {Header} must be 1–{MaxLength} visible ASCII characters");

    public static readonly AppError Reused = new(
        ErrorCode.InvalidArgument, "IDEMPOTENCY-KEY-REUSED", $"This {Header} was used for a different request; use a new key for a new request")
    {
        HttpStatus = StatusCodes.Status422UnprocessableEntity,
    };

    public static readonly AppError InProgress = new(
        ErrorCode.Aborted, "IDEMPOTENCY-KEY-IN-PROGRESS", $"The first request with this {Header} is still running; try again shortly")
    {
        RetryAfter = TimeSpan.FromSeconds(1),
    };

    public static bool TryParse(string? value, out string key)
    {
        key = value is { Length: >= 2 } && value[0] == '"' && value[^1] == '"' ? value[1..^1] : value ?? "";
        return key.Length is >= 1 and <= MaxLength && key.All(c => c is >= '!' and <= '~');
    }

    /// <summary>Whose keys these are: an API client's, else the signed-in person's.</summary>
    public static string Owner(Caller caller) =>
        caller.ClientId is { Length: > 0 } client ? "client:" + client : "subject:" + caller.Subject;

    /// <summary>The request's fingerprint: the door and route, then the body.</summary>
    public static async Task<string> HashAsync(string route, Stream body, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(route + "\n"));
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    public static string Hash(string route, ReadOnlySpan<byte> body)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(route + "\n"));
        hash.AppendData(body);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
