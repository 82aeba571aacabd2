using System.ComponentModel.DataAnnotations;

namespace OtpEmail.Admin.Infrastructure.Idempotency;

/// <summary><c>Api:*</c>: how the API keeps the answers of requests sent with an <c>Idempotency-Key</c>.</summary>
public sealed class IdempotencySettings
{
    public const string Section = "Api";

    /// <summary>How long a key and its answer are kept; a retry after that runs as a new request.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan IdempotencyKeyLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long an answer's verification code may be replayed: set from <c>Otp:CodeLifetime</c> by the OTP Email feature.</summary>
    public TimeSpan CodeLifetime { get; set; } = TimeSpan.FromMinutes(10);
}
