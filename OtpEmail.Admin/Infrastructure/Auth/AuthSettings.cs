using System.ComponentModel.DataAnnotations;

namespace OtpEmail.Admin.Infrastructure.Auth;

/// <summary><c>Authentication:*</c>: the OpenID Connect provider for staff sign-in and API tokens.</summary>
public sealed class AuthenticationSettings : IValidatableObject
{
    public const string Section = "Authentication";

    /// <summary>Issuer URL; empty in Development selects the embedded provider.</summary>
    [Url]
    public string? Authority { get; set; }

    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    /// <summary>The audience API tokens must carry.</summary>
    [Required]
    public string Audience { get; set; } = "otpemail-api";

    public bool UsesEmbeddedProvider => string.IsNullOrWhiteSpace(Authority);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!UsesEmbeddedProvider && string.IsNullOrWhiteSpace(ClientId))
        {
            yield return new ValidationResult("Setting 'Authentication:ClientId' is required with 'Authentication:Authority' (staff sign-in).", [nameof(ClientId)]);
        }
    }
}

/// <summary><c>Authorization:*</c>.</summary>
public sealed class AuthorizationSettings
{
    public const string Section = "Authorization";

    /// <summary>The claim that carries roles (<c>role</c>, <c>roles</c>, …).</summary>
    [Required]
    public string RoleClaim { get; set; } = "role";
}
