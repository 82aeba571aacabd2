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

    /// <summary>How long a staff session lasts after sign-in, whatever happens meanwhile (not sliding).</summary>
    [Range(typeof(TimeSpan), "00:05:00", "7.00:00:00", ErrorMessage = "Setting 'Authentication:SessionLifetime' must be between 5 minutes and 7 days.")]
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>
    /// How often a staff session is checked with the provider (a refresh-token grant), on requests and
    /// on open pages: a disabled account or a changed role takes effect within this time.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00", ErrorMessage = "Setting 'Authentication:RevalidationInterval' must be between 1 second and 5 minutes.")]
    public TimeSpan RevalidationInterval { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long a staff session goes on past its last confirmation while the provider cannot be
    /// reached; then it ends.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Setting 'Authentication:RevalidationGrace' must be between 1 second and 1 day.")]
    public TimeSpan RevalidationGrace { get; set; } = TimeSpan.FromMinutes(15);

    public bool UsesEmbeddedProvider => string.IsNullOrWhiteSpace(Authority);

    /// <summary>
    /// Whether the provider's metadata must come over https: always, but for a provider on this very
    /// machine (http://127.0.0.1, http://localhost), which nothing between could tamper with.
    /// </summary>
    public bool RequireHttpsMetadata => !(Uri.TryCreate(Authority, UriKind.Absolute, out var authority)
        && authority.Scheme == Uri.UriSchemeHttp && authority.IsLoopback);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RevalidationGrace < RevalidationInterval)
        {
            yield return new ValidationResult("Setting 'Authentication:RevalidationGrace' must be at least 'Authentication:RevalidationInterval'.", [nameof(RevalidationGrace)]);
        }

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

    /// <summary>The claim that names the organizations a caller may act on (ids, or <c>*</c> for all).</summary>
    [Required]
    public string OrganizationClaim { get; set; } = "org_id";
}
