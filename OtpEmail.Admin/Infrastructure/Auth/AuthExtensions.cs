using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using OtpEmail.Admin.Infrastructure.Auth.DevProvider;

namespace OtpEmail.Admin.Infrastructure.Auth;

public static class AuthPolicies
{
    /// <summary>An API client with a valid bearer token; permissions are checked by the handlers.</summary>
    public const string ApiCaller = "api-caller";

    /// <summary>A signed-in staff member with one of the app's roles.</summary>
    public const string Staff = "staff";

    /// <summary>An otp-admin by staff cookie or bearer token: may see the readiness checks' details.</summary>
    public const string HealthDetails = "health-details";
}

/// <summary>
/// Who may come in: staff with a cookie after OpenID Connect sign-in (<see cref="StaffSignIn"/>), API
/// clients with a bearer token (<see cref="ApiTokens"/>), both from the same provider (the embedded
/// one in Development), and the named policies the doors ask for.
/// </summary>
public static class AuthExtensions
{
    public static WebApplicationBuilder AddAuth(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthenticationSettings>()
            .BindConfiguration(AuthenticationSettings.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<AuthorizationSettings>()
            .BindConfiguration(AuthorizationSettings.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        var settings = builder.Configuration.GetSection(AuthenticationSettings.Section).Get<AuthenticationSettings>() ?? new();
        var authorization = builder.Configuration.GetSection(AuthorizationSettings.Section).Get<AuthorizationSettings>() ?? new();
        var authentication = builder.Services.AddAuthentication(options =>
        {
            options.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
            options.DefaultChallengeScheme = Microsoft.AspNetCore.Authentication.OpenIdConnect.OpenIdConnectDefaults.AuthenticationScheme;
        });
        StaffSignIn.Add(builder.Services, authentication, settings, authorization, builder.Environment.IsDevelopment());
        ApiTokens.Add(authentication, settings, authorization);
        if (settings.UsesEmbeddedProvider)
        {
            builder.AddDevelopmentProvider();
        }

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(AuthPolicies.ApiCaller, policy => policy
                .AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser())
            .AddPolicy(AuthPolicies.Staff, policy => policy
                .AddAuthenticationSchemes(CookieAuthenticationDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser()
                .RequireRole(Roles.All))
            .AddPolicy(AuthPolicies.HealthDetails, policy => policy
                .AddAuthenticationSchemes(CookieAuthenticationDefaults.AuthenticationScheme, JwtBearerDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser()
                .RequireRole(Roles.Admin));
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddSingleton<CallerFactory>();
        return builder;
    }
}

/// <summary>Turns the signed-in principal into the <see cref="Caller"/> the handlers check.</summary>
public sealed class CallerFactory(IOptions<AuthorizationSettings> settings)
{
    public Caller From(System.Security.Claims.ClaimsPrincipal principal) =>
        Caller.FromPrincipal(principal, settings.Value.RoleClaim, settings.Value.OrganizationClaim);
}
