using System.ComponentModel.DataAnnotations;

namespace OtpEmail.Admin.Features.OtpEmail;

/// <summary><c>Otp:*</c>: the rules of verification codes.</summary>
public sealed class OtpSettings
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
}
