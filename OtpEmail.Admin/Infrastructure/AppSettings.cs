using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace OtpEmail.Admin.Infrastructure;

/// <summary><c>App:*</c>: settings about the app itself.</summary>
public sealed class AppSettings
{
    public const string Section = "App";

    /// <summary>The origin people reach the app at; default verification links start with it.</summary>
    [Required(ErrorMessage = "Setting 'App:PublicBaseUrl' is required: the origin people reach the app at, e.g. https://otp.example.com.")]
    [Url(ErrorMessage = "Setting 'App:PublicBaseUrl' must be an absolute http(s) URL.")]
    public string PublicBaseUrl { get; set; } = "";

    /// <summary>Where Data Protection keys and the code-hash key live (relative to the content root).</summary>
    [Required(ErrorMessage = "Setting 'App:KeysDirectory' is required.")]
    public string KeysDirectory { get; set; } = "App_Data/keys";

    /// <summary>A PKCS#12 (.pfx) file whose certificate encrypts the Data Protection keys at rest; optional.</summary>
    public string? KeysCertificate { get; set; }

    /// <summary>The password of <see cref="KeysCertificate"/>.</summary>
    public string? KeysCertificatePassword { get; set; }
}

/// <summary>Outside Development the default verification link, which carries a code, goes over https.</summary>
internal sealed class AppSettingsOutsideDevelopment(IHostEnvironment environment) : IValidateOptions<AppSettings>
{
    public ValidateOptionsResult Validate(string? name, AppSettings options) =>
        environment.IsDevelopment() || options.PublicBaseUrl.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail("Setting 'App:PublicBaseUrl' must be an https:// URL outside Development: verification links carry codes.");
}
