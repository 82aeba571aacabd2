using System.ComponentModel.DataAnnotations;

namespace OtpEmail.Admin.Features.OtpEmail;

/// <summary><c>Otp:*</c>: the rules of verification codes.</summary>
public sealed class OtpSettings : IValidatableObject
{
    public const string Section = "Otp";

    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan CodeLifetime { get; set; } = TimeSpan.FromMinutes(10);

    [Range(1, 100)]
    public int MaxFailedAttempts { get; set; } = 5;

    /// <summary>How many codes one authenticator may be sent in an hour (the first included).</summary>
    [Range(1, 1000)]
    public int CodesPerHour { get; set; } = 5;

    /// <summary>How many verification-link attempts one client address may make a minute.</summary>
    [Range(1, 10000)]
    public int LinkAttemptsPerMinute { get; set; } = 10;

    /// <summary>Base64 key (at least 32 bytes) of the code hash; empty: one is made in the keys folder.</summary>
    public string? CodeHashKey { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(CodeHashKey))
        {
            yield break;
        }

        var key = new byte[CodeHashKey.Length];
        if (!Convert.TryFromBase64String(CodeHashKey, key, out var length) || length < 32)
        {
            yield return new ValidationResult("Setting 'Otp:CodeHashKey' must be base64 of at least 32 bytes.", [nameof(CodeHashKey)]);
        }
    }
}
