using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using OtpEmail.Admin.Common;

namespace OtpEmail.Admin.Infrastructure.Email;

public enum MailMode
{
    Pickup,
    Smtp,
}

public enum SmtpSecurity
{
    None,
    StartTls,
    SslOnConnect,
}

/// <summary><c>Mail:*</c>.</summary>
public sealed class MailSettings : IValidatableObject
{
    public const string Section = "Mail";

    public MailMode Mode { get; set; } = MailMode.Pickup;

    /// <summary>Folder for <c>.eml</c> files in Pickup mode, relative to the content root.</summary>
    public string PickupDirectory { get; set; } = "App_Data/mail";

    [Required]
    public string From { get; set; } = "no-reply@localhost";

    public SmtpSettings Smtp { get; set; } = new();

    /// <summary>How often the dispatcher looks for due mail when nothing wakes it.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>First retry delay after a transient failure; doubles each try up to <see cref="RetryMaxDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Mails a round claims, sends and records in one write. A round's own work (its claim, its read, its record, the
    /// wait for its slowest connection) is paid once for all of it: on PostgreSQL 200 sent 12–25% more a second than 50
    /// did. Should the process die mid-round, up to two rounds' mail that went out is sent again (same <c>Message-ID</c>).
    /// </summary>
    [Range(1, 1000)]
    public int BatchSize { get; set; } = 200;

    /// <summary>
    /// How many connections to the relay a dispatcher sends on at once, each recipient's mail on one of
    /// them, in order: one SMTP conversation is several round trips, so one connection is as slow as the
    /// way to the relay is long. No more than the relay allows a client (Microsoft 365 allows 3).
    /// </summary>
    [Range(1, 32)]
    public int Connections { get; set; } = 3;

    /// <summary>
    /// How long a dispatcher holds the mail it took for a round. Instances sharing a database never
    /// send one another's claimed mail; a claim left by a dead instance is taken over when it runs
    /// out. A round stops taking new sends once half of it is gone.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Pickup mode writes mail (with its codes) to a folder instead of sending it: for Development.
    /// Elsewhere it is refused unless this says it is meant.
    /// </summary>
    public bool AllowPickupOutsideDevelopment { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (EmailAddress.Check(From, "Mail:From", singleLabelDomain: true) is not null)
        {
            yield return new ValidationResult("Setting 'Mail:From' must be a plain address like no-reply@example.com.", [nameof(From)]);
        }

        if (Mode == MailMode.Pickup && string.IsNullOrWhiteSpace(PickupDirectory))
        {
            yield return new ValidationResult("Setting 'Mail:PickupDirectory' is required when 'Mail:Mode' is Pickup.", [nameof(PickupDirectory)]);
        }

        if (Mode == MailMode.Smtp && string.IsNullOrWhiteSpace(Smtp.Host))
        {
            yield return new ValidationResult("Setting 'Mail:Smtp:Host' is required when 'Mail:Mode' is Smtp.", ["Smtp.Host"]);
        }

        if (Mode == MailMode.Smtp && Smtp.Port is < 1 or > 65535)
        {
            yield return new ValidationResult("Setting 'Mail:Smtp:Port' must be 1–65535.", ["Smtp.Port"]);
        }

        if (Smtp.CertificateThumbprint is { Length: > 0 } pin && !SmtpSettings.IsSha256Hex(pin))
        {
            yield return new ValidationResult("Setting 'Mail:Smtp:CertificateThumbprint' must be the certificate's SHA-256 hash: 64 hexadecimal digits.", ["Smtp.CertificateThumbprint"]);
        }

        if (Smtp.Timeout <= TimeSpan.Zero || Smtp.Timeout >= ClaimLease / 2)
        {
            // A round stops starting sends at half its claim: one send must end well before the claim does.
            yield return new ValidationResult("Setting 'Mail:Smtp:Timeout' must be above zero and under half of 'Mail:ClaimLease'.", ["Smtp.Timeout"]);
        }

        if (Mode == MailMode.Smtp && !string.IsNullOrEmpty(Smtp.CertificateThumbprint) && Smtp.Security == SmtpSecurity.None)
        {
            yield return new ValidationResult("Setting 'Mail:Smtp:CertificateThumbprint' needs 'Mail:Smtp:Security' StartTls or SslOnConnect: without TLS there is no certificate.", ["Smtp.CertificateThumbprint"]);
        }
    }
}

public sealed class SmtpSettings
{
    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

    public string? UserName { get; set; }

    public string? Password { get; set; }

    /// <summary>
    /// The SHA-256 hash (hex) of the relay's own certificate, trusted as it is: for a relay with a
    /// self-signed certificate. Unset, the certificate must validate as usual (chain and name).
    /// </summary>
    public string? CertificateThumbprint { get; set; }

    /// <summary>How long one SMTP conversation may take before it counts as a transient failure.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    internal static bool IsSha256Hex(string text) => text.Length == 64 && text.All(char.IsAsciiHexDigit);
}

/// <summary>The rule that needs to know where the app runs: no pickup folder in production by mistake.</summary>
internal sealed class MailModeValidation(IHostEnvironment environment) : IValidateOptions<MailSettings>
{
    public ValidateOptionsResult Validate(string? name, MailSettings options) =>
        options.Mode == MailMode.Pickup && !environment.IsDevelopment() && !options.AllowPickupOutsideDevelopment
            ? ValidateOptionsResult.Fail(
                "Setting 'Mail:Mode' is Pickup outside Development: mail would be written to a folder, not sent. " +
                "Set 'Mail:Mode' to Smtp, or 'Mail:AllowPickupOutsideDevelopment' to true if that is meant.")
            : ValidateOptionsResult.Success;
}
