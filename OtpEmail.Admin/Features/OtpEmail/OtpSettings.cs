using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

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

    /// <summary>How many verification-link attempts one client (an IPv4 address, an IPv6 /64) may make a minute.</summary>
    [Range(1, 10000)]
    public int LinkAttemptsPerMinute { get; set; } = 10;

    /// <summary>
    /// How many wrong codes the public verification page takes for one user from one client network
    /// (an IPv4 address, an IPv6 /64) an hour; then it refuses that user's links from that network
    /// until the hour is over. Other networks are not affected. These never spend the tries of a code.
    /// </summary>
    [Range(1, 10000)]
    public int LinkFailuresPerNetworkPerHour { get; set; } = 10;

    /// <summary>
    /// How many wrong codes one user's links may take an hour from all networks together before a
    /// warning is logged and counted (<c>otpemail.link.users_under_attack</c>); it refuses nothing.
    /// </summary>
    [Range(1, 1000000)]
    public int LinkFailuresPerUserBeforeWarning { get; set; } = 50;

    /// <summary>How many verification mails one address may be sent an hour, across all users.</summary>
    [Range(1, 100000)]
    public int MailsPerRecipientPerHour { get; set; } = 10;

    /// <summary>How many live (pending or ready) OTP Email authenticators one user may have.</summary>
    [Range(1, 1000000)]
    public int MaxAuthenticatorsPerUser { get; set; } = 20;

    /// <summary>The value of <see cref="AllowedTemplateHosts"/> that allows any https host, as a conscious choice.</summary>
    public const string AnyHost = "*";

    /// <summary>
    /// Hosts a link template may point at (<c>example.com</c>, or <c>*.example.com</c> for its
    /// subdomains), or <c>*</c> for any https host. Required outside Development (see
    /// <see cref="OtpSettingsOutsideDevelopment"/>); empty in Development: any https host.
    /// </summary>
    public List<string> AllowedTemplateHosts { get; set; } = [];

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

/// <summary>
/// Outside Development the link hosts are named (or <c>*</c> says "any" on purpose): a leaked token
/// must not send real codes from our sender with a link to any site.
/// </summary>
internal sealed class OtpSettingsOutsideDevelopment(IHostEnvironment environment) : IValidateOptions<OtpSettings>
{
    public ValidateOptionsResult Validate(string? name, OtpSettings options) =>
        environment.IsDevelopment() || options.AllowedTemplateHosts.Any(host => !string.IsNullOrWhiteSpace(host))
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                "Setting 'Otp:AllowedTemplateHosts' is required outside Development: name the hosts link templates may point at "
                + "(Otp__AllowedTemplateHosts__0=verify.example.com, *.example.com for subdomains), or set it to \"*\" to allow any https host.");
}
